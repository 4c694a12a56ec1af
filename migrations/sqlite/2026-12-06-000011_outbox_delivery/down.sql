DROP INDEX outbox_emails_erase;
DROP INDEX outbox_emails_account;
ALTER TABLE outbox_emails DROP COLUMN failed_at;
ALTER TABLE outbox_emails DROP COLUMN erase_after;
ALTER TABLE outbox_emails DROP COLUMN account_id;
