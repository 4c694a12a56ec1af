-- The erased values cannot come back; the column does, empty.
ALTER TABLE members ADD COLUMN nationalite TEXT;
