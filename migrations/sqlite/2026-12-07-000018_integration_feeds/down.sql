-- Back to the dossiers' feed alone.
DROP TRIGGER sync_activites_insert;
DROP TRIGGER sync_activites_update;
DROP TRIGGER sync_activites_delete;
DROP TRIGGER sync_periodes_insert;
DROP TRIGGER sync_periodes_update;
DROP TRIGGER sync_periodes_delete;
DROP TRIGGER sync_demandes_insert;
DROP TRIGGER sync_demandes_update;
DROP TRIGGER sync_demandes_delete;
DROP TRIGGER sync_pieces_insert;
DROP TRIGGER sync_pieces_update;
DROP TRIGGER sync_pieces_delete;
DROP TRIGGER sync_demande_events_insert;
DROP TRIGGER sync_piece_files_insert;
DROP TRIGGER sync_piece_files_update;
DROP TRIGGER sync_piece_files_delete;
DROP TRIGGER sync_inscriptions_insert;
DROP TRIGGER sync_inscriptions_update;
DROP TRIGGER sync_inscriptions_delete;
DROP INDEX sync_changes_feed;
DROP TRIGGER sync_dossiers_insert;
DROP TRIGGER sync_dossiers_update;
DROP TRIGGER sync_dossiers_delete;
DROP TRIGGER sync_members_insert;
DROP TRIGGER sync_members_update;
DROP TRIGGER sync_members_delete;
DROP TRIGGER sync_member_links_insert;
DROP TRIGGER sync_member_links_update;
DROP TRIGGER sync_member_links_delete;
CREATE TEMPORARY TABLE sync_changes_copy AS SELECT * FROM sync_changes WHERE resource IN ('dossier', 'membre');
DROP TABLE sync_changes;
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
INSERT INTO sync_changes (seq, txid, resource, object_id, dossier_id, deleted, at)
    SELECT seq, txid, resource, object_id, dossier_id, deleted, at FROM sync_changes_copy ORDER BY seq;
DROP TABLE sync_changes_copy;

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
