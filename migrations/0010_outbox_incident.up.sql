-- The incident an alert is about, so an incident's timeline lists the alerts sent for it
-- and to whom (its rows were found by their JSON payload before).
ALTER TABLE outbox ADD COLUMN incident_id INTEGER REFERENCES incidents (id) ON DELETE SET NULL;

UPDATE outbox SET incident_id = (SELECT i.id FROM incidents i WHERE i.id = json_extract(outbox.event, '$.incident.id'));

CREATE INDEX outbox_incident ON outbox (incident_id) WHERE incident_id IS NOT NULL;
