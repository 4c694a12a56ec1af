ALTER TABLE members DROP COLUMN reference_externe;
ALTER TABLE dossiers DROP COLUMN reference_externe;
CREATE TABLE idempotency_keys_old (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    idem_key TEXT NOT NULL,
    fingerprint TEXT,
    response_status INTEGER,
    response_body TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (account_id, idem_key)
);
INSERT INTO idempotency_keys_old
    (account_id, idem_key, fingerprint, response_status, response_body, created_at)
    SELECT owner_id, idem_key, fingerprint, response_status, response_body, created_at
    FROM idempotency_keys WHERE owner_id IN (SELECT id FROM accounts);
DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_old RENAME TO idempotency_keys;
