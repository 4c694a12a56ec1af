-- Connected applications write (issue 14): they enrol children on a family's behalf with
-- an `Idempotency-Key`, as families do, and record the town's own ids on dossiers and
-- members.

-- A key is now held by an account or by an application (`owner_id`): no foreign key to
-- either. Keys live a day (the daily purge), whoever holds them. SQLite cannot
-- drop a foreign key: the table is rebuilt with its rows.
CREATE TABLE idempotency_keys_new (
    owner_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    fingerprint TEXT,
    response_status INTEGER,
    response_body TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (owner_id, idem_key)
);
INSERT INTO idempotency_keys_new
    (owner_id, idem_key, fingerprint, response_status, response_body, created_at)
    SELECT account_id, idem_key, fingerprint, response_status, response_body, created_at
    FROM idempotency_keys;
DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_new RENAME TO idempotency_keys;

-- The town's other software's id for the household and for each person (its enfance or
-- billing package is often the source of truth): set by applications, shown to them only.
ALTER TABLE dossiers ADD COLUMN reference_externe TEXT
    CHECK (reference_externe IS NULL OR length(reference_externe) BETWEEN 1 AND 100);
ALTER TABLE members ADD COLUMN reference_externe TEXT
    CHECK (reference_externe IS NULL OR length(reference_externe) BETWEEN 1 AND 100);
