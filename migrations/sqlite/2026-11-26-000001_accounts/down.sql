DROP TABLE outbox_emails;
DROP TABLE cgu_acceptances;
DROP TABLE cgu_versions;
DROP TABLE connection_logs;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE action_tokens;
DROP TABLE accounts;
