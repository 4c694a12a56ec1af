//! Portail Famille API: accounts, dossiers famille, pièces justificatives, back office.
//!
//! `startup` wires everything; `routes` holds thin handlers that call `domain` rules and
//! `db::models` queries; `auth` and `email` are the cross-cutting pieces.

pub mod activities;
pub mod admission;
pub mod auth;
pub mod catalogue;
pub mod clock;
pub mod compression;
pub mod config;
pub mod db;
pub mod decisions;
pub mod demo;
pub mod documents;
pub mod domain;
pub mod dossier_views;
pub mod email;
pub mod enum_text;
pub mod error;
pub mod extract;
pub mod first_screen;
pub mod import;
pub mod integrations;
pub mod jobs;
pub mod limits;
pub mod load_seed;
pub mod methods;
pub mod monitoring;
pub mod openapi;
pub mod privacy;
pub mod queue;
pub mod rattachement;
pub mod request_id;
pub mod routes;
pub mod security;
pub mod snapshot;
pub mod spa;
pub mod staff;
pub mod startup;
pub mod state;
pub mod telemetry;
