//! Test harness: `spawn_app` and the typed helpers tests use. Helpers go through the
//! public HTTP API only, except where a test must look at or change what no API exposes
//! yet (the database rows themselves, the clock).

pub mod files;
pub mod garage;
pub mod mail;
pub mod relay;
pub mod spawn;
pub mod test_db;

pub use spawn::{spawn_app, spawn_app_with};

/// A strong password accepted by the policy.
pub const PASSWORD: &str = "cheval agrafe pile été 🌻";

/// A unique suffix for usernames and addresses, so tests sharing the SMTP server never
/// read each other's mail.
pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    )
}
