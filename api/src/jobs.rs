//! Periodic housekeeping: retention of the connection log (6 months by default, CNIL) and
//! of the staff audit log (a year),
//! removal of accounts never activated after 30 days, spent tokens, ended sessions and
//! delivered emails, expired idempotency keys, and stored files that no piece names any
//! more (orphans of an interrupted upload or of a deleted piece, SECURITY.md H-05); and,
//! every minute, the offers of freed places not accepted in time (issue 12).

use std::time::Duration;

use crate::db::models::{
    account, action_token, audit, connection_log, data_export, file_scan, idempotency, login_lock,
    outbox, piece, public_document, rate_counter, session,
};
use crate::db::{DbPool, now};
use crate::documents::storage::{Shelf, Storage};

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
    pub idempotency_keys: usize,
    pub audit_entries: usize,
    /// Rate-limit windows long over, and login failures forgotten (a day after the last).
    pub rate_counters: usize,
    pub login_locks: usize,
    /// Malware verdicts of files since deleted.
    pub file_scans: usize,
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
        idempotency_keys: idempotency::purge(&mut conn, at - chrono::Duration::days(1))?,
        audit_entries: audit::purge(
            &mut conn,
            at - chrono::Duration::days(audit::RETENTION_DAYS),
        )?,
        rate_counters: rate_counter::purge(&mut conn, at - chrono::Duration::days(1))?,
        login_locks: login_lock::purge(&mut conn, at - chrono::Duration::days(1), at)?,
        file_scans: file_scan::purge_gone(&mut conn)?,
    })
}

/// Deletes stored files that no row names and that were written before `before` (younger
/// ones may belong to an upload about to be recorded), on both shelves. Answers how many
/// went.
pub async fn collect_orphan_files(
    pool: &DbPool,
    storage: &Storage,
    before: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<usize> {
    let mut collected = 0;
    for shelf in [Shelf::Pieces, Shelf::Documents, Shelf::Exports] {
        let candidates = storage.ids_older_than(shelf, before).await?;
        let mut orphans = Vec::new();
        for batch in candidates.chunks(500) {
            let (pool, ids) = (pool.clone(), batch.to_vec());
            let known = actix_web::web::block(move || -> anyhow::Result<Vec<String>> {
                let mut conn = pool.get()?;
                Ok(match shelf {
                    Shelf::Pieces => piece::existing_file_ids(&mut conn, &ids)?,
                    Shelf::Documents => public_document::existing_ids(&mut conn, &ids)?,
                    Shelf::Exports => data_export::existing_ids(&mut conn, &ids)?,
                })
            })
            .await??;
            orphans.extend(batch.iter().filter(|id| !known.contains(id)).cloned());
        }
        storage.delete(shelf, &orphans).await;
        collected += orphans.len();
    }
    Ok(collected)
}

/// Runs [`purge`] and [`collect_orphan_files`] now and then every hour.
pub async fn run(pool: DbPool, storage: Storage, retention_days: u32, orphan_grace: Duration) {
    let mut interval = tokio::time::interval(Duration::from_secs(3600));
    loop {
        interval.tick().await;
        let task_pool = pool.clone();
        match actix_web::web::block(move || purge(&task_pool, retention_days, now())).await {
            Ok(Ok(purged)) => {
                crate::monitoring::record_job_success("retention");
                tracing::info!(?purged, "retention purge done");
            }
            Ok(Err(error)) => tracing::warn!(error = ?error, "retention purge failed"),
            Err(error) => tracing::warn!(%error, "retention purge task failed"),
        }
        let before = chrono::Utc::now()
            - chrono::Duration::from_std(orphan_grace).unwrap_or(chrono::Duration::hours(1));
        match collect_orphan_files(&pool, &storage, before).await {
            Ok(count) => {
                crate::monitoring::record_job_success("orphan_files");
                if count > 0 {
                    tracing::info!(count, "orphan files deleted");
                }
            }
            Err(error) => tracing::warn!(error = ?error, "orphan file collection failed"),
        }
    }
}

/// Lapses the offers of freed places not accepted by now — the database's clock, which
/// every server agrees on — and gives them to the next in line. Safe to run on several
/// servers at once: each offer is re-checked under its période's lock.
pub async fn expire_offers(
    state: &crate::state::AppState,
) -> Result<usize, crate::error::ApiError> {
    let mailing = crate::rattachement::Mailing::of(state).await?;
    let clock = state.clock.clone();
    state
        .transact(move |conn| {
            let now = clock.now(conn)?.and_utc();
            crate::activities::lifecycle::expire_offers(conn, &mailing, now)
        })
        .await
}

/// Runs the draws of *attribution équitable* whose wishes closed by now (the database's
/// clock). Safe on several servers: each draw is re-checked under its lock.
pub async fn run_due_draws(
    state: &crate::state::AppState,
) -> Result<usize, crate::error::ApiError> {
    let mailing = crate::rattachement::Mailing::of(state).await?;
    let clock = state.clock.clone();
    let pool = state.pool.clone();
    // Each draw is its own transaction, so this one runs outside `transact`.
    let ran = actix_web::web::block(move || {
        let mut conn = pool.get()?;
        let now = clock.now(&mut conn)?.and_utc();
        crate::activities::draw::run_due(&mut conn, &mailing, now)
    })
    .await
    .map_err(anyhow::Error::from)??;
    state.outbox_wake.notify_one();
    Ok(ran)
}

/// Runs [`expire_offers`] and [`run_due_draws`] every `every`.
pub async fn run_activity_jobs(
    state: actix_web::web::Data<crate::state::AppState>,
    every: Duration,
) {
    let mut interval = tokio::time::interval(every);
    loop {
        interval.tick().await;
        match expire_offers(&state).await {
            Ok(count) => {
                crate::monitoring::record_job_success("offer_expiry");
                if count > 0 {
                    tracing::info!(count, "offers of freed places lapsed");
                }
            }
            Err(error) => tracing::warn!(%error, "offer expiry failed"),
        }
        match run_due_draws(&state).await {
            Ok(count) => {
                crate::monitoring::record_job_success("draws");
                if count > 0 {
                    tracing::info!(count, "draws ran");
                }
            }
            Err(error) => tracing::warn!(%error, "draws failed"),
        }
    }
}
