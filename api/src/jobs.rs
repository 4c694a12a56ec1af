//! Periodic housekeeping: retention of the connection log (6 months by default, CNIL),
//! removal of accounts never activated after 30 days, spent tokens, ended sessions and
//! delivered emails.

use std::time::Duration;

use crate::db::models::{account, action_token, connection_log, outbox, session};
use crate::db::{DbPool, now};

/// Accounts still waiting for activation after this many days are deleted.
pub const UNACTIVATED_DAYS: i64 = 30;

/// What one purge removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub connection_logs: usize,
    pub unactivated_accounts: usize,
    pub action_tokens: usize,
    pub sessions: usize,
    pub emails: usize,
}

/// Deletes what is past its retention, as of `at`.
pub fn purge(
    pool: &DbPool,
    retention_days: u32,
    at: chrono::NaiveDateTime,
) -> anyhow::Result<Purged> {
    let mut conn = pool.get()?;
    let week_ago = at - chrono::Duration::days(7);
    Ok(Purged {
        connection_logs: connection_log::purge(
            &mut conn,
            at - chrono::Duration::days(i64::from(retention_days)),
        )?,
        unactivated_accounts: account::purge_unactivated(
            &mut conn,
            at - chrono::Duration::days(UNACTIVATED_DAYS),
        )?,
        action_tokens: action_token::purge(&mut conn, week_ago)?,
        sessions: session::purge(&mut conn, week_ago)?,
        emails: outbox::purge(&mut conn, at - chrono::Duration::days(30))?,
    })
}

/// Runs [`purge`] now and then every hour.
pub async fn run(pool: DbPool, retention_days: u32) {
    let mut interval = tokio::time::interval(Duration::from_secs(3600));
    loop {
        interval.tick().await;
        let pool = pool.clone();
        match actix_web::web::block(move || purge(&pool, retention_days, now())).await {
            Ok(Ok(purged)) => tracing::info!(?purged, "retention purge done"),
            Ok(Err(error)) => tracing::warn!(error = ?error, "retention purge failed"),
            Err(error) => tracing::warn!(%error, "retention purge task failed"),
        }
    }
}
