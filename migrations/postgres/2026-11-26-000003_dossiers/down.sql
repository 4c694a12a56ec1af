DROP TABLE demande_events;
DROP TABLE demandes;
DROP TABLE member_links;
DROP TABLE members;
DROP TABLE dossier_accounts;
DROP TABLE dossiers;
