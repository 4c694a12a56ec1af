//! HTTP-level tests, one module per resource.

mod account;
mod content;
mod delivery;
pub(crate) mod dossiers;
mod email;
mod errors;
mod faults;
mod login;
mod password_reset;
pub(crate) mod pieces;
mod rattachement;
mod registration;
pub(crate) mod review;
pub(crate) mod staff;
mod upload_faults;
