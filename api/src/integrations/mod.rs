//! The town's other software (issue 14): connected applications and their credentials
//! ([`applications`]), what they read incrementally ([`sync`], [`feeds`]), their quotas
//! ([`rate_limit`]), and the events pushed to them: [`subscriptions`], signed
//! [`webhooks`] and their [`deliveries`].

pub mod actions;
pub mod applications;
pub mod catalogue;
pub mod deliveries;
pub mod feeds;
pub mod preconditions;
pub mod rate_limit;
pub mod subscriptions;
pub mod sync;
pub mod webhooks;

/// A stored id (TEXT holding a UUID) as the API shows it; a malformed one is a 500.
pub(crate) fn stored_id(id: &str) -> Result<uuid::Uuid, crate::error::ApiError> {
    Ok(uuid::Uuid::parse_str(id).map_err(anyhow::Error::from)?)
}

/// Field codes only integrators meet (the SPA never sends these fields, so they are not
/// part of its shared vocabulary).
pub mod codes {
    /// A sync cursor the server did not write (keep `next_cursor` as it was given).
    pub const INVALID_CURSOR: &str = "invalid_cursor";
    /// A webhook address that is not `https://` (or not an address).
    pub const INVALID_URL: &str = "invalid_url";
}
