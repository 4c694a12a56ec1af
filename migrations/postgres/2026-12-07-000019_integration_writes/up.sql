-- Connected applications write (issue 14): they enrol children on a family's behalf with
-- an `Idempotency-Key`, as families do, and record the town's own ids on dossiers and
-- members.

-- A key is now held by an account or by an application (`owner_id`): no foreign key to
-- either. Keys live a day (the daily purge), whoever holds them.
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_account_id_fkey;
ALTER TABLE idempotency_keys RENAME COLUMN account_id TO owner_id;

-- The town's other software's id for the household and for each person (its enfance or
-- billing package is often the source of truth): set by applications, shown to them only.
ALTER TABLE dossiers ADD COLUMN reference_externe TEXT
    CHECK (reference_externe IS NULL OR length(reference_externe) BETWEEN 1 AND 100);
ALTER TABLE members ADD COLUMN reference_externe TEXT
    CHECK (reference_externe IS NULL OR length(reference_externe) BETWEEN 1 AND 100);
