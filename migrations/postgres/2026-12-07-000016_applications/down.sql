DROP TRIGGER sync_member_links ON member_links;
DROP FUNCTION sync_link_changed();
DROP TRIGGER sync_members ON members;
DROP FUNCTION sync_member_changed();
DROP TRIGGER sync_dossiers ON dossiers;
DROP FUNCTION sync_dossier_changed();
DROP TABLE sync_changes;
DROP TABLE application_secrets;
DROP TABLE applications;
