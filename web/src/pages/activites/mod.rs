//! Activités et inscriptions (issue 12): the public catalogue (« Activités »), the
//! enrolment wizard (« Inscrire ») and « Mes inscriptions ». Their shared words are in
//! [`model`], the reasons a child cannot be enrolled in [`reasons`], and opening morning
//! (issue 13: the server's clock, countdowns, retries) in [`opening`] and [`countdown`],
//! so the pages import those rather than each other.
//!
//! *Attribution équitable* (issue 13): « Mes vœux » ([`voeux`], its model
//! [`voeux_model`] and [`ranking`]); the words every screen says of it are in
//! [`attribution`]. The public draw (`tirage.rs`) is the public pages' bundle's only: see
//! `crate::app::PublicPagesBundle`.

pub mod attribution;
pub mod by_child;
pub mod catalogue;
pub mod countdown;
mod enrol;
pub mod inscriptions;
pub mod model;
pub mod opening;
pub mod ranking;
pub mod reasons;
pub mod voeux;
mod voeux_child;
pub mod voeux_model;
mod voeux_refusal;
pub mod wizard;
