DROP TABLE pings;
DROP TABLE heartbeats;
DROP INDEX organizations_ping_key;
ALTER TABLE organizations DROP COLUMN ping_key;
