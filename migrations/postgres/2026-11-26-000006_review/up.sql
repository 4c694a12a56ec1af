-- Review by the town's agents: decisions on pieces, dossier numbers, and the audit log of
-- every staff action (SECURITY.md C-04, G-05, H-06).

-- The agent's decision on a piece: who, when, and an optional comment next to the reason
-- (`motif_refus`) the family reads.
ALTER TABLE pieces ADD COLUMN commentaire TEXT;
ALTER TABLE pieces ADD COLUMN decided_by TEXT;
ALTER TABLE pieces ADD COLUMN decided_at TIMESTAMP;

-- Named counters (SQLite has no sequences): the next dossier number. Numbers already in
-- use (imported dossiers) are skipped at validation.
CREATE TABLE counters (
    name TEXT PRIMARY KEY NOT NULL,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('dossier_numero', 20000);

-- Who did what to which dossier, never the content of a document. Append-only: only rows
-- past the 366-day retention may be deleted (triggers below).
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    actor_account_id TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('consultation', 'telechargement', 'decision_piece', 'decision_demande')),
    dossier_id TEXT NOT NULL,
    object_id TEXT,
    detail TEXT
);
CREATE INDEX audit_log_dossier ON audit_log (dossier_id, at);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.at < (now() AT TIME ZONE 'UTC') - INTERVAL '366 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
