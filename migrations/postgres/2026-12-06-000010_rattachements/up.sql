-- Rattachement: an account joins an existing dossier only with proof of control
-- (SECURITY.md A-15). Knowing a dossier number and a member's name is not enough: the
-- account types a single-use code sent to the dossier's address on record, or an agent
-- validates a « demande de rattachement à un dossier ».

-- The dossier's address on record for rattachement codes: from the town's import, set by
-- an agent, or the creating account's address when the town validates a new household.
ALTER TABLE dossiers ADD COLUMN contact_email TEXT;

ALTER TABLE demandes DROP CONSTRAINT demandes_kind_check;
ALTER TABLE demandes ADD CONSTRAINT demandes_kind_check
    CHECK (kind IN ('creation_dossier', 'rattachement_dossier'));

-- One rattachement per account (a new attempt replaces a refused one). Until it is
-- `rattache`, the account sees nothing of the dossier: only `dossier_accounts` gives access.
CREATE TABLE rattachements (
    id TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL UNIQUE REFERENCES accounts (id) ON DELETE CASCADE,
    dossier_id TEXT NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    -- What the family typed at « Mes références dossier », shown to the agent.
    numero TEXT NOT NULL,
    nom TEXT NOT NULL,
    prenom TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('code', 'validation')),
    status TEXT NOT NULL CHECK (status IN ('en_attente', 'rattache', 'refuse')),
    -- The current code, keyed-hashed (never stored in clear), its deadline and wrong tries.
    code_hash TEXT,
    code_expires_at TIMESTAMP,
    code_attempts INTEGER NOT NULL,
    -- Codes sent so far, and when the last one left (resends are limited).
    codes_sent INTEGER NOT NULL,
    code_sent_at TIMESTAMP,
    -- The agents' request, on the validation path.
    demande_id TEXT REFERENCES demandes (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX rattachements_dossier ON rattachements (dossier_id);
CREATE INDEX rattachements_demande ON rattachements (demande_id);
