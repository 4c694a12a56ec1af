//! One module per table: the row types and the queries on them, returning `QueryResult`.

pub mod account;
pub mod action_token;
pub mod cgu;
pub mod connection_log;
pub mod dossier_reference;
pub mod outbox;
pub mod session;
