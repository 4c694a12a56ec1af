//! Integration tests: the real server on a random port, a fresh database per test
//! (PostgreSQL or SQLite, chosen by `TEST_DATABASE`), real SMTP delivery to a local
//! maildev, and the SPA in headless Chromium.

mod activities;
mod backup;
mod browser;
mod catalogue;
mod cluster;
mod contract;
mod helpers;
mod http;
mod hygiene;
mod import;
mod inscriptions;
mod integration_feeds;
mod integration_writes;
mod integrations;
mod integrator;
mod lighthouse;
mod logs;
mod openapi;
pub(crate) mod opening;
mod operations;
mod personal_data;
mod replicas;
mod scanning;
mod schema;
mod tirage;
mod webhooks;
