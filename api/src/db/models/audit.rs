//! The audit log of staff and connected applications' actions (SECURITY.md C-04, G-05):
//! who, when, what, on which dossier and object — never a document's content. The database refuses updates and
//! early deletions (migration 2026-11-26-000006_review).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::audit_log;
use crate::db::{DbConn, new_id};

/// What a staff member did.
pub mod action {
    pub const CONSULTATION: &str = "consultation";
    pub const TELECHARGEMENT: &str = "telechargement";
    pub const DECISION_PIECE: &str = "decision_piece";
    pub const DECISION_DEMANDE: &str = "decision_demande";
}

/// One entry to write.
pub struct Entry<'a> {
    pub actor_account_id: &'a str,
    pub actor_role: &'a str,
    pub action: &'a str,
    pub dossier_id: &'a str,
    pub object_id: Option<&'a str>,
    pub detail: Option<&'a str>,
}

/// Appends an entry.
pub fn record(conn: &mut DbConn, entry: &Entry<'_>, at: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::id.eq(new_id()),
            audit_log::at.eq(at),
            audit_log::actor_account_id.eq(entry.actor_account_id),
            audit_log::actor_role.eq(entry.actor_role),
            audit_log::action.eq(entry.action),
            audit_log::dossier_id.eq(entry.dossier_id),
            audit_log::object_id.eq(entry.object_id),
            audit_log::detail.eq(entry.detail),
        ))
        .execute(conn)?;
    Ok(())
}

/// One entry as the family sees it: when, what, and who by role (the staff member's name is
/// not shown; a connected application's is).
pub struct Seen {
    pub at: NaiveDateTime,
    pub action: String,
    pub actor_role: String,
    pub actor_id: String,
}

/// A dossier's entries, newest first.
pub fn for_dossier(conn: &mut DbConn, dossier_id: &str) -> QueryResult<Vec<Seen>> {
    audit_log::table
        .filter(audit_log::dossier_id.eq(dossier_id))
        .order(audit_log::at.desc())
        .select((
            audit_log::at,
            audit_log::action,
            audit_log::actor_role,
            audit_log::actor_account_id,
        ))
        .load::<(NaiveDateTime, String, String, String)>(conn)
        .map(|rows| {
            rows.into_iter()
                .map(|(at, action, actor_role, actor_id)| Seen {
                    at,
                    action,
                    actor_role,
                    actor_id,
                })
                .collect()
        })
}

/// How long entries are kept (CNIL: 6 months to a year). The database refuses to delete
/// younger ones (366 days, by its own clock): the purge waits one more day, so that a clock
/// difference between the servers never makes it fail.
pub const RETENTION_DAYS: i64 = 367;

/// Deletes the entries written before `before`.
pub fn purge(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(audit_log::table.filter(audit_log::at.lt(before))).execute(conn)
}

/// How many times `actor` did `what` since `since`.
pub fn count_since(
    conn: &mut DbConn,
    actor: &str,
    what: &str,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    audit_log::table
        .filter(audit_log::actor_account_id.eq(actor))
        .filter(audit_log::action.eq(what))
        .filter(audit_log::at.ge(since))
        .count()
        .get_result(conn)
}
