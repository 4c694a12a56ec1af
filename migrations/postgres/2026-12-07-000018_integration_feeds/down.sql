DROP TRIGGER sync_periodes ON periodes;
DROP FUNCTION sync_periode_changed();
DROP TRIGGER sync_activites ON activites;
DROP FUNCTION sync_activite_changed();
DROP TRIGGER sync_inscriptions ON inscriptions;
DROP FUNCTION sync_inscription_changed();
DROP TRIGGER sync_piece_files ON piece_files;
DROP FUNCTION sync_piece_file_changed();
DROP TRIGGER sync_pieces ON pieces;
DROP FUNCTION sync_piece_changed();
DROP TRIGGER sync_demande_events ON demande_events;
DROP FUNCTION sync_demande_event_added();
DROP TRIGGER sync_demandes ON demandes;
DROP FUNCTION sync_demande_changed();
DROP INDEX sync_changes_feed;
DELETE FROM sync_changes WHERE resource IN ('demande', 'piece', 'inscription', 'activite');
ALTER TABLE sync_changes DROP CONSTRAINT sync_changes_resource_check;
ALTER TABLE sync_changes ADD CONSTRAINT sync_changes_resource_check
    CHECK (resource IN ('dossier', 'membre'));
