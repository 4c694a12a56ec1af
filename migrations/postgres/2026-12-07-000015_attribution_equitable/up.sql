-- Attribution équitable (issue 13): instead of a race at the opening instant, a période
-- may give its places by one draw among the wishes families ranked until its close.
--
-- A draw (`tirages`) belongs to an activité and a close instant: the équitable périodes
-- of an activité that close together are drawn together, as alternatives for a child
-- (at most one place among them). Its seed (`graine`) is written when the first période
-- joins it and published at once, so that nobody can choose it after seeing the wishes.

CREATE TABLE tirages (
    id TEXT PRIMARY KEY NOT NULL,
    activite_id TEXT NOT NULL REFERENCES activites (id) ON DELETE CASCADE,
    -- Wishes close, and the draw may run, at this instant (UTC).
    fermeture TIMESTAMP NOT NULL,
    -- 32 random bytes, hex; published with the périodes.
    graine TEXT NOT NULL,
    -- Once drawn: SHA-256(graine ":" the wishes' ids sorted and joined by ","), hex.
    graine_tirage TEXT,
    tirage_le TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (activite_id, fermeture),
    CHECK ((graine_tirage IS NULL) = (tirage_le IS NULL))
);

ALTER TABLE periodes ADD COLUMN attribution TEXT NOT NULL DEFAULT 'premier_arrive'
    CHECK (attribution IN ('premier_arrive', 'equitable'));
ALTER TABLE periodes ADD COLUMN tirage_id TEXT REFERENCES tirages (id) ON DELETE RESTRICT;
ALTER TABLE periodes ADD CONSTRAINT periodes_tirage_si_equitable
    CHECK ((attribution = 'equitable') = (tirage_id IS NOT NULL));
-- When its draw ran, copied from `tirages` by the draw's transaction: the catalogue and the
-- enrolment rule read it with the période.
ALTER TABLE periodes ADD COLUMN tirage_le TIMESTAMP;
-- The places the draw gave out (those free when it ran): published, so that the draw can
-- be re-run by anyone.
ALTER TABLE periodes ADD COLUMN tirage_places INTEGER;
CREATE INDEX periodes_tirage ON periodes (tirage_id);

-- A child's wish for a période; `id` is the wish's public number in the draw.
CREATE TABLE voeux (
    id TEXT PRIMARY KEY NOT NULL,
    tirage_id TEXT NOT NULL REFERENCES tirages (id) ON DELETE RESTRICT,
    periode_id TEXT NOT NULL REFERENCES periodes (id) ON DELETE RESTRICT,
    member_id TEXT NOT NULL REFERENCES members (id) ON DELETE RESTRICT,
    dossier_id TEXT NOT NULL REFERENCES dossiers (id) ON DELETE RESTRICT,
    demandeur_id TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    -- 1 = the child's first wish in this draw.
    rang INTEGER NOT NULL CHECK (rang BETWEEN 1 AND 10),
    -- Written by the draw: the household lived in the town, the group's lottery number,
    -- what the wish became, its waiting-list position and the order it was served in.
    resident BOOLEAN,
    tirage TEXT,
    resultat TEXT CHECK (resultat IN ('place', 'liste_attente', 'non_retenu', 'sans_objet')),
    position INTEGER,
    ordre INTEGER,
    inscription_id TEXT REFERENCES inscriptions (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (periode_id, member_id)
);
CREATE INDEX voeux_tirage ON voeux (tirage_id, member_id);
CREATE INDEX voeux_dossier ON voeux (dossier_id);
