-- SQLite twin of migrations/postgres/2026-11-26-000001_accounts: the same DDL happens to be
-- valid in both dialects here (TEXT ids, BOOLEAN and TIMESTAMP type names).
-- Accounts, their one-time tokens, sessions, connection log, terms of use and email outbox.
--
-- Conventions shared with migrations/sqlite (a test checks both give the same schema):
-- ids are UUIDs stored as TEXT; timestamps are UTC `TIMESTAMP` truncated to microseconds;
-- uniqueness on user-typed values lives on a normalised column (lowercase, trimmed),
-- so the database itself refuses a duplicate under a registration race (SECURITY.md H-04).

CREATE TABLE accounts (
    id TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL,
    username_normalized TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    email_normalized TEXT NOT NULL UNIQUE,
    -- NULL for an account that never had a usable password.
    password_hash TEXT,
    -- pending_activation | active | closed
    state TEXT NOT NULL CHECK (state IN ('pending_activation', 'active', 'closed')),
    new_household BOOLEAN NOT NULL,
    -- A new address waiting for confirmation from its own inbox.
    pending_email TEXT,
    created_at TIMESTAMP NOT NULL,
    activated_at TIMESTAMP,
    password_changed_at TIMESTAMP
);

-- Activation, password reset and email change links. Only the SHA-256 of the random
-- token is stored; a token is usable once, until it expires.
CREATE TABLE action_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- activation | password_reset | email_change
    purpose TEXT NOT NULL CHECK (purpose IN ('activation', 'password_reset', 'email_change')),
    token_hash TEXT NOT NULL UNIQUE,
    new_email TEXT,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX action_tokens_account_purpose ON action_tokens (account_id, purpose);

-- A login session: one family of rotating refresh tokens.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP NOT NULL,
    absolute_expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE refresh_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- « Dernières connexions »: kept 6 months by default, purged by a background job.
CREATE TABLE connection_logs (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    at TIMESTAMP NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    success BOOLEAN NOT NULL
);
CREATE INDEX connection_logs_account_at ON connection_logs (account_id, at);
CREATE INDEX connection_logs_at ON connection_logs (at);

-- Terms of use (CGU): publishing a new version asks every family to accept again.
CREATE TABLE cgu_versions (
    version INTEGER PRIMARY KEY NOT NULL,
    published_at TIMESTAMP NOT NULL,
    text TEXT NOT NULL
);

CREATE TABLE cgu_acceptances (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    version INTEGER NOT NULL REFERENCES cgu_versions (version),
    accepted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (account_id, version)
);

-- Transactional outbox: emails are written in the same transaction as the change that
-- causes them and sent by a background worker with retries (SECURITY.md L-06).
CREATE TABLE outbox_emails (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    -- Bodies are erased once sent: they may carry a one-time link.
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL,
    -- pending | sending | sent | failed
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX outbox_emails_due ON outbox_emails (status, next_attempt_at);
CREATE INDEX outbox_emails_recipient ON outbox_emails (to_address, kind, created_at);
