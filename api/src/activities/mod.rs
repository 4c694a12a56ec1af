//! Activités et inscriptions (issue 12): what decides whether a child may be enrolled
//! (`facts`, then `shared::eligibility`) and the enrolment itself (`enrolment`), which
//! never holds more places than a période has, whatever the concurrency. A période may
//! instead give its places by *attribution équitable*: ranked `wishes`, one `draw` by the
//! pure rule of `allocation`, published (`published_draw`).

pub mod admin;
pub mod allocation;
pub mod catalogue;
pub mod draw;
pub mod eligibilities;
pub mod enrolment;
pub mod facts;
pub mod family;
pub mod lifecycle;
pub mod published_draw;
pub mod roster;
pub mod verify_draw;
pub mod wishes;
