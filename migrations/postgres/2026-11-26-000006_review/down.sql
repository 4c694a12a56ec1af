DROP TRIGGER audit_log_append_only ON audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE audit_log;
DROP TABLE counters;
ALTER TABLE pieces DROP COLUMN decided_at;
ALTER TABLE pieces DROP COLUMN decided_by;
ALTER TABLE pieces DROP COLUMN commentaire;
