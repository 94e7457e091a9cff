-- Heartbeat monitors (type 'heartbeat'): their ping address, the fields of their state
-- machine, and their pings. Times are Unix ms.

-- The per-organization key of slug ping URLs (/ping/{ping_key}/{slug}).
ALTER TABLE organizations ADD COLUMN ping_key TEXT;
CREATE UNIQUE INDEX organizations_ping_key ON organizations (ping_key) WHERE ping_key IS NOT NULL;

-- The ping address of each heartbeat; written when it is created or renamed only.
CREATE TABLE heartbeats (
    monitor_id INTEGER PRIMARY KEY REFERENCES monitors (id) ON DELETE CASCADE,
    org_id     INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    uuid       TEXT    NOT NULL UNIQUE, -- the secret of /ping/{uuid}
    slug       TEXT    NOT NULL         -- from the monitor's name; not unique (409)
);

CREATE INDEX heartbeats_slug ON heartbeats (org_id, slug);

-- A heartbeat's state machine lives beside its status in monitor_state, so that a ping
-- updates one row (NULL for probed monitors).
ALTER TABLE monitor_state ADD COLUMN last_ping INTEGER;        -- last success
ALTER TABLE monitor_state ADD COLUMN last_fail INTEGER;
ALTER TABLE monitor_state ADD COLUMN last_start INTEGER;       -- start of the oldest open run
ALTER TABLE monitor_state ADD COLUMN hold_until INTEGER;       -- fresh grace after a restart (heartbeat.Recover)
ALTER TABLE monitor_state ADD COLUMN running TEXT;             -- JSON of the open runs; NULL if none
ALTER TABLE monitor_state ADD COLUMN next_check_at INTEGER;    -- when the sweep must look; NULL: only a ping can change it
ALTER TABLE monitor_state ADD COLUMN pings_since_trim INTEGER; -- pings since the last trim to keep_pings

CREATE INDEX monitor_state_next_check ON monitor_state (next_check_at) WHERE next_check_at IS NOT NULL;

-- The latest heartbeat.keep_pings pings of each heartbeat (trimmed as pings arrive).
CREATE TABLE pings (
    id          INTEGER PRIMARY KEY,
    monitor_id  INTEGER NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    kind        TEXT    NOT NULL, -- success | start | fail | log | exit
    exit_status INTEGER,          -- for kind exit
    rid         TEXT,
    method      TEXT    NOT NULL,
    remote_ip   TEXT,
    user_agent  TEXT,
    body        TEXT,
    truncated   INTEGER NOT NULL DEFAULT 0,
    run_ms      INTEGER           -- duration of the run this ping finished
);

CREATE INDEX pings_monitor ON pings (monitor_id, id);
