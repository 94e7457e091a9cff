-- Monitors, their check results, status changes (flips) and rollups. Size is a feature:
-- results are the big table (one row per check), so their rows are compact: a small-int
-- outcome, NULL for everything not measured or not failed. Times are Unix ms, latencies ms.

CREATE TABLE monitors (
    id                INTEGER PRIMARY KEY,
    org_id            INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name              TEXT    NOT NULL,
    type              TEXT    NOT NULL, -- http | tcp | dns | tls | browser | heartbeat
    interval_ms       INTEGER NOT NULL,
    timeout_ms        INTEGER NOT NULL,
    retries           INTEGER NOT NULL DEFAULT 0,
    recoveries        INTEGER NOT NULL DEFAULT 1,
    retry_interval_ms INTEGER NOT NULL DEFAULT 0,
    paused            INTEGER NOT NULL DEFAULT 0,
    managed_by        TEXT    NOT NULL DEFAULT '', -- '' (UI/API) or 'config'
    settings          TEXT,                        -- JSON of the type's settings; NULL if none
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);

CREATE INDEX monitors_org ON monitors (org_id);

-- Config-declared monitors are matched by name at start: a name is unique among them.
CREATE UNIQUE INDEX monitors_config_name ON monitors (org_id, name) WHERE managed_by = 'config';

-- The current state, one row per monitor, rewritten by every result. Apart from monitors so
-- that a batch of results rewrites small, dense rows (~60 per page) rather than the pages
-- holding names and settings JSON: fewer dirty pages, less WAL per group commit.
CREATE TABLE monitor_state (
    monitor_id            INTEGER PRIMARY KEY REFERENCES monitors (id) ON DELETE CASCADE,
    status                TEXT    NOT NULL,
    since                 INTEGER NOT NULL,
    last_checked_at       INTEGER,
    last_duration_ms      INTEGER NOT NULL DEFAULT 0,
    last_message          TEXT    NOT NULL DEFAULT '',
    consecutive_failures  INTEGER NOT NULL DEFAULT 0,
    consecutive_successes INTEGER NOT NULL DEFAULT 0
);

-- One row per check of the last days (results retention), in id order ~ time order: pruning
-- deletes from the head. Ids are never reused (see store.qInsertResult: not AUTOINCREMENT,
-- whose sqlite_sequence update costs ~15% of the write throughput).
CREATE TABLE results (
    id          INTEGER PRIMARY KEY,
    monitor_id  INTEGER NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
    started_at  INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    outcome     INTEGER NOT NULL, -- 0 up, 1 degraded, 2 down
    error_class TEXT,             -- NULL when up
    message     TEXT,             -- NULL when up
    status_code INTEGER,          -- NULL when not measured, likewise below
    dns_ms      INTEGER,
    connect_ms  INTEGER,
    tls_ms      INTEGER,
    ttfb_ms     INTEGER,
    cert_expiry INTEGER,
    details     TEXT              -- JSON {"body":..., "answers":[...]}; NULL when empty
);

CREATE INDEX results_monitor_started ON results (monitor_id, started_at);

-- A status change, written in the transaction of the result (or pause) that caused it.
CREATE TABLE flips (
    id          INTEGER PRIMARY KEY,
    monitor_id  INTEGER NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    from_status TEXT    NOT NULL,
    to_status   TEXT    NOT NULL,
    reason      TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX flips_monitor_at ON flips (monitor_id, at);

-- Hourly and daily aggregates (UTC buckets), upserted with every result. ups counts up and
-- degraded checks; sum_ms, max_ms and the latency histogram h0..h15 (buckets of
-- monitor.LatencyBucket) cover successful checks only, so timeouts do not pollute latency.
-- Zero counters cost one header byte each.
CREATE TABLE rollups_hourly (
    monitor_id   INTEGER NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
    bucket_start INTEGER NOT NULL,
    checks       INTEGER NOT NULL DEFAULT 0,
    ups          INTEGER NOT NULL DEFAULT 0,
    degraded     INTEGER NOT NULL DEFAULT 0,
    downs        INTEGER NOT NULL DEFAULT 0,
    sum_ms       INTEGER NOT NULL DEFAULT 0,
    max_ms       INTEGER NOT NULL DEFAULT 0,
    h0  INTEGER NOT NULL DEFAULT 0, h1  INTEGER NOT NULL DEFAULT 0,
    h2  INTEGER NOT NULL DEFAULT 0, h3  INTEGER NOT NULL DEFAULT 0,
    h4  INTEGER NOT NULL DEFAULT 0, h5  INTEGER NOT NULL DEFAULT 0,
    h6  INTEGER NOT NULL DEFAULT 0, h7  INTEGER NOT NULL DEFAULT 0,
    h8  INTEGER NOT NULL DEFAULT 0, h9  INTEGER NOT NULL DEFAULT 0,
    h10 INTEGER NOT NULL DEFAULT 0, h11 INTEGER NOT NULL DEFAULT 0,
    h12 INTEGER NOT NULL DEFAULT 0, h13 INTEGER NOT NULL DEFAULT 0,
    h14 INTEGER NOT NULL DEFAULT 0, h15 INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (monitor_id, bucket_start)
) WITHOUT ROWID;

CREATE TABLE rollups_daily (
    monitor_id   INTEGER NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
    bucket_start INTEGER NOT NULL,
    checks       INTEGER NOT NULL DEFAULT 0,
    ups          INTEGER NOT NULL DEFAULT 0,
    degraded     INTEGER NOT NULL DEFAULT 0,
    downs        INTEGER NOT NULL DEFAULT 0,
    sum_ms       INTEGER NOT NULL DEFAULT 0,
    max_ms       INTEGER NOT NULL DEFAULT 0,
    h0  INTEGER NOT NULL DEFAULT 0, h1  INTEGER NOT NULL DEFAULT 0,
    h2  INTEGER NOT NULL DEFAULT 0, h3  INTEGER NOT NULL DEFAULT 0,
    h4  INTEGER NOT NULL DEFAULT 0, h5  INTEGER NOT NULL DEFAULT 0,
    h6  INTEGER NOT NULL DEFAULT 0, h7  INTEGER NOT NULL DEFAULT 0,
    h8  INTEGER NOT NULL DEFAULT 0, h9  INTEGER NOT NULL DEFAULT 0,
    h10 INTEGER NOT NULL DEFAULT 0, h11 INTEGER NOT NULL DEFAULT 0,
    h12 INTEGER NOT NULL DEFAULT 0, h13 INTEGER NOT NULL DEFAULT 0,
    h14 INTEGER NOT NULL DEFAULT 0, h15 INTEGER NOT NULL DEFAULT 0,
    -- c_*: the totals of the monitor's earlier days (c_max_ms: their maximum), set by the
    -- trigger below when the row is created. The sum over a range of days is then the
    -- difference of two rows: a 90-day uptime reads 2 rows per monitor instead of 90.
    c_checks     INTEGER NOT NULL DEFAULT 0,
    c_ups        INTEGER NOT NULL DEFAULT 0,
    c_degraded   INTEGER NOT NULL DEFAULT 0,
    c_downs      INTEGER NOT NULL DEFAULT 0,
    c_sum_ms     INTEGER NOT NULL DEFAULT 0,
    c_max_ms     INTEGER NOT NULL DEFAULT 0,
    c_h0 INTEGER NOT NULL DEFAULT 0, c_h1 INTEGER NOT NULL DEFAULT 0,
    c_h2 INTEGER NOT NULL DEFAULT 0, c_h3 INTEGER NOT NULL DEFAULT 0,
    c_h4 INTEGER NOT NULL DEFAULT 0, c_h5 INTEGER NOT NULL DEFAULT 0,
    c_h6 INTEGER NOT NULL DEFAULT 0, c_h7 INTEGER NOT NULL DEFAULT 0,
    c_h8 INTEGER NOT NULL DEFAULT 0, c_h9 INTEGER NOT NULL DEFAULT 0,
    c_h10 INTEGER NOT NULL DEFAULT 0, c_h11 INTEGER NOT NULL DEFAULT 0,
    c_h12 INTEGER NOT NULL DEFAULT 0, c_h13 INTEGER NOT NULL DEFAULT 0,
    c_h14 INTEGER NOT NULL DEFAULT 0, c_h15 INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (monitor_id, bucket_start)
) WITHOUT ROWID;

-- Fills the c_* columns of a new daily row from the previous day of the monitor. It fires once
-- per monitor and day (the upsert's update path fires no INSERT trigger), so it costs the
-- write path nothing. A result recorded for an earlier day after a later day's row exists
-- (rare: a manual check across midnight) is missing from the later rows' totals: windows
-- spanning that midnight are off by that one check.
CREATE TRIGGER rollups_daily_cumulative AFTER INSERT ON rollups_daily
WHEN EXISTS (SELECT 1 FROM rollups_daily WHERE monitor_id = NEW.monitor_id AND bucket_start < NEW.bucket_start)
BEGIN
    UPDATE rollups_daily SET
        (c_checks, c_ups, c_degraded, c_downs, c_sum_ms, c_max_ms,
         c_h0, c_h1, c_h2, c_h3, c_h4, c_h5, c_h6, c_h7,
         c_h8, c_h9, c_h10, c_h11, c_h12, c_h13, c_h14, c_h15) = (
        SELECT p.c_checks + p.checks, p.c_ups + p.ups, p.c_degraded + p.degraded,
            p.c_downs + p.downs, p.c_sum_ms + p.sum_ms, max(p.c_max_ms, p.max_ms),
            p.c_h0 + p.h0, p.c_h1 + p.h1, p.c_h2 + p.h2, p.c_h3 + p.h3,
            p.c_h4 + p.h4, p.c_h5 + p.h5, p.c_h6 + p.h6, p.c_h7 + p.h7,
            p.c_h8 + p.h8, p.c_h9 + p.h9, p.c_h10 + p.h10, p.c_h11 + p.h11,
            p.c_h12 + p.h12, p.c_h13 + p.h13, p.c_h14 + p.h14, p.c_h15 + p.h15
        FROM rollups_daily p WHERE p.monitor_id = NEW.monitor_id AND p.bucket_start < NEW.bucket_start
        ORDER BY p.bucket_start DESC LIMIT 1)
    WHERE monitor_id = NEW.monitor_id AND bucket_start = NEW.bucket_start;
END;

-- Failed (down or degraded) results older than the results retention, moved here by pruning
-- with their ids, and kept until the failures retention. Left in results, the few failures
-- kept among the many successes deleted around them would pin half-empty pages of the table
-- and almost empty pages of its index (measured: ~340 and ~240 bytes per kept failure); here
-- they are appended densely and deleted from the head.
CREATE TABLE failed_results (
    id          INTEGER PRIMARY KEY, -- the id it had in results
    monitor_id  INTEGER NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
    started_at  INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    outcome     INTEGER NOT NULL,
    error_class TEXT,
    message     TEXT,
    status_code INTEGER,
    dns_ms      INTEGER,
    connect_ms  INTEGER,
    tls_ms      INTEGER,
    ttfb_ms     INTEGER,
    cert_expiry INTEGER,
    details     TEXT
);

CREATE INDEX failed_results_monitor_started ON failed_results (monitor_id, started_at);
