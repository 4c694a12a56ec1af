//! The contract between the Portail Famille API and its browser client.
//!
//! Everything here compiles both natively (with the `server` feature, which adds the
//! OpenAPI derives) and to WASM, so the SPA and the server apply the very same input
//! rules and speak the very same error codes.

pub mod api;
pub mod eligibility;
pub mod error;
pub mod markdown;
pub mod paris;
pub mod pieces;
pub mod routes;
pub mod submission;
pub mod validation;
pub mod wizards;
