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
-- or their links, written by the triggers below in the same transaction as the change, so
-- that no code path can forget it. Deletions leave a row (a tombstone).
--
-- `txid` is the writing transaction's id. Sequence numbers are taken before commit, so
-- they commit out of order; a reader only returns rows whose transaction is older than
-- every transaction still running (`pg_snapshot_xmin`), in (txid, seq) order: a row that
-- commits later always sorts after what was already returned, and a sync never skips it.
CREATE TABLE sync_changes (
    seq BIGSERIAL PRIMARY KEY,
    txid BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    resource TEXT NOT NULL CHECK (resource IN ('dossier', 'membre')),
    object_id TEXT NOT NULL,
    dossier_id TEXT NOT NULL,
    deleted BOOLEAN NOT NULL,
    at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE INDEX sync_changes_order ON sync_changes (txid, seq);

CREATE FUNCTION sync_dossier_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
            VALUES ('dossier', OLD.id, OLD.id, TRUE);
    ELSE
        INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
            VALUES ('dossier', NEW.id, NEW.id, FALSE);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER sync_dossiers AFTER INSERT OR UPDATE OR DELETE ON dossiers
    FOR EACH ROW EXECUTE FUNCTION sync_dossier_changed();

-- A member's change is its dossier's change; a removed member also leaves its tombstone.
CREATE FUNCTION sync_member_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
            VALUES ('membre', OLD.id, OLD.dossier_id, TRUE),
                   ('dossier', OLD.dossier_id, OLD.dossier_id, FALSE);
    ELSE
        INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
            VALUES ('dossier', NEW.dossier_id, NEW.dossier_id, FALSE);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER sync_members AFTER INSERT OR UPDATE OR DELETE ON members
    FOR EACH ROW EXECUTE FUNCTION sync_member_changed();

-- A link belongs to its child's dossier (none left when the child itself is removed).
CREATE FUNCTION sync_link_changed() RETURNS trigger AS $$
BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        SELECT 'dossier', m.dossier_id, m.dossier_id, FALSE FROM members m
        WHERE m.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.child_id ELSE NEW.child_id END;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER sync_member_links AFTER INSERT OR UPDATE OR DELETE ON member_links
    FOR EACH ROW EXECUTE FUNCTION sync_link_changed();

-- The dossiers that exist already: a first sync finds them all.
INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
    SELECT 'dossier', id, id, FALSE FROM dossiers ORDER BY created_at;
