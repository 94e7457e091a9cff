-- Invitations to join an organization (issue 9): a link valid 7 days that works once. Only
-- a SHA-256 of its token is stored.
CREATE TABLE invitations (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email       TEXT    NOT NULL COLLATE NOCASE,
    role        TEXT    NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
    token_hash  BLOB    NOT NULL UNIQUE,
    invited_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    accepted_at INTEGER,
    accepted_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    revoked_at  INTEGER
);

CREATE INDEX invitations_org ON invitations (org_id, id);
