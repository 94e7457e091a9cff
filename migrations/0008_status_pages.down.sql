DROP TABLE incident_updates;
DROP TABLE incident_components;
DROP INDEX incidents_public;
ALTER TABLE incidents DROP COLUMN public;
ALTER TABLE incidents DROP COLUMN impact;
DROP TABLE page_components;
DROP TABLE status_pages;
