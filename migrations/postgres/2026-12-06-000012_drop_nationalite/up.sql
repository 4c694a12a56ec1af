-- Data minimisation (RGPD art. 5(1)(c), SECURITY.md G-04): nationality served no purpose
-- of the town's school and leisure services — no rule, price or decision uses it, and the
-- CNIL's sector reference (NS-058) does not list it — so it is no longer collected, and
-- what was collected is erased, including from the dossiers frozen at submission.
ALTER TABLE members DROP COLUMN nationalite;

UPDATE demandes
SET snapshot = jsonb_set(
        snapshot::jsonb,
        '{members}',
        COALESCE(
            (SELECT jsonb_agg(member - 'nationalite' ORDER BY position)
             FROM jsonb_array_elements(snapshot::jsonb -> 'members') WITH ORDINALITY AS m(member, position)),
            '[]'::jsonb
        )
    )::text
WHERE snapshot IS NOT NULL
  AND jsonb_typeof(snapshot::jsonb -> 'members') = 'array';
