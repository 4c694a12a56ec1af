-- The town's settings that administrators change without a release: its name (the header,
-- the emails' signature, the authenticator's label), its tagline, how to contact its
-- service, and the home page's welcome text. One row (id = 1), written at the first start
-- from TOWN_NAME and TOWN_TAGLINE, then owned by the back office.
CREATE TABLE town_settings (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    name TEXT NOT NULL,
    tagline TEXT NOT NULL,
    contact TEXT NOT NULL,
    welcome_text TEXT NOT NULL,
    updated_by TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    updated_at TIMESTAMP NOT NULL
);
