-- Public status pages (issue 8) and the public side of incidents (issue 7: manual incidents
-- with an impact, affected components and public updates).

CREATE TABLE status_pages (
    id               INTEGER PRIMARY KEY,
    org_id           INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    slug             TEXT    NOT NULL UNIQUE, -- /status/{slug}: one namespace for the instance
    title            TEXT    NOT NULL,
    description      TEXT    NOT NULL DEFAULT '',
    custom_domain    TEXT    UNIQUE,          -- lower-case host served this page at /; NULL: none
    locale           TEXT    NOT NULL DEFAULT 'en',
    is_default       INTEGER NOT NULL DEFAULT 0, -- served at / of the instance
    public           INTEGER NOT NULL DEFAULT 1, -- 0: logged-in users only
    collapsed_groups TEXT    NOT NULL DEFAULT '[]', -- JSON array of group names shown folded
    logo             BLOB,
    logo_type        TEXT    NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);

CREATE INDEX status_pages_org ON status_pages (org_id, id);
CREATE UNIQUE INDEX status_pages_default ON status_pages (is_default) WHERE is_default = 1;

-- A component is bound to a monitor (its status follows the monitor) or set by hand
-- (status). Groups are named by group_name; a page orders groups by their first component.
CREATE TABLE page_components (
    id                 INTEGER PRIMARY KEY,
    page_id            INTEGER NOT NULL REFERENCES status_pages (id) ON DELETE CASCADE,
    group_name         TEXT    NOT NULL DEFAULT '',
    name               TEXT    NOT NULL,
    description        TEXT    NOT NULL DEFAULT '',
    position           INTEGER NOT NULL,
    monitor_id         INTEGER REFERENCES monitors (id) ON DELETE SET NULL,
    status             TEXT    NOT NULL DEFAULT 'operational',
    show_response_time INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL
);

CREATE INDEX page_components_page ON page_components (page_id, position);
CREATE INDEX page_components_monitor ON page_components (monitor_id);

ALTER TABLE incidents ADD COLUMN impact TEXT NOT NULL DEFAULT 'none'; -- none | minor | major | critical
ALTER TABLE incidents ADD COLUMN public INTEGER NOT NULL DEFAULT 0;   -- shown on status pages

CREATE INDEX incidents_public ON incidents (org_id, opened_at) WHERE public = 1;

CREATE TABLE incident_components (
    incident_id  INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    component_id INTEGER NOT NULL REFERENCES page_components (id) ON DELETE CASCADE,
    PRIMARY KEY (incident_id, component_id)
) WITHOUT ROWID;

CREATE INDEX incident_components_component ON incident_components (component_id);

-- Public updates: what visitors of a status page read. Internal comments stay in
-- incident_events.
CREATE TABLE incident_updates (
    id          INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('investigating', 'identified', 'monitoring', 'resolved')),
    message     TEXT    NOT NULL,
    actor       TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX incident_updates_incident ON incident_updates (incident_id, at);
