//! The background sender: takes due emails from the outbox and delivers them, with
//! exponential backoff on failure. Requests never talk to SMTP themselves, so sign-up
//! and reset answer at once even when the mail server is down (SECURITY.md L-06).

use std::sync::Arc;

use lettre::message::Mailbox;
use tokio::sync::Notify;

use super::Mailer;
use crate::db::models::outbox;
use crate::db::{DbPool, now, write_tx};

/// How many emails one pass claims.
const BATCH: i64 = 20;

/// Runs forever: a pass whenever `wake` is notified or every `poll` otherwise.
pub async fn run(
    pool: DbPool,
    mailer: Mailer,
    from: Mailbox,
    wake: Arc<Notify>,
    poll: std::time::Duration,
) {
    loop {
        match deliver_due(&pool, &mailer, &from).await {
            Ok(0) => {
                tokio::select! {
                    _ = wake.notified() => {}
                    _ = tokio::time::sleep(poll) => {}
                }
            }
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(error = ?error, "outbox pass failed; retrying later");
                tokio::time::sleep(poll).await;
            }
        }
    }
}

/// One pass: returns how many emails were claimed.
pub async fn deliver_due(pool: &DbPool, mailer: &Mailer, from: &Mailbox) -> anyhow::Result<usize> {
    let claim_pool = pool.clone();
    let claimed = actix_web::web::block(move || -> anyhow::Result<_> {
        let mut conn = claim_pool.get()?;
        Ok(write_tx(&mut conn, |c| outbox::claim_due(c, now(), BATCH))?)
    })
    .await??;
    let count = claimed.len();
    for email in claimed {
        let outcome = mailer.send(from, &email).await;
        let pool = pool.clone();
        actix_web::web::block(move || -> anyhow::Result<()> {
            let mut conn = pool.get()?;
            match outcome {
                Ok(()) => {
                    outbox::mark_sent(&mut conn, &email.id, now())?;
                }
                Err(error) => {
                    tracing::warn!(kind = %email.kind, attempts = email.attempts + 1, error = ?error, "email delivery failed");
                    outbox::mark_failed(&mut conn, &email, &format!("{error:#}"), now())?;
                }
            }
            Ok(())
        })
        .await??;
    }
    Ok(count)
}
