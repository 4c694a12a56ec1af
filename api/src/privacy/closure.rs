//! « Fermer mon compte » (RGPD art. 17), also what the retention job does to an account
//! left inactive after its warning.
//!
//! Erased at once: the account and its login, its sessions (its next request is refused),
//! its connection history, consents, pending rattachements, the emails written to it and
//! its copies of data; and, when no other account shares the dossier, what the family
//! never sent the town: a dossier never submitted (its members, pieces and files) or the
//! pieces added since the last submission. Kept, because they are the town's records: a
//! dossier the town received, its requests and their history, inscriptions, the audit log.

use chrono::NaiveDateTime;

use crate::db::models::account::{self, Account};
use crate::db::models::{data_export, demande, dossier, outbox, piece};
use crate::db::{DbConn, write_tx};
use crate::email::templates;
use crate::error::ApiError;
use crate::rattachement::Mailing;

/// Why an account is closed (the confirmation email says which).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The family asked, after typing its password again.
    Requested,
    /// Nobody signed in for the retention period, nor after the warning.
    Inactivity,
}

/// What is left to delete from the file store once the transaction commits.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Closed {
    pub piece_files: Vec<String>,
    pub exports: Vec<String>,
}

/// Closes family account `account_id`. Runs inside the caller's transaction.
pub fn close(
    conn: &mut DbConn,
    account_id: &str,
    reason: Reason,
    mailing: &Mailing,
    now: NaiveDateTime,
) -> Result<Closed, ApiError> {
    let account = Account::find(conn, account_id)?;
    if account.is_staff() {
        // Staff accounts are deactivated by an administrator, never erased: the audit
        // log names them.
        return Err(ApiError::Forbidden);
    }
    let mut closed = Closed {
        exports: data_export::ids_of_account(conn, account_id)?,
        ..Closed::default()
    };
    if let Some(dossier) = dossier::of_account(conn, account_id)? {
        let shared = dossier::linked_accounts(conn, &dossier.id)?.len() > 1;
        if !shared {
            closed.piece_files = erase_unsent(conn, &dossier.id)?;
        }
    }
    outbox::forget_account(conn, account_id)?;
    account::delete(conn, account_id)?;
    let confirmation = match reason {
        Reason::Requested => {
            templates::account_closed(&account.email, &account.username, &mailing.town)
        }
        Reason::Inactivity => {
            templates::account_closed_inactive(&account.email, &account.username, &mailing.town)
        }
    };
    outbox::enqueue(conn, &confirmation, now)?;
    Ok(closed)
}

/// Erases what the family never sent the town from dossier `dossier_id`: all of it if it
/// was never submitted, else the pieces added since its last submission. Answers the ids
/// of the files to delete from the store.
pub fn erase_unsent(conn: &mut DbConn, dossier_id: &str) -> Result<Vec<String>, ApiError> {
    if !demande::any_sent(conn, dossier_id)? {
        return Ok(dossier::delete(conn, dossier_id)?);
    }
    let current = demande::current(conn, dossier_id)?;
    let since = current.submitted_at.unwrap_or(current.created_at);
    let mut files = Vec::new();
    for piece_id in piece::added_since(conn, dossier_id, since)? {
        files.extend(piece::delete(conn, &piece_id)?);
    }
    Ok(files)
}

/// Closes, after their warning, the accounts still unused: at most `limit`, each in its own
/// transaction so that one failure does not hold the others. Answers how many.
pub fn close_inactive(
    conn: &mut DbConn,
    warned_before: NaiveDateTime,
    mailing: &Mailing,
    now: NaiveDateTime,
    limit: i64,
) -> Result<(usize, Closed), ApiError> {
    let mut all = Closed::default();
    let mut count = 0;
    for id in account::warned_before(conn, warned_before, limit)? {
        let outcome = write_tx(conn, |conn| -> Result<Option<Closed>, ApiError> {
            // Re-checked inside the transaction: a sign-in since the list was read
            // cleared the warning.
            if !account::due_for_closure(conn, &id, warned_before)? {
                return Ok(None);
            }
            close(conn, &id, Reason::Inactivity, mailing, now).map(Some)
        });
        match outcome {
            Ok(Some(closed)) => {
                count += 1;
                all.piece_files.extend(closed.piece_files);
                all.exports.extend(closed.exports);
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(%error, account = %id, "closing an inactive account failed")
            }
        }
    }
    Ok((count, all))
}
