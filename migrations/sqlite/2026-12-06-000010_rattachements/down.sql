PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
DROP TABLE rattachements;
DELETE FROM demandes WHERE kind = 'rattachement_dossier';
CREATE TABLE demandes_rebuilt (
    id TEXT PRIMARY KEY NOT NULL,
    dossier_id TEXT NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('creation_dossier')),
    status TEXT NOT NULL CHECK (status IN ('brouillon', 'en_attente_validation', 'a_completer', 'validee', 'refusee')),
    observation TEXT,
    agent_message TEXT,
    snapshot TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    submitted_at TIMESTAMP
);
INSERT INTO demandes_rebuilt SELECT * FROM demandes;
DROP TABLE demandes;
ALTER TABLE demandes_rebuilt RENAME TO demandes;
CREATE INDEX demandes_dossier ON demandes (dossier_id);
ALTER TABLE dossiers DROP COLUMN contact_email;
COMMIT;
PRAGMA foreign_keys = ON;
