//! Request and response bodies of the REST API, one module per resource.

pub mod account;
pub mod activites;
pub mod auth;
pub mod backoffice;
pub mod content;
pub mod dossier;
pub mod integration;
pub mod pieces;
pub mod privacy;
pub mod rattachement;
pub mod registration;
pub mod voeux;
