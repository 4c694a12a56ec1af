-- Rate limits and login locks shared by every server of a deployment (issue 15). They
-- lived in each process's memory: N servers behind a load balancer allowed N times each
-- limit, and a restart forgot every lock.

-- Events per limit, key and fixed window. A limit over a sliding window reads two rows,
-- the current window's and the previous one's (the sliding-window counter estimate).
CREATE TABLE rate_counters (
    -- Which limit: `registrations`, `login_account`, `integration_requests`…
    bucket TEXT NOT NULL,
    -- Whose events: a client address, an account, a dossier number, an application.
    key TEXT NOT NULL,
    window_start TIMESTAMP NOT NULL,
    count INTEGER NOT NULL CHECK (count >= 0),
    PRIMARY KEY (bucket, key, window_start)
);
-- The daily purge deletes windows long gone.
CREATE INDEX rate_counters_window ON rate_counters (window_start);

-- Consecutive failed logins per account and origin (`ip:…` or `device:…`), and the lock
-- they led to (SECURITY.md A-08, A-09). A success or a password reset deletes the row.
CREATE TABLE login_locks (
    -- The account's id, or `unknown:<name>` for a name no account has.
    account_key TEXT NOT NULL,
    origin TEXT NOT NULL,
    consecutive_failures INTEGER NOT NULL CHECK (consecutive_failures > 0),
    locked_until TIMESTAMP,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (account_key, origin)
);
CREATE INDEX login_locks_updated ON login_locks (updated_at);
