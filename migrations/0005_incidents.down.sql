DROP TABLE incident_events;
DROP TABLE incidents;
