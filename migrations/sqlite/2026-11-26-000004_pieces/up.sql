-- Pièces justificatives: the town's catalogue of document types, the pieces a family
-- provides and their stored files, and the idempotency keys that make a retried upload
-- create one piece (SECURITY.md H-02). Same conventions as 2026-11-26-000001_accounts.

-- The catalogue is data: an administrator changes it without a new release.
CREATE TABLE piece_types (
    code TEXT PRIMARY KEY NOT NULL,
    libelle TEXT NOT NULL,
    cible TEXT NOT NULL CHECK (cible IN ('dossier', 'personne')),
    -- For 'personne' types, the member roles concerned, comma-separated ('' for 'dossier').
    roles TEXT NOT NULL,
    -- Accepted formats, comma-separated ('pdf', 'jpeg', 'png').
    formats TEXT NOT NULL,
    validite TEXT NOT NULL CHECK (validite IN ('aucune', 'mois', 'fin_annee_scolaire')),
    -- Months of validity from the date of issue, for validite = 'mois'.
    validite_mois INTEGER CHECK (validite_mois > 0),
    -- The piece must be issued at most this many months before it is presented.
    emis_depuis_moins_de_mois INTEGER CHECK (emis_depuis_moins_de_mois > 0),
    exigence TEXT NOT NULL CHECK (exigence IN ('toujours', 'si_separe_ou_divorce', 'facultative')),
    aide TEXT,
    position INTEGER NOT NULL,
    -- Retired types stay for the pieces already provided but are no longer offered.
    actif BOOLEAN NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((validite = 'mois') = (validite_mois IS NOT NULL))
);

INSERT INTO piece_types (code, libelle, cible, roles, formats, validite, validite_mois,
        emis_depuis_moins_de_mois, exigence, aide, position, actif, updated_at) VALUES
    ('livret_famille', 'Livret de Famille (Partie parents et enfants)', 'dossier', '', 'pdf',
        'aucune', NULL, NULL, 'toujours',
        'Les pages des parents et de chaque enfant.', 1, TRUE, '2026-11-26 00:00:00'),
    ('justificatif_domicile', 'Justificatif de Domicile de moins de 3 mois', 'dossier', '', 'pdf',
        'mois', 3, 3, 'toujours',
        'Facture d''électricité, de gaz, d''eau, de téléphone fixe ou quittance de loyer.',
        2, TRUE, '2026-11-26 00:00:00'),
    ('jugement_residence', 'Jugement fixant la résidence des enfants', 'dossier', '', 'pdf',
        'aucune', NULL, NULL, 'si_separe_ou_divorce',
        'Demandé lorsqu''un responsable est séparé ou divorcé.', 3, TRUE, '2026-11-26 00:00:00'),
    ('attestation_caf', 'Attestation CAF (quotient familial)', 'dossier', '', 'pdf',
        'fin_annee_scolaire', NULL, 3, 'facultative',
        'Permet d''appliquer le tarif correspondant à votre quotient familial.',
        4, TRUE, '2026-11-26 00:00:00'),
    ('avis_imposition', 'Avis d''imposition', 'dossier', '', 'pdf',
        'mois', 12, NULL, 'facultative',
        'Le dernier avis reçu, à défaut d''attestation CAF.', 5, TRUE, '2026-11-26 00:00:00'),
    ('carnet_vaccinations', 'Carnet de vaccinations', 'personne', 'enfant', 'pdf,jpeg,png',
        'aucune', NULL, NULL, 'facultative',
        'Les pages des vaccinations de l''enfant (une photo lisible convient).',
        6, TRUE, '2026-11-26 00:00:00'),
    ('attestation_assurance', 'Attestation d''assurance (responsabilité civile et individuelle accident)',
        'personne', 'enfant', 'pdf',
        'fin_annee_scolaire', NULL, NULL, 'facultative',
        'Pour les activités périscolaires et extrascolaires.', 7, TRUE, '2026-11-26 00:00:00');

CREATE TABLE pieces (
    id TEXT PRIMARY KEY NOT NULL,
    dossier_id TEXT NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
    type_code TEXT NOT NULL REFERENCES piece_types (code),
    -- NULL: « Lié à : Dossier ».
    member_id TEXT REFERENCES members (id) ON DELETE CASCADE,
    -- « non fournie » and « expirée » are computed, never stored.
    status TEXT NOT NULL CHECK (status IN ('en_attente_validation', 'validee', 'refusee')),
    motif_refus TEXT,
    presente_le DATE NOT NULL,
    emis_le DATE NOT NULL,
    fin_validite DATE,
    created_by TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX pieces_dossier ON pieces (dossier_id);
CREATE INDEX pieces_member ON pieces (member_id);

-- One row per stored object. The object is named `pieces/<id>` in the store: the family's
-- file name is display metadata only (SECURITY.md E-04). A row is written only after its
-- object, in the same transaction as its piece (H-05); objects without a row are orphans
-- that the purge job removes.
CREATE TABLE piece_files (
    id TEXT PRIMARY KEY NOT NULL,
    piece_id TEXT NOT NULL REFERENCES pieces (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    display_name TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('pdf', 'jpeg', 'png')),
    size_bytes BIGINT NOT NULL CHECK (size_bytes > 0),
    sha256 TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX piece_files_piece ON piece_files (piece_id, position);

-- A key is taken when a request starts (response_status NULL: in progress) and holds the
-- response once it succeeded, for replays; failed requests release it. Kept 24 hours.
CREATE TABLE idempotency_keys (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    idem_key TEXT NOT NULL,
    fingerprint TEXT,
    response_status INTEGER,
    response_body TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (account_id, idem_key)
);
