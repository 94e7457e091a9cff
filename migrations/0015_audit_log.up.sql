-- The audit log of each organization (issue 9): who created, changed or deleted what.
CREATE TABLE audit_log (
    id     INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    at     INTEGER NOT NULL,
    actor  TEXT    NOT NULL, -- a user's e-mail, or token:<name>
    action TEXT    NOT NULL, -- monitors.create, incidents.acknowledge, ...
    target TEXT    NOT NULL DEFAULT '', -- "monitors 12"
    via    TEXT    NOT NULL, -- admin | api
    ip     TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX audit_log_org ON audit_log (org_id, id);
