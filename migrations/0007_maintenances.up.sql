-- Maintenance windows: one-off (starts_at, ends_at) or recurring (cron + duration in a time
-- zone). While a window covering a monitor is active, its going down opens no incident and
-- sends no alert. A window without maintenance_monitors rows covers every monitor of the org.
CREATE TABLE maintenances (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    title       TEXT    NOT NULL,
    starts_at   INTEGER, -- one-off, Unix ms; NULL when recurring
    ends_at     INTEGER,
    cron        TEXT    NOT NULL DEFAULT '',
    duration_ms INTEGER NOT NULL DEFAULT 0,
    time_zone   TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);

CREATE INDEX maintenances_org ON maintenances (org_id, id);

CREATE TABLE maintenance_monitors (
    maintenance_id INTEGER NOT NULL REFERENCES maintenances (id) ON DELETE CASCADE,
    monitor_id     INTEGER NOT NULL REFERENCES monitors (id) ON DELETE CASCADE,
    PRIMARY KEY (maintenance_id, monitor_id)
) WITHOUT ROWID;

CREATE INDEX maintenance_monitors_monitor ON maintenance_monitors (monitor_id);
