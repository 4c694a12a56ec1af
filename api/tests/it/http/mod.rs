//! HTTP-level tests, one module per resource.

mod account;
mod dossiers;
mod email;
mod errors;
mod login;
mod password_reset;
mod registration;
