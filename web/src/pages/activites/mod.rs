//! Activités et inscriptions (issue 12): the public catalogue (« Activités »), the
//! enrolment wizard (« Inscrire ») and « Mes inscriptions ». Their shared words are in
//! [`model`], the reasons a child cannot be enrolled in [`reasons`], and opening morning
//! (issue 13: the server's clock, countdowns, retries) in [`opening`] and [`countdown`],
//! so the pages import those rather than each other.

pub mod by_child;
pub mod catalogue;
pub mod countdown;
mod enrol;
pub mod inscriptions;
pub mod model;
pub mod opening;
pub mod reasons;
pub mod wizard;
