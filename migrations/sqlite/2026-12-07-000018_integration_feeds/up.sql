-- Integrators read requests (with their history), pieces, inscriptions and the catalogue
-- incrementally, as they read dossiers (migration 000016): the same change feed, written
-- by triggers in the changing transaction. Each kind is its own feed (`resource`); a
-- deleted row leaves a tombstone. The catalogue's rows belong to no dossier: their
-- `dossier_id` is empty. SQLite cannot change a CHECK constraint: the table is rebuilt
-- with its rows and its sequence numbers, and the triggers that write it are created
-- again.

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
    resource TEXT NOT NULL CHECK (resource IN ('dossier', 'membre', 'demande', 'piece', 'inscription', 'activite')),
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

-- One feed's page reads only its own rows.
CREATE INDEX sync_changes_feed ON sync_changes (resource, txid, seq);

-- A request changes with its row and with each step of its history.
CREATE TRIGGER sync_demandes_insert AFTER INSERT ON demandes BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        VALUES ('demande', NEW.id, NEW.dossier_id, 0);
END;
CREATE TRIGGER sync_demandes_update AFTER UPDATE ON demandes BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        VALUES ('demande', NEW.id, NEW.dossier_id, 0);
END;
CREATE TRIGGER sync_demandes_delete AFTER DELETE ON demandes BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        VALUES ('demande', OLD.id, OLD.dossier_id, 1);
END;
CREATE TRIGGER sync_demande_events_insert AFTER INSERT ON demande_events BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        SELECT 'demande', id, dossier_id, 0 FROM demandes WHERE id = NEW.demande_id;
END;

-- A piece changes with its row and with its files.
CREATE TRIGGER sync_pieces_insert AFTER INSERT ON pieces BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        VALUES ('piece', NEW.id, NEW.dossier_id, 0);
END;
CREATE TRIGGER sync_pieces_update AFTER UPDATE ON pieces BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        VALUES ('piece', NEW.id, NEW.dossier_id, 0);
END;
CREATE TRIGGER sync_pieces_delete AFTER DELETE ON pieces BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        VALUES ('piece', OLD.id, OLD.dossier_id, 1);
END;
CREATE TRIGGER sync_piece_files_insert AFTER INSERT ON piece_files BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        SELECT 'piece', id, dossier_id, 0 FROM pieces WHERE id = NEW.piece_id;
END;
CREATE TRIGGER sync_piece_files_update AFTER UPDATE ON piece_files BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        SELECT 'piece', id, dossier_id, 0 FROM pieces WHERE id = NEW.piece_id;
END;
CREATE TRIGGER sync_piece_files_delete AFTER DELETE ON piece_files BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        SELECT 'piece', id, dossier_id, 0 FROM pieces WHERE id = OLD.piece_id;
END;

CREATE TRIGGER sync_inscriptions_insert AFTER INSERT ON inscriptions BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        VALUES ('inscription', NEW.id, NEW.dossier_id, 0);
END;
CREATE TRIGGER sync_inscriptions_update AFTER UPDATE ON inscriptions BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        VALUES ('inscription', NEW.id, NEW.dossier_id, 0);
END;
CREATE TRIGGER sync_inscriptions_delete AFTER DELETE ON inscriptions BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        VALUES ('inscription', OLD.id, OLD.dossier_id, 1);
END;

CREATE TRIGGER sync_activites_insert AFTER INSERT ON activites BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        VALUES ('activite', NEW.id, '', 0);
END;
CREATE TRIGGER sync_activites_update AFTER UPDATE ON activites BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        VALUES ('activite', NEW.id, '', 0);
END;
CREATE TRIGGER sync_activites_delete AFTER DELETE ON activites BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        VALUES ('activite', OLD.id, '', 1);
END;

-- A période is part of its activité. Its counters (places taken, ranks) change with every
-- enrolment: they are not changes of the catalogue (the feed would double the opening
-- morning's writes), and the activité read from the feed carries them as they are.
CREATE TRIGGER sync_periodes_insert AFTER INSERT ON periodes BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        VALUES ('activite', NEW.activite_id, '', 0);
END;
CREATE TRIGGER sync_periodes_update AFTER UPDATE OF
        activite_id, libelle, premier_jour, dernier_jour, horaires, capacite, ouverture,
        ouverture_residents, fermeture, annulation_jours, limite_famille, liste_attente,
        mode_validation, offre_heures, statut, attribution, tirage_id, tirage_le, tirage_places
    ON periodes BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        VALUES ('activite', NEW.activite_id, '', 0);
END;
CREATE TRIGGER sync_periodes_delete AFTER DELETE ON periodes BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        VALUES ('activite', OLD.activite_id, '', 0);
END;

-- What exists already: a first sync finds it all.
INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
    SELECT 'demande', id, dossier_id, 0 FROM demandes ORDER BY created_at;
INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
    SELECT 'piece', id, dossier_id, 0 FROM pieces ORDER BY created_at;
INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
    SELECT 'inscription', id, dossier_id, 0 FROM inscriptions ORDER BY created_at;
INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
    SELECT 'activite', id, '', 0 FROM activites ORDER BY created_at;
