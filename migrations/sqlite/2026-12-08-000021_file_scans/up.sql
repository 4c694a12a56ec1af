-- What ClamAV said of each stored file — pièces' files and the town's public documents —
-- when a scanner is configured (CLAMD_ADDRESS; issue 16, SECURITY.md E-07, L-09). A file
-- with no row has not been scanned yet: while a scanner is configured, it is served to
-- nobody (failing closed), and the scanning job gives it a row.
CREATE TABLE file_scans (
    -- `piece_files.id` or `documents.id` (uuids, so never both).
    object_id TEXT PRIMARY KEY,
    shelf TEXT NOT NULL CHECK (shelf IN ('pieces', 'documents')),
    -- `scanning`: leased by a server until `next_attempt_at`; `failed`: the scanner did
    -- not answer, tried again from `next_attempt_at`; `clean`; `infected`: quarantined,
    -- never served.
    state TEXT NOT NULL CHECK (state IN ('scanning', 'failed', 'clean', 'infected')),
    -- The signature ClamAV found (`infected` only).
    signature TEXT,
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TIMESTAMP NOT NULL,
    scanned_at TIMESTAMP
);
-- The job looks for leases run out and failures due again.
CREATE INDEX file_scans_due ON file_scans (state, next_attempt_at);
