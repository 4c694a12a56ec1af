-- Failed logins on unknown accounts: no account to attach them to, but they are what a
-- platform-wide alert on credential stuffing counts (SECURITY.md G-06), and recording
-- them makes an unknown login cost the same write as a wrong password on a known account
-- (whose failure goes to connection_logs), so timing does not tell them apart (A-04).
-- Nothing typed is kept: only when, and from where. Purged with the connection log.
CREATE TABLE failed_logins (
    id TEXT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    ip TEXT NOT NULL
);
CREATE INDEX failed_logins_at ON failed_logins (at);
