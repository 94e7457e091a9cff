DROP INDEX outbox_incident;
ALTER TABLE outbox DROP COLUMN incident_id;
