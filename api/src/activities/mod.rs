//! Activités et inscriptions (issue 12): what decides whether a child may be enrolled
//! (`facts`, then `shared::eligibility`) and the enrolment itself (`enrolment`), which
//! never holds more places than a période has, whatever the concurrency.

pub mod admin;
pub mod allocation;
pub mod catalogue;
pub mod eligibilities;
pub mod enrolment;
pub mod facts;
pub mod family;
pub mod lifecycle;
pub mod roster;
