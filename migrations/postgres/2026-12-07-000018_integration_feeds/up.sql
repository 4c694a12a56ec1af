-- Integrators read requests (with their history), pieces, inscriptions and the catalogue
-- incrementally, as they read dossiers (migration 000016): the same change feed, written
-- by triggers in the changing transaction, read in (txid, seq) order below the horizon.
-- Each kind is its own feed (`resource`); a deleted row leaves a tombstone. The
-- catalogue's rows belong to no dossier: their `dossier_id` is empty.

ALTER TABLE sync_changes DROP CONSTRAINT sync_changes_resource_check;
ALTER TABLE sync_changes ADD CONSTRAINT sync_changes_resource_check
    CHECK (resource IN ('dossier', 'membre', 'demande', 'piece', 'inscription', 'activite'));
-- One feed's page reads only its own rows (on opening morning the inscriptions' rows far
-- outnumber the others).
CREATE INDEX sync_changes_feed ON sync_changes (resource, txid, seq);

-- A request changes with its row and with each step of its history.
CREATE FUNCTION sync_demande_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
            VALUES ('demande', OLD.id, OLD.dossier_id, TRUE);
    ELSE
        INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
            VALUES ('demande', NEW.id, NEW.dossier_id, FALSE);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER sync_demandes AFTER INSERT OR UPDATE OR DELETE ON demandes
    FOR EACH ROW EXECUTE FUNCTION sync_demande_changed();

CREATE FUNCTION sync_demande_event_added() RETURNS trigger AS $$
BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        SELECT 'demande', d.id, d.dossier_id, FALSE FROM demandes d WHERE d.id = NEW.demande_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER sync_demande_events AFTER INSERT ON demande_events
    FOR EACH ROW EXECUTE FUNCTION sync_demande_event_added();

-- A piece changes with its row and with its files.
CREATE FUNCTION sync_piece_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
            VALUES ('piece', OLD.id, OLD.dossier_id, TRUE);
    ELSE
        INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
            VALUES ('piece', NEW.id, NEW.dossier_id, FALSE);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER sync_pieces AFTER INSERT OR UPDATE OR DELETE ON pieces
    FOR EACH ROW EXECUTE FUNCTION sync_piece_changed();

CREATE FUNCTION sync_piece_file_changed() RETURNS trigger AS $$
BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        SELECT 'piece', p.id, p.dossier_id, FALSE FROM pieces p
        WHERE p.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.piece_id ELSE NEW.piece_id END;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER sync_piece_files AFTER INSERT OR UPDATE OR DELETE ON piece_files
    FOR EACH ROW EXECUTE FUNCTION sync_piece_file_changed();

CREATE FUNCTION sync_inscription_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
            VALUES ('inscription', OLD.id, OLD.dossier_id, TRUE);
    ELSE
        INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
            VALUES ('inscription', NEW.id, NEW.dossier_id, FALSE);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER sync_inscriptions AFTER INSERT OR UPDATE OR DELETE ON inscriptions
    FOR EACH ROW EXECUTE FUNCTION sync_inscription_changed();

CREATE FUNCTION sync_activite_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
            VALUES ('activite', OLD.id, '', TRUE);
    ELSE
        INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
            VALUES ('activite', NEW.id, '', FALSE);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER sync_activites AFTER INSERT OR UPDATE OR DELETE ON activites
    FOR EACH ROW EXECUTE FUNCTION sync_activite_changed();

-- A période is part of its activité. Its counters (places taken, ranks) change with every
-- enrolment: they are not changes of the catalogue (the feed would double the opening
-- morning's writes), and the activité read from the feed carries them as they are.
CREATE FUNCTION sync_periode_changed() RETURNS trigger AS $$
BEGIN
    INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
        VALUES ('activite',
                CASE WHEN TG_OP = 'DELETE' THEN OLD.activite_id ELSE NEW.activite_id END,
                '', FALSE);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER sync_periodes AFTER INSERT OR DELETE OR UPDATE OF
        activite_id, libelle, premier_jour, dernier_jour, horaires, capacite, ouverture,
        ouverture_residents, fermeture, annulation_jours, limite_famille, liste_attente,
        mode_validation, offre_heures, statut, attribution, tirage_id, tirage_le, tirage_places
    ON periodes FOR EACH ROW EXECUTE FUNCTION sync_periode_changed();

-- What exists already: a first sync finds it all.
INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
    SELECT 'demande', id, dossier_id, FALSE FROM demandes ORDER BY created_at;
INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
    SELECT 'piece', id, dossier_id, FALSE FROM pieces ORDER BY created_at;
INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
    SELECT 'inscription', id, dossier_id, FALSE FROM inscriptions ORDER BY created_at;
INSERT INTO sync_changes (resource, object_id, dossier_id, deleted)
    SELECT 'activite', id, '', FALSE FROM activites ORDER BY created_at;
