//! The opening-morning scenario (issue 13), against any running portal over HTTP:
//!
//! 1. each family logs in at its own instant of the login window before the opening (a
//!    third early, most in the last third), reads « Activités » and its eligibilities
//!    (which carry the server's clock), picks a période per child, then waits on the page
//!    — re-reading the catalogue now and then, with its `ETag`;
//! 2. at the opening instant *by the server's clock* it sends one enrolment per child, one
//!    after the other as the SPA does, each with its own `Idempotency-Key`, and retries a
//!    503 after its `Retry-After` (plus jitter) or a lost connection with the same key,
//!    until an answer comes;
//!
//! Each family is a browser of its own: its own connections, kept alive between its
//! requests (so that at the opening most families send on a connection already open).
//! 3. afterwards every family reads « Mes inscriptions », and the catalogue is read once
//!    more, to check what the server acknowledged against what it holds.
//!
//! The families are those `portail-famille charge preparer` creates (usernames
//! `{prefix}00000`…, one password). [`run`] answers a [`Report`]; [`Report::problems`]
//! lists every broken correctness criterion (overbooking, an acknowledged enrolment
//! missing, an error other than 503, a place left empty while a family waits).

pub mod ceiling;
pub mod report;
mod scenario;

use std::time::Duration;

pub use report::Report;

/// What to run.
#[derive(Clone, Debug)]
pub struct Config {
    /// The portal, e.g. `http://127.0.0.1:8080`.
    pub base_url: String,
    /// Usernames' prefix and how many families (`{prefix}00000`…).
    pub prefix: String,
    pub families: usize,
    pub password: String,
    /// The activité whose périodes the families choose from (its name contains this).
    pub activity: String,
    /// How long before the opening the first family logs in.
    pub login_window: Duration,
    /// How often a waiting family re-reads the catalogue.
    pub catalogue_every: Duration,
    /// A request taking longer counts as lost (the client then retries).
    pub request_timeout: Duration,
}

/// Runs the scenario; the opening instant is read from the catalogue (the périodes'
/// `ouverture`), so the run starts `login_window` before it.
pub async fn run(config: Config) -> anyhow::Result<Report> {
    scenario::run(config).await
}
