-- See the PostgreSQL migration of the same name.
ALTER TABLE members DROP COLUMN nationalite;

UPDATE demandes
SET snapshot = json_set(
        snapshot,
        '$.members',
        (SELECT json_group_array(json(json_remove(value, '$.nationalite')))
         FROM (SELECT value FROM json_each(demandes.snapshot, '$.members') ORDER BY key))
    )
WHERE snapshot IS NOT NULL
  AND json_type(snapshot, '$.members') = 'array';
