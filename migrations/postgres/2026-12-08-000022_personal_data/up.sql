-- Families' rights over their data and retention that runs by itself (issue 16,
-- SECURITY.md G-01, G-02, G-03). The durations are settings (README « Durées de
-- conservation »); these columns only record where each account, draft and piece stands.

-- The last time the account signed in or refreshed its session: inactivity is counted
-- from it (the connection log is itself purged after six months, so it cannot say).
ALTER TABLE accounts ADD COLUMN last_seen_at TIMESTAMP;
UPDATE accounts SET last_seen_at = COALESCE(
    (SELECT MAX(at) FROM connection_logs
      WHERE connection_logs.account_id = accounts.id AND connection_logs.success),
    activated_at,
    created_at);
-- When the « votre compte sera fermé » email went; signing in again clears it.
ALTER TABLE accounts ADD COLUMN inactivity_warned_at TIMESTAMP;

-- When the « votre brouillon sera supprimé » email went for a draft left untouched.
ALTER TABLE demandes ADD COLUMN draft_warned_at TIMESTAMP;

-- When a piece's files were deleted at the end of their retention. The piece itself stays,
-- with its status, « vérifiée le … » and who decided, so the dossier still shows it was
-- checked.
ALTER TABLE pieces ADD COLUMN files_erased_at TIMESTAMP;

-- « Une copie de mes données » (RGPD art. 15 and 20): a ZIP built in the background by
-- whichever server leases it, kept in the file store until `expires_at`.
CREATE TABLE data_exports (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- `pending`: waiting for a server (or leased by one until `lease_until`); `ready`:
    -- stored, downloadable until `expires_at`; `failed`: gave up after several attempts.
    state TEXT NOT NULL CHECK (state IN ('pending', 'ready', 'failed')),
    requested_at TIMESTAMP NOT NULL,
    lease_until TIMESTAMP,
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    ready_at TIMESTAMP,
    expires_at TIMESTAMP,
    size_bytes BIGINT CHECK (size_bytes >= 0),
    last_error TEXT,
    -- The one-time download link given after the password was typed again: the SHA-256
    -- of its token, and until when it works (a few minutes; cleared once used).
    download_token_hash TEXT,
    download_expires_at TIMESTAMP
);
CREATE INDEX data_exports_account ON data_exports (account_id, requested_at);
CREATE INDEX data_exports_due ON data_exports (state, lease_until);

-- An email's one attachment (the récépissé of a request, a PDF of a few tens of KiB),
-- kept with the email until the outbox forgets it.
ALTER TABLE outbox_emails ADD COLUMN attachment_name TEXT;
ALTER TABLE outbox_emails ADD COLUMN attachment BYTEA;

-- The data protection officer's contact, shown on « Données personnelles » (RGPD art.
-- 13-1-b); administrators set it with the town's other settings.
ALTER TABLE town_settings ADD COLUMN dpo_contact TEXT NOT NULL DEFAULT '';
