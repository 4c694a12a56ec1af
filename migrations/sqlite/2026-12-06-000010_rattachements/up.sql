-- Rattachement: see the PostgreSQL migration of the same name. SQLite rebuilds demandes
-- to widen its kind CHECK (https://www.sqlite.org/lang_altertable.html#otheralter).
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

ALTER TABLE dossiers ADD COLUMN contact_email TEXT;

CREATE TABLE demandes_rebuilt (
    id TEXT PRIMARY KEY NOT NULL,
    dossier_id TEXT NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('creation_dossier', 'rattachement_dossier')),
    status TEXT NOT NULL CHECK (status IN ('brouillon', 'en_attente_validation', 'a_completer', 'validee', 'refusee')),
    observation TEXT,
    agent_message TEXT,
    -- The dossier as submitted (JSON), what « Consulter ma demande » and agents read.
    snapshot TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    submitted_at TIMESTAMP
);
INSERT INTO demandes_rebuilt
    SELECT id, dossier_id, kind, status, observation, agent_message, snapshot, created_at, updated_at, submitted_at
    FROM demandes;
DROP TABLE demandes;
ALTER TABLE demandes_rebuilt RENAME TO demandes;
CREATE INDEX demandes_dossier ON demandes (dossier_id);

CREATE TABLE rattachements (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL UNIQUE REFERENCES accounts (id) ON DELETE CASCADE,
    dossier_id TEXT NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    numero TEXT NOT NULL,
    nom TEXT NOT NULL,
    prenom TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('code', 'validation')),
    status TEXT NOT NULL CHECK (status IN ('en_attente', 'rattache', 'refuse')),
    code_hash TEXT,
    code_expires_at TIMESTAMP,
    code_attempts INTEGER NOT NULL,
    codes_sent INTEGER NOT NULL,
    code_sent_at TIMESTAMP,
    demande_id TEXT REFERENCES demandes (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX rattachements_dossier ON rattachements (dossier_id);
CREATE INDEX rattachements_demande ON rattachements (demande_id);

COMMIT;
PRAGMA foreign_keys = ON;
