-- The town's public documents (règlements, menus, tarifs): a PDF each, uploaded by staff
-- through the same checks as the families' pieces, downloadable by anyone. The id is also
-- the stored object's name, `documents/<id>`.
CREATE TABLE documents (
    id TEXT PRIMARY KEY NOT NULL,
    titre TEXT NOT NULL,
    categorie TEXT NOT NULL,
    display_name TEXT NOT NULL,
    size_bytes BIGINT NOT NULL CHECK (size_bytes > 0),
    sha256 TEXT NOT NULL,
    created_by TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX documents_order ON documents (categorie, created_at);
