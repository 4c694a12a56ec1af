-- Connected applications (issue 14): the town's other software reads and writes through
-- the integration API with OAuth 2.0 client credentials, each application with its own
-- scopes, and follows the dossiers' changes incrementally.

CREATE TABLE applications (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    contact_email TEXT NOT NULL,
    -- Space-separated, as OAuth writes them (RFC 6749 §3.3); checked by the server.
    scopes TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    -- The administrator who created it.
    created_by TEXT NOT NULL,
    -- Once revoked, its tokens are refused at their next use; never un-revoked.
    revoked_at TIMESTAMP,
    last_used_at TIMESTAMP,
    request_count BIGINT NOT NULL DEFAULT 0 CHECK (request_count >= 0)
);

-- An application's secrets: 256 random bits each, so a plain SHA-256 is enough to store
-- them (SECURITY.md, secrets of 112 bits or more). Two are valid while a rotation's
-- overlap lasts: the old one has `expires_at` set.
CREATE TABLE application_secrets (
    id TEXT PRIMARY KEY NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    secret_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP
);
CREATE INDEX application_secrets_application ON application_secrets (application_id);

-- The change feed an incremental sync reads: one row per change to a dossier, its members
-- or their links, written by the triggers below in the same transaction as the change.
-- Deletions leave a row (a tombstone). SQLite has one writer at a time, so sequence
-- numbers commit in order and `txid` stays 0 (PostgreSQL needs it: see its migration).
CREATE TABLE sync_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    txid BIGINT NOT NULL DEFAULT 0,
    resource TEXT NOT NULL CHECK (resource IN ('dossier', 'membre')),
    object_id TEXT NOT NULL,
    dossier_id TEXT NOT NULL,
    deleted BOOLEAN NOT NULL,
    at TIMESTAMP NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE INDEX sync_changes_order ON sync_changes (txid, seq);

CREATE TRIGGER sync_dossiers_insert AFTER INSERT ON dossiers BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        VALUES ('dossier', NEW.id, NEW.id, 0);
END;
CREATE TRIGGER sync_dossiers_update AFTER UPDATE ON dossiers BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        VALUES ('dossier', NEW.id, NEW.id, 0);
END;
CREATE TRIGGER sync_dossiers_delete AFTER DELETE ON dossiers BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        VALUES ('dossier', OLD.id, OLD.id, 1);
END;

-- A member's change is its dossier's change; a removed member also leaves its tombstone.
CREATE TRIGGER sync_members_insert AFTER INSERT ON members BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        VALUES ('dossier', NEW.dossier_id, NEW.dossier_id, 0);
END;
CREATE TRIGGER sync_members_update AFTER UPDATE ON members BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        VALUES ('dossier', NEW.dossier_id, NEW.dossier_id, 0);
END;
CREATE TRIGGER sync_members_delete AFTER DELETE ON members BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        VALUES ('membre', OLD.id, OLD.dossier_id, 1),
               ('dossier', OLD.dossier_id, OLD.dossier_id, 0);
END;

-- A link belongs to its child's dossier (none left when the child itself is removed).
CREATE TRIGGER sync_member_links_insert AFTER INSERT ON member_links BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        SELECT 'dossier', dossier_id, dossier_id, 0 FROM members WHERE id = NEW.child_id;
END;
CREATE TRIGGER sync_member_links_update AFTER UPDATE ON member_links BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        SELECT 'dossier', dossier_id, dossier_id, 0 FROM members WHERE id = NEW.child_id;
END;
CREATE TRIGGER sync_member_links_delete AFTER DELETE ON member_links BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        SELECT 'dossier', dossier_id, dossier_id, 0 FROM members WHERE id = OLD.child_id;
END;

-- The dossiers that exist already: a first sync finds them all.
INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
    SELECT 'dossier', id, id, 0 FROM dossiers ORDER BY created_at;
