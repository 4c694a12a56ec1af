//! Activités et inscriptions (issue 12): the public catalogue (« Activités »), the
//! enrolment wizard (« Inscrire ») and « Mes inscriptions ». Their shared words are in
//! [`model`] and the reasons a child cannot be enrolled in [`reasons`], so the pages import
//! those rather than each other.

pub mod catalogue;
mod enrol;
pub mod inscriptions;
pub mod model;
pub mod reasons;
pub mod wizard;
