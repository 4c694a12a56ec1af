-- Emails are never given up in silence (SECURITY.md L-07): retried for a day or more,
-- then marked failed — which administrators see in the back office and the family in
-- « Mon compte » —, and a body holding a one-time link is erased when the link expires,
-- sent or not.

-- The account the message was written to (for « Mon compte » > « E-mails envoyés »),
-- resolved from the address when the message was queued.
ALTER TABLE outbox_emails ADD COLUMN account_id TEXT REFERENCES accounts (id) ON DELETE SET NULL;
-- When the message's one-time link expires: its bodies are erased then.
ALTER TABLE outbox_emails ADD COLUMN erase_after TIMESTAMP;
-- When delivery was given up.
ALTER TABLE outbox_emails ADD COLUMN failed_at TIMESTAMP;

CREATE INDEX outbox_emails_account ON outbox_emails (account_id, created_at);
CREATE INDEX outbox_emails_erase ON outbox_emails (erase_after);
