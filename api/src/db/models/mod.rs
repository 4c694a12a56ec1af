//! One module per table: the row types and the queries on them, returning `QueryResult`.

pub mod account;
pub mod action_token;
pub mod activite;
pub mod application;
pub mod audit;
pub mod cgu;
pub mod connection_log;
pub mod content;
pub mod demande;
pub mod dossier;
pub mod idempotency;
pub mod inscription;
pub mod member;
pub mod outbox;
pub mod periode;
pub mod piece;
pub mod piece_type;
pub mod public_document;
pub mod rattachement;
pub mod session;
pub mod sync_change;
pub mod tirage;
pub mod town;
pub mod voeu;
pub mod webhook;
