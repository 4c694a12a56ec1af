-- What the town publishes on the public pages: actualités (news, possibly scheduled and
-- « à la une ») and the FAQ. Bodies are plain text with a small safe Markdown subset,
-- rendered by the SPA without raw HTML.
CREATE TABLE actualites (
    id TEXT PRIMARY KEY NOT NULL,
    titre TEXT NOT NULL,
    corps TEXT NOT NULL,
    -- Shown from this time on (a future date schedules it).
    publie_le TIMESTAMP NOT NULL,
    a_la_une BOOLEAN NOT NULL,
    created_by TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX actualites_publie_le ON actualites (publie_le);

CREATE TABLE faq (
    id TEXT PRIMARY KEY NOT NULL,
    question TEXT NOT NULL,
    reponse TEXT NOT NULL,
    categorie TEXT NOT NULL,
    position INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX faq_order ON faq (categorie, position);
