//! The town's other software (issue 14): connected applications and their credentials
//! ([`applications`]), and what they read incrementally ([`sync`]).

pub mod applications;
pub mod sync;
