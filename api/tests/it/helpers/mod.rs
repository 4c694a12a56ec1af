//! Test harness: `spawn_app` and the typed helpers tests use. Helpers go through the
//! public HTTP API only, except where a test must look at or change what no API exposes
//! yet (the database rows themselves, the clock).

pub mod clamd;
pub mod files;
pub mod garage;
pub mod mail;
pub mod private_postgres;
pub mod process;
pub mod proxy;
pub mod receiver;
pub mod relay;
pub mod spawn;
pub mod test_db;

pub use spawn::{spawn_app, spawn_app_with};

/// An answer's body without the problem document's `request_id`, which every request has
/// its own of: what two answers that must look alike (a missing id and another family's,
/// an unknown account and a wrong password) must share, byte for byte.
pub fn but_request_id(body: &str) -> String {
    // The member is the document's last: what precedes it is left as it was sent.
    match body.rfind(",\"request_id\":\"") {
        Some(at) if body.ends_with("\"}") => format!("{}}}", &body[..at]),
        _ => body.to_string(),
    }
}

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

/// Whether the tests run as root (read from `/proc`: no `libc` in the tests for one
/// number): root may mount a small disk, and must start PostgreSQL as `postgres`.
pub fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("Uid:"))
                .and_then(|ids| ids.split_whitespace().nth(1).map(|uid| uid == "0"))
        })
        .unwrap_or(false)
}
