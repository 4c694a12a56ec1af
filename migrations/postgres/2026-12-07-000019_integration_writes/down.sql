ALTER TABLE members DROP COLUMN reference_externe;
ALTER TABLE dossiers DROP COLUMN reference_externe;
DELETE FROM idempotency_keys WHERE owner_id NOT IN (SELECT id FROM accounts);
ALTER TABLE idempotency_keys RENAME COLUMN owner_id TO account_id;
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_account_id_fkey
    FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE;
