DROP TABLE rattachements;
DELETE FROM demandes WHERE kind = 'rattachement_dossier';
ALTER TABLE demandes DROP CONSTRAINT demandes_kind_check;
ALTER TABLE demandes ADD CONSTRAINT demandes_kind_check CHECK (kind IN ('creation_dossier'));
ALTER TABLE dossiers DROP COLUMN contact_email;
