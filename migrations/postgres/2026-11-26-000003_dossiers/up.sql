-- Dossiers famille: the household, its members, parental links, the accounts linked to
-- it, and the requests (demandes) that carry it through validation with their history.
-- Same conventions as 2026-11-26-000001_accounts. Enumerations are TEXT with CHECKs.

CREATE TABLE dossiers (
    id TEXT PRIMARY KEY NOT NULL,
    -- Numéro du dossier famille, given by the town when it validates the dossier.
    numero TEXT UNIQUE,
    adresse TEXT,
    code_postal TEXT,
    commune TEXT,
    -- Optimistic locking: every change bumps it; writes must name the version they read.
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Accounts that see a dossier (both parents may each have their own); one dossier each.
CREATE TABLE dossier_accounts (
    account_id TEXT PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    dossier_id TEXT NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    linked_at TIMESTAMP NOT NULL
);
CREATE INDEX dossier_accounts_dossier ON dossier_accounts (dossier_id);

-- Drafts hold incomplete members: the fields a complete dossier needs are checked when it
-- is submitted. No religion, ethnicity, social security number or health data here.
CREATE TABLE members (
    id TEXT PRIMARY KEY NOT NULL,
    dossier_id TEXT NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('responsable', 'responsable_legal', 'conjoint', 'enfant', 'contact')),
    sexe TEXT CHECK (sexe IN ('feminin', 'masculin')),
    nom TEXT,
    nom_naissance TEXT,
    prenom TEXT,
    autres_prenoms TEXT,
    -- nom and prenom folded (lowercase, no accents) to link accounts by name.
    nom_folded TEXT NOT NULL,
    prenom_folded TEXT NOT NULL,
    a_naitre BOOLEAN NOT NULL,
    date_naissance DATE,
    date_naissance_prevue DATE,
    pays_naissance TEXT,
    commune_naissance TEXT,
    nationalite TEXT,
    situation_familiale TEXT CHECK (situation_familiale IN ('celibataire', 'marie', 'pacse', 'vie_maritale', 'separe', 'divorce', 'veuf')),
    situation_depuis DATE,
    telephone_mobile TEXT,
    telephone_fixe TEXT,
    email TEXT,
    profession TEXT,
    employeur TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX members_dossier ON members (dossier_id, position);
CREATE INDEX members_folded_names ON members (nom_folded, prenom_folded);

-- Liens de parenté: one row per (child, adult).
CREATE TABLE member_links (
    child_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    adult_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    relation TEXT NOT NULL CHECK (relation IN ('pere', 'mere', 'tuteur', 'beau_parent', 'grand_parent', 'autre')),
    autorite_parentale BOOLEAN NOT NULL,
    contact_urgence BOOLEAN NOT NULL,
    autorise_recuperer BOOLEAN NOT NULL,
    PRIMARY KEY (child_id, adult_id)
);
CREATE INDEX member_links_adult ON member_links (adult_id);

CREATE TABLE demandes (
    id TEXT PRIMARY KEY NOT NULL,
    dossier_id TEXT NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('creation_dossier')),
    status TEXT NOT NULL CHECK (status IN ('brouillon', 'en_attente_validation', 'a_completer', 'validee', 'refusee')),
    observation TEXT,
    agent_message TEXT,
    -- The dossier as submitted (JSON), what « Consulter ma demande » and agents read.
    snapshot TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    submitted_at TIMESTAMP
);
CREATE INDEX demandes_dossier ON demandes (dossier_id);

-- Every status change, when and by whom (append-only).
CREATE TABLE demande_events (
    id TEXT PRIMARY KEY NOT NULL,
    demande_id TEXT NOT NULL REFERENCES demandes (id) ON DELETE CASCADE,
    at TIMESTAMP NOT NULL,
    status TEXT NOT NULL,
    actor TEXT NOT NULL CHECK (actor IN ('famille', 'agent')),
    actor_account_id TEXT,
    message TEXT
);
CREATE INDEX demande_events_demande ON demande_events (demande_id, at);
