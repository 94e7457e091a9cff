-- Per-monitor alert options (monitor.AlertOptions: the keys alert_degraded, alert_late,
-- cert_alert_days, remind_every, flap_changes and flap_window) and the alert state they
-- need. Existing monitors get the defaults new ones get: certificate alerts 14 days ahead
-- for tls monitors and https:// http monitors, the flap guard at 5 changes in 30 minutes.
ALTER TABLE monitors ADD COLUMN alert_degraded INTEGER NOT NULL DEFAULT 0;
ALTER TABLE monitors ADD COLUMN alert_late INTEGER NOT NULL DEFAULT 0;
ALTER TABLE monitors ADD COLUMN cert_alert_days INTEGER NOT NULL DEFAULT 0; -- 0: off
ALTER TABLE monitors ADD COLUMN remind_every_ms INTEGER NOT NULL DEFAULT 0; -- 0: off
ALTER TABLE monitors ADD COLUMN flap_changes INTEGER NOT NULL DEFAULT 0;    -- 0: off
ALTER TABLE monitors ADD COLUMN flap_window_ms INTEGER NOT NULL DEFAULT 0;

UPDATE monitors SET cert_alert_days = 14
    WHERE type = 'tls' OR (type = 'http' AND json_extract(settings, '$.url') LIKE 'https://%');
UPDATE monitors SET flap_changes = 5, flap_window_ms = 1800000;

-- flapping_since: set when the flap guard sent its "flapping" alert, cleared when the
-- monitor settled; cert_alerted_expiry: the expiry (Unix ms) of the certificate last
-- alerted about (one alert per certificate).
ALTER TABLE monitor_state ADD COLUMN flapping_since INTEGER;
ALTER TABLE monitor_state ADD COLUMN cert_alerted_expiry INTEGER;

CREATE INDEX monitor_state_flapping ON monitor_state (monitor_id) WHERE flapping_since IS NOT NULL;

-- The number of the last reminder sent for an open incident (its monitor still down).
ALTER TABLE incidents ADD COLUMN reminders INTEGER NOT NULL DEFAULT 0;

-- The wait a receiver asked for (Retry-After on 429/503), as honoured; 0 when none.
ALTER TABLE delivery_attempts ADD COLUMN retry_after_ms INTEGER NOT NULL DEFAULT 0;
