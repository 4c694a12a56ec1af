-- Activités et inscriptions (issue 12): the town's catalogue (activités, their périodes)
-- and the children's enrolments. Same conventions as 2026-11-26-000001_accounts: text ids,
-- UTC timestamps, statuses as checked text.
--
-- Capacity is guarded by the database, not by a read-then-write: an enrolment takes a
-- place with `UPDATE periodes SET places_prises = places_prises + 1 WHERE … AND
-- places_prises < capacite`, and the CHECK below makes an overbooking impossible even for
-- a buggy caller. `dernier_rang` numbers the requests of a période in arrival order (the
-- waiting list's order).

CREATE TABLE activites (
    id TEXT PRIMARY KEY NOT NULL,
    nom TEXT NOT NULL,
    -- The Markdown subset of news and FAQ answers.
    description TEXT NOT NULL,
    categorie TEXT NOT NULL
        CHECK (categorie IN ('periscolaire', 'extrascolaire', 'sport', 'sejour', 'restauration')),
    lieu TEXT NOT NULL,
    -- Age range (inclusive), as reached on a période's first day.
    age_min INTEGER NOT NULL CHECK (age_min >= 0),
    age_max INTEGER NOT NULL CHECK (age_max <= 25),
    -- Prices as the town words them (billing comes later).
    tarifs TEXT NOT NULL,
    publiee BOOLEAN NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (age_min <= age_max)
);

-- The types de pièce an activité requires, validated and valid through a période's end.
CREATE TABLE activite_pieces (
    activite_id TEXT NOT NULL REFERENCES activites (id) ON DELETE CASCADE,
    piece_type TEXT NOT NULL REFERENCES piece_types (code),
    PRIMARY KEY (activite_id, piece_type)
);

CREATE TABLE periodes (
    id TEXT PRIMARY KEY NOT NULL,
    activite_id TEXT NOT NULL REFERENCES activites (id) ON DELETE CASCADE,
    -- « Semaine 1 : du 16 au 20 février 2026 ».
    libelle TEXT NOT NULL,
    premier_jour DATE NOT NULL,
    dernier_jour DATE NOT NULL,
    -- Days and times as the town words them (« du lundi au vendredi, de 9 h à 17 h »).
    horaires TEXT NOT NULL,
    capacite INTEGER NOT NULL CHECK (capacite >= 0),
    -- Places held: confirmed, requested (sur validation) and offered.
    places_prises INTEGER NOT NULL CHECK (places_prises >= 0),
    -- The registration window (UTC; shown in Europe/Paris), earlier for residents.
    ouverture TIMESTAMP NOT NULL,
    ouverture_residents TIMESTAMP,
    fermeture TIMESTAMP NOT NULL,
    -- Cancellation by the family until this many days before the first day.
    annulation_jours INTEGER NOT NULL CHECK (annulation_jours >= 0),
    -- How many of a family's children may hold a place (NULL: no limit).
    limite_famille INTEGER CHECK (limite_famille > 0),
    liste_attente BOOLEAN NOT NULL,
    mode_validation TEXT NOT NULL CHECK (mode_validation IN ('automatique', 'sur_validation')),
    -- A freed place is offered to the first in line for this many hours (NULL: given at once).
    offre_heures INTEGER CHECK (offre_heures > 0),
    statut TEXT NOT NULL CHECK (statut IN ('brouillon', 'publiee', 'close')),
    dernier_rang INTEGER NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (premier_jour <= dernier_jour),
    CHECK (ouverture < fermeture),
    CHECK (places_prises <= capacite)
);
CREATE INDEX periodes_activite ON periodes (activite_id, premier_jour);

CREATE TABLE inscriptions (
    id TEXT PRIMARY KEY NOT NULL,
    periode_id TEXT NOT NULL REFERENCES periodes (id) ON DELETE RESTRICT,
    member_id TEXT NOT NULL REFERENCES members (id) ON DELETE RESTRICT,
    dossier_id TEXT NOT NULL REFERENCES dossiers (id) ON DELETE RESTRICT,
    -- Who asked: a family's account, or an agent enrolling on the family's behalf.
    demandeur_id TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    par_agent BOOLEAN NOT NULL,
    statut TEXT NOT NULL CHECK (statut IN
        ('demandee', 'confirmee', 'liste_attente', 'place_proposee', 'annulee', 'refusee')),
    -- Arrival order in the période (the waiting list's order).
    rang INTEGER NOT NULL,
    -- Until when an offered place can be accepted.
    offre_expire_at TIMESTAMP,
    -- Why it was refused or cancelled by an agent.
    motif TEXT,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (periode_id, rang),
    CHECK ((statut = 'place_proposee') = (offre_expire_at IS NOT NULL))
);
-- One current enrolment per child and période: a retried or double-clicked request can
-- never enrol a child twice, whatever the code above it does.
CREATE UNIQUE INDEX inscriptions_current ON inscriptions (periode_id, member_id)
    WHERE statut NOT IN ('annulee', 'refusee');
CREATE INDEX inscriptions_dossier ON inscriptions (dossier_id, created_at);
CREATE INDEX inscriptions_waiting ON inscriptions (periode_id, statut, rang);
CREATE INDEX inscriptions_offers ON inscriptions (offre_expire_at);
