-- Town staff (agents and administrators) sign in with the same accounts as families, with
-- a role and a TOTP second factor (SECURITY.md A-13, C-03). Families keep role 'famille'.
ALTER TABLE accounts ADD COLUMN role TEXT NOT NULL DEFAULT 'famille'
    CHECK (role IN ('famille', 'agent', 'administrateur'));
-- Base32 TOTP secret: set at enrolment, in use once `totp_enabled_at` is set.
ALTER TABLE accounts ADD COLUMN totp_secret TEXT;
ALTER TABLE accounts ADD COLUMN totp_enabled_at TIMESTAMP;
-- The last accepted time step: a code is never accepted twice (RFC 6238 §5.2).
ALTER TABLE accounts ADD COLUMN totp_last_step BIGINT;
