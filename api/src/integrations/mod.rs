//! The town's other software (issue 14): connected applications and their credentials
//! ([`applications`]), what they read incrementally ([`sync`]), their quotas
//! ([`rate_limit`]), and the events pushed to them: [`subscriptions`], signed
//! [`webhooks`] and their [`deliveries`].

pub mod applications;
pub mod deliveries;
pub mod rate_limit;
pub mod subscriptions;
pub mod sync;
pub mod webhooks;
