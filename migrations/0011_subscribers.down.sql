DROP TABLE subscriber_outbox;
DROP TABLE subscriber_tokens;
DROP TABLE subscribers;
