-- Status page subscribers (issue 8): e-mail subscribers (double opt-in) and webhook
-- subscribers of a page, the tokens of the links in their mails, and the queue of their
-- notices, written in the transaction of the change that causes them (a public incident
-- update, a maintenance window saved, a subscription) and delivered with retries.
CREATE TABLE subscribers (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    page_id      INTEGER NOT NULL REFERENCES status_pages (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL CHECK (kind IN ('email', 'webhook')),
    address      TEXT    NOT NULL, -- lower-case e-mail address, or webhook URL; never logged
    secret       TEXT    NOT NULL DEFAULT '', -- webhook: HMAC key of the signature; never shown
    created_at   INTEGER NOT NULL,
    confirmed_at INTEGER, -- NULL: waiting for the e-mail confirmation
    UNIQUE (page_id, kind, address)
);

CREATE INDEX subscribers_org ON subscribers (org_id, page_id);

-- One random token per mail sent (its confirm and unsubscribe links), stored hashed
-- (SHA-256): the links of every mail stay valid until the subscriber is gone.
CREATE TABLE subscriber_tokens (
    token_hash    TEXT    PRIMARY KEY,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX subscriber_tokens_subscriber ON subscriber_tokens (subscriber_id);

CREATE TABLE subscriber_outbox (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    subscriber_id   INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE, -- unsubscribed: nothing more is sent
    event           TEXT    NOT NULL, -- JSON notice
    kind            TEXT    NOT NULL, -- the notice's event, for the admin
    idempotency_key TEXT    NOT NULL UNIQUE,
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    delivered_at    INTEGER,
    failed_at       INTEGER, -- given up
    last_error      TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX subscriber_outbox_due ON subscriber_outbox (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX subscriber_outbox_subscriber ON subscriber_outbox (subscriber_id, kind, created_at);
