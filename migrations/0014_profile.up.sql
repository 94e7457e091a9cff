-- Profiles and two-factor login (issue 9). A user's time zone ('' shows times in UTC); an
-- optional TOTP (RFC 6238) second factor: its secret (kept so codes can be verified, set
-- before it is on while the user confirms a first code), when it was turned on (NULL: off)
-- and the last time step used, so a code is never accepted twice.
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_secret BLOB;
ALTER TABLE users ADD COLUMN totp_enabled_at INTEGER;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;

-- Single-use recovery codes for a user who lost their authenticator. Only a SHA-256 of each
-- code is stored (the codes are random, 80 bits: no salt or slow hash needed).
CREATE TABLE recovery_codes (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    used_at    INTEGER
);

CREATE INDEX recovery_codes_user ON recovery_codes (user_id);
