//! The background sender: takes due emails from the outbox and delivers them, retrying
//! with capped backoff (at most an hour apart) for `EMAIL_RETRY_HOURS` (48 h by default)
//! before giving up — and a message given up is never silent: an error log line
//! (`alert=email_failed`), the administrators' banner, the family's « Mon compte ».
//! Requests never talk to SMTP themselves, so sign-up and reset answer at once even when
//! the mail server is down (SECURITY.md L-06, L-07). Leases and due times are read on the
//! database's clock, so several servers agree.

use std::sync::Arc;

use lettre::message::Mailbox;
use tokio::sync::Notify;

use super::Mailer;
use crate::clock::Clock;
use crate::db::models::outbox;
use crate::db::{DbPool, write_tx};

/// How many emails one pass claims.
const BATCH: i64 = 20;

/// What the worker needs besides the pool.
#[derive(Clone)]
pub struct Delivery {
    pub mailer: Mailer,
    pub from: Mailbox,
    pub clock: Arc<Clock>,
    /// How long after being queued an undeliverable email is given up.
    pub give_up_after: chrono::Duration,
}

/// Runs forever: a pass whenever `wake` is notified or every `poll` otherwise.
pub async fn run(pool: DbPool, delivery: Delivery, wake: Arc<Notify>, poll: std::time::Duration) {
    loop {
        let pass = deliver_due(&pool, &delivery).await;
        if pass.is_ok() {
            crate::monitoring::record_job_success("emails");
        }
        match pass {
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

/// One pass: erases the bodies of expired links, then claims due emails and tries each.
/// Returns how many emails were claimed.
pub async fn deliver_due(pool: &DbPool, delivery: &Delivery) -> anyhow::Result<usize> {
    let (claim_pool, clock) = (pool.clone(), delivery.clock.clone());
    let (claimed, expired) = actix_web::web::block(move || -> anyhow::Result<_> {
        let mut conn = claim_pool.get()?;
        Ok(write_tx(&mut conn, |c| -> diesel::QueryResult<_> {
            let now = clock.now(c)?;
            let expired = outbox::erase_expired_links(c, now)?;
            Ok((outbox::claim_due(c, now, BATCH)?, expired))
        })?)
    })
    .await??;
    for id in expired {
        tracing::error!(alert = "email_failed", email = %id, reason = outbox::LINK_EXPIRED, "an email was given up");
    }
    let count = claimed.len();
    for email in claimed {
        let outcome = delivery.mailer.send(&delivery.from, &email).await;
        let (pool, clock, give_up_after) =
            (pool.clone(), delivery.clock.clone(), delivery.give_up_after);
        actix_web::web::block(move || -> anyhow::Result<()> {
            let mut conn = pool.get()?;
            let now = clock.now(&mut conn)?;
            match outcome {
                Ok(()) => {
                    outbox::mark_sent(&mut conn, &email.id, now)?;
                }
                Err(error) => {
                    let message = format!("{error:#}");
                    tracing::warn!(kind = %email.kind, attempts = email.attempts + 1, error = %message, "email delivery failed");
                    if outbox::mark_failed(&mut conn, &email, &message, now, give_up_after)? {
                        tracing::error!(
                            alert = "email_failed",
                            email = %email.id,
                            kind = %email.kind,
                            attempts = email.attempts + 1,
                            "an email was given up after its retry window"
                        );
                    }
                }
            }
            Ok(())
        })
        .await??;
    }
    Ok(count)
}
