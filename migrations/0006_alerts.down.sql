DROP TABLE delivery_attempts;
DROP TABLE outbox;
DROP TABLE monitor_channels;
DROP TABLE channels;
