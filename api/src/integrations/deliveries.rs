//! The webhook sender: takes due deliveries from the outbox, sends each signed
//! ([`webhooks::send`]), logs the attempt, and schedules the next one — or, three days
//! after the event, gives up, pauses the subscription and emails the application's
//! contact. Like the email worker, it never runs inside a request, and its leases and due
//! times are read on the database's clock, so several servers agree.

use actix_web::web;

use crate::db::models::{application, outbox, webhook};
use crate::db::write_tx;
use crate::email::templates;
use crate::integrations::webhooks;
use crate::state::AppState;

/// Deliveries one pass claims.
const BATCH: i64 = 20;

/// Runs forever: a pass every `poll` (sooner after a pass that found work).
pub async fn run(state: web::Data<AppState>, poll: std::time::Duration) {
    loop {
        let pass = deliver_due(&state).await;
        if pass.is_ok() {
            crate::monitoring::record_job_success("webhooks");
        }
        match pass {
            Ok(0) => tokio::time::sleep(poll).await,
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(error = ?error, "webhook pass failed; retrying later");
                tokio::time::sleep(poll).await;
            }
        }
    }
}

/// One pass: claims due deliveries and sends each. Answers how many were claimed.
pub async fn deliver_due(state: &AppState) -> anyhow::Result<usize> {
    let (pool, clock) = (state.pool.clone(), state.clock.clone());
    let claimed = web::block(move || -> anyhow::Result<_> {
        let mut conn = pool.get()?;
        Ok(write_tx(&mut conn, |c| -> diesel::QueryResult<_> {
            let now = clock.now(c)?;
            webhook::claim_due(c, now, BATCH)
        })?)
    })
    .await??;
    let count = claimed.len();
    let allow_loopback = state.settings.webhook_allow_http_loopback;
    for item in claimed {
        let outcome = match state.secrets.open(&item.subscription.secret) {
            Ok(secret) => {
                webhooks::send(
                    &item.subscription.url,
                    allow_loopback,
                    &secret,
                    &item.delivery.id,
                    &item.payload,
                    chrono::Utc::now().timestamp(),
                )
                .await
            }
            Err(error) => webhooks::Outcome {
                status: None,
                error: Some(format!("secret illisible : {error}")),
                elapsed: std::time::Duration::ZERO,
            },
        };
        let (pool, clock, town) = (
            state.pool.clone(),
            state.clock.clone(),
            state.settings.town_name.clone(),
        );
        web::block(move || -> anyhow::Result<()> {
            let mut conn = pool.get()?;
            write_tx(&mut conn, |c| -> anyhow::Result<()> {
                let now = clock.now(c)?;
                let status = outcome.status.map(i32::from);
                let elapsed = i32::try_from(outcome.elapsed.as_millis()).unwrap_or(i32::MAX);
                webhook::record_attempt(c, &item.delivery.id, status, outcome.error.as_deref(), elapsed, now)?;
                if outcome.delivered() {
                    webhook::mark_delivered(c, &item.delivery, status.unwrap_or(200), now)?;
                    return Ok(());
                }
                let error = outcome.error.clone().unwrap_or_default();
                tracing::warn!(delivery = %item.delivery.id, kind = %item.kind, attempts = item.delivery.attempts + 1, %error, "webhook delivery failed");
                let retry = webhooks::retry_at(item.delivery.created_at, item.delivery.attempts + 1, now);
                webhook::mark_failed(c, &item.delivery, status, &error, retry)?;
                if retry.is_none() {
                    give_up(c, &item.subscription, &town, now)?;
                }
                Ok(())
            })
        })
        .await??;
    }
    Ok(count)
}

/// Three days of failures: the subscription is paused and its application's contact told.
fn give_up(
    conn: &mut crate::db::DbConn,
    subscription: &webhook::Subscription,
    town: &str,
    now: chrono::NaiveDateTime,
) -> anyhow::Result<()> {
    let reason = "livraisons en échec depuis trois jours";
    if webhook::pause(conn, &subscription.id, reason, now)? == 0 {
        return Ok(()); // already paused by another delivery of the same pass
    }
    tracing::error!(alert = "webhook_paused", subscription = %subscription.id, url = %subscription.url, "a webhook subscription was paused");
    if let Some(app) = application::find(conn, &subscription.application_id)? {
        let email = templates::webhook_paused(
            &app.contact_email,
            &app.name,
            &subscription.id,
            &subscription.url,
            town,
        );
        outbox::enqueue(conn, &email, now)?;
    }
    Ok(())
}
