-- Incidents: opened when a monitor goes down (in the same transaction as the flip),
-- resolved when it comes back; their timeline in incident_events.
CREATE TABLE incidents (
    id              INTEGER PRIMARY KEY,
    org_id          INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    monitor_id      INTEGER REFERENCES monitors (id) ON DELETE CASCADE,
    title           TEXT    NOT NULL,
    status          TEXT    NOT NULL, -- open | acknowledged | resolved
    cause           TEXT    NOT NULL DEFAULT '', -- error class of the result that opened it
    message         TEXT    NOT NULL DEFAULT '',
    opened_at       INTEGER NOT NULL,
    acknowledged_at INTEGER,
    acknowledged_by TEXT,
    resolved_at     INTEGER
);

-- At most one open incident per monitor, whatever the writers do.
CREATE UNIQUE INDEX incidents_open_monitor ON incidents (monitor_id) WHERE resolved_at IS NULL;
CREATE INDEX incidents_org ON incidents (org_id, id);
CREATE INDEX incidents_monitor ON incidents (monitor_id, opened_at);

CREATE TABLE incident_events (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    kind        TEXT    NOT NULL, -- opened | state_change | acknowledged | unacknowledged | comment | resolved
    actor       TEXT    NOT NULL DEFAULT '', -- a user's e-mail; '' for statusthing
    message     TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX incident_events_incident ON incident_events (incident_id, id);
