//! Families' rights over their data and the portal's own restraint (issue 16, RGPD;
//! SECURITY.md G-01 to G-03): how long each kind of data is kept ([`policy`]), the jobs
//! that apply it ([`retention`]), closing an account ([`closure`]), the copy of one's data
//! ([`export`]) and the notices the portal publishes ([`notices`]).

pub mod closure;
pub mod consultations;
pub mod export;
pub mod notices;
pub mod policy;
pub mod retention;
