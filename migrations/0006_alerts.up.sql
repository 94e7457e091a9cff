-- Alert channels, their attachment to monitors, and the outbox of alerts: rows are written
-- in the transaction of the status change that caused them and delivered by a dispatcher
-- with retries; every attempt is kept in delivery_attempts.
CREATE TABLE channels (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    type       TEXT    NOT NULL CHECK (type IN ('email', 'webhook', 'slack', 'discord', 'teams', 'telegram', 'ntfy')),
    settings   TEXT    NOT NULL DEFAULT '{}', -- JSON; holds secrets: never logged
    is_default INTEGER NOT NULL DEFAULT 0,    -- alerts for every monitor of the organization
    enabled    INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);

CREATE INDEX channels_org ON channels (org_id, id);

CREATE TABLE monitor_channels (
    monitor_id INTEGER NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
    channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    PRIMARY KEY (monitor_id, channel_id)
) WITHOUT ROWID;

CREATE INDEX monitor_channels_channel ON monitor_channels (channel_id);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    channel_id      INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    event           TEXT    NOT NULL, -- JSON alert payload
    idempotency_key TEXT    NOT NULL UNIQUE,
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    delivered_at    INTEGER,
    failed_at       INTEGER, -- given up
    last_error      TEXT    NOT NULL DEFAULT ''
);

-- The dispatcher's poll: pending rows only, by due time.
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_failed ON outbox (org_id, failed_at) WHERE failed_at IS NOT NULL;
CREATE INDEX outbox_channel ON outbox (channel_id);

CREATE TABLE delivery_attempts (
    id          INTEGER PRIMARY KEY,
    outbox_id   INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    ok          INTEGER NOT NULL,
    status_code INTEGER NOT NULL DEFAULT 0,
    error       TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX delivery_attempts_outbox ON delivery_attempts (outbox_id, id);
