ALTER TABLE town_settings DROP COLUMN dpo_contact;
ALTER TABLE outbox_emails DROP COLUMN attachment;
ALTER TABLE outbox_emails DROP COLUMN attachment_name;
DROP TABLE data_exports;
ALTER TABLE pieces DROP COLUMN files_erased_at;
ALTER TABLE demandes DROP COLUMN draft_warned_at;
ALTER TABLE accounts DROP COLUMN inactivity_warned_at;
ALTER TABLE accounts DROP COLUMN last_seen_at;
