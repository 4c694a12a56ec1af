DROP TRIGGER audit_log_no_early_delete;
DROP TRIGGER audit_log_no_update;
DROP TABLE audit_log;
DROP TABLE counters;
ALTER TABLE pieces DROP COLUMN decided_at;
ALTER TABLE pieces DROP COLUMN decided_by;
ALTER TABLE pieces DROP COLUMN commentaire;
