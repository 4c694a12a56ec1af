//! Retention that runs by itself (issue 16, SECURITY.md G-03): the files of decided
//! pieces, inactive accounts (warned, then closed), drafts never sent (warned, then
//! deleted) and copies of data past their end. Durations are the settings'
//! ([`RetentionPolicy`](super::policy::RetentionPolicy)); time is the database's clock
//! ([`crate::clock::Clock`]), which every server agrees on and tests move forward.
//!
//! Safe with several servers: each step re-checks its condition in the statement that
//! changes a row, so two servers sweeping at once warn, close or erase each thing once.

use chrono::{Duration, NaiveDateTime};

use crate::db::DbConn;
use crate::db::models::{account, data_export, demande, dossier, outbox, piece};
use crate::documents::storage::Shelf;
use crate::email::templates;
use crate::error::ApiError;
use crate::rattachement::Mailing;
use crate::state::AppState;

use super::closure;
use super::policy::{RetentionPolicy, days};

/// Rows each step handles per sweep (one sweep stays well within the database timeout);
/// the job sweeps again while a step fills its batch.
const BATCH: i64 = 50;

/// What one sweep did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub pieces_erased: usize,
    pub accounts_warned: usize,
    pub accounts_closed: usize,
    pub drafts_warned: usize,
    pub drafts_deleted: usize,
    pub exports_expired: usize,
}

impl Swept {
    /// Whether some step filled its batch (more may be due).
    fn full(&self) -> bool {
        [
            self.pieces_erased,
            self.accounts_warned,
            self.accounts_closed,
            self.drafts_warned,
            self.drafts_deleted,
        ]
        .iter()
        .any(|&n| n as i64 >= BATCH)
    }
}

/// The objects a sweep removed from the database, to delete from the store.
#[derive(Default)]
struct Objects {
    pieces: Vec<String>,
    exports: Vec<String>,
}

/// Sweeps until nothing more is due (at most 50 batches), then deletes the files.
pub async fn sweep(state: &AppState) -> Result<Swept, ApiError> {
    let mut total = Swept::default();
    let mailing = Mailing::of(state).await?;
    for _ in 0..50 {
        let mailing = mailing.clone();
        let (policy, clock) = (state.settings.retention.clone(), state.clock.clone());
        let (swept, objects) = state
            .transact(move |conn| {
                let now = clock.now(conn)?;
                sweep_once(conn, &policy, &mailing, now)
            })
            .await?;
        state.storage.delete(Shelf::Pieces, &objects.pieces).await;
        state.storage.delete(Shelf::Exports, &objects.exports).await;
        let more = swept.full();
        total.pieces_erased += swept.pieces_erased;
        total.accounts_warned += swept.accounts_warned;
        total.accounts_closed += swept.accounts_closed;
        total.drafts_warned += swept.drafts_warned;
        total.drafts_deleted += swept.drafts_deleted;
        total.exports_expired += swept.exports_expired;
        if !more {
            break;
        }
    }
    Ok(total)
}

/// One batch of each step, each change in its own transaction.
fn sweep_once(
    conn: &mut DbConn,
    policy: &RetentionPolicy,
    mailing: &Mailing,
    now: NaiveDateTime,
) -> Result<(Swept, Objects), ApiError> {
    let mut swept = Swept::default();
    let mut objects = Objects::default();
    let day = |n: u32| Duration::days(i64::from(n));

    let today = crate::domain::calendar::date_in_france(now.and_utc());
    for piece_id in piece::files_due_for_erasure(
        conn,
        now - day(policy.validated_piece_files_days),
        today,
        now - day(policy.refused_piece_files_days),
        BATCH,
    )? {
        objects.pieces.extend(in_transaction(conn, |conn| {
            Ok(piece::erase_files(conn, &piece_id, now)?)
        })?);
        swept.pieces_erased += 1;
    }

    let inactive_before = now - day(policy.inactive_account_days);
    let closes_on = now + day(policy.deletion_notice_days);
    for (id, email, username) in account::inactive_unwarned(conn, inactive_before, BATCH)? {
        let warned = in_transaction(conn, |conn| {
            if !account::warn_inactive(conn, &id, inactive_before, now)? {
                return Ok(false);
            }
            let warning = templates::inactivity_warning(
                &email,
                &username,
                &mailing.town,
                &days(i64::from(policy.inactive_account_days)),
                &day_text(closes_on),
                &format!("{}/connexion", mailing.public_url),
            );
            outbox::enqueue(conn, &warning.for_account(&id), now)?;
            Ok(true)
        })?;
        swept.accounts_warned += usize::from(warned);
    }
    let (closed_count, closed) = closure::close_inactive(
        conn,
        now - day(policy.deletion_notice_days),
        mailing,
        now,
        BATCH,
    )?;
    swept.accounts_closed = closed_count;
    objects.pieces.extend(closed.piece_files);
    objects.exports.extend(closed.exports);

    let untouched_before = now - day(policy.draft_days);
    for (demande_id, dossier_id) in demande::drafts_to_warn(conn, untouched_before, BATCH)? {
        let warned = in_transaction(conn, |conn| {
            if demande::any_sent(conn, &dossier_id)? {
                return Ok(false);
            }
            demande::mark_draft_warned(conn, &demande_id, now)?;
            for (email, username) in dossier::account_emails(conn, &dossier_id)? {
                let warning = templates::draft_warning(
                    &email,
                    &username,
                    &mailing.town,
                    &days(i64::from(policy.draft_days)),
                    &day_text(closes_on),
                    &format!("{}/demarches", mailing.public_url),
                );
                outbox::enqueue(conn, &warning, now)?;
            }
            Ok(true)
        })?;
        swept.drafts_warned += usize::from(warned);
    }
    for dossier_id in
        demande::drafts_to_delete(conn, now - day(policy.deletion_notice_days), BATCH)?
    {
        let files = in_transaction(conn, |conn| {
            if demande::any_sent(conn, &dossier_id)? {
                return Ok(None);
            }
            Ok(Some(dossier::delete(conn, &dossier_id)?))
        })?;
        if let Some(files) = files {
            objects.pieces.extend(files);
            swept.drafts_deleted += 1;
        }
    }

    let expired = in_transaction(conn, |conn| Ok(data_export::purge_expired(conn, now)?))?;
    swept.exports_expired = expired.len();
    objects.exports.extend(expired);
    Ok((swept, objects))
}

/// One change in its own write transaction.
fn in_transaction<T>(
    conn: &mut DbConn,
    work: impl FnOnce(&mut DbConn) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    crate::db::write_tx(conn, work)
}

/// « 07/01/2027 »: the day in France.
fn day_text(at: NaiveDateTime) -> String {
    crate::domain::calendar::date_in_france(at.and_utc())
        .format("%d/%m/%Y")
        .to_string()
}

/// Sweeps every `every` (hourly in production).
pub async fn run(state: actix_web::web::Data<AppState>, every: std::time::Duration) {
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        match sweep(&state).await {
            Ok(swept) => {
                crate::monitoring::record_job_success("personal_data_retention");
                if swept != Swept::default() {
                    tracing::info!(?swept, "personal data retention applied");
                }
            }
            Err(error) => tracing::warn!(%error, "personal data retention failed"),
        }
    }
}
