-- Screenshots of browser checks, apart from results so that the results table stays compact
-- and screenshots get their own retention (retention.screenshots_days).
CREATE TABLE screenshots (
    id         INTEGER PRIMARY KEY,
    monitor_id INTEGER NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
    result_id  INTEGER NOT NULL, -- in results, or in failed_results once pruned
    taken_at   INTEGER NOT NULL,
    format     TEXT    NOT NULL, -- png | jpeg
    width      INTEGER NOT NULL,
    height     INTEGER NOT NULL,
    data       BLOB    NOT NULL
);

CREATE UNIQUE INDEX screenshots_result ON screenshots (result_id);
