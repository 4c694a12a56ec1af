//! `file_scans`: ClamAV's verdict on each stored file, and the leases of the servers
//! scanning them (a file with no row has not been scanned yet).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Text, Timestamp};

use crate::db::DbConn;
use crate::db::schema::{documents, file_scans, piece_files};

pub mod state {
    pub const SCANNING: &str = "scanning";
    pub const FAILED: &str = "failed";
    pub const CLEAN: &str = "clean";
    pub const INFECTED: &str = "infected";
}

/// The shelves' names, as in the store.
pub const PIECES: &str = "pieces";
pub const DOCUMENTS: &str = "documents";

/// A file to scan: its object id and its shelf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub object_id: String,
    pub shelf: String,
}

/// Leases up to `limit` files waiting for a verdict to this server until `lease_end`:
/// first the files never scanned (the lease row is the claim: a server that loses the race
/// inserts nothing), then failures due again and leases that ran out (a server died
/// mid-scan). Run in a transaction.
pub fn claim_due(
    conn: &mut DbConn,
    now: NaiveDateTime,
    lease_end: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<Due>> {
    let mut candidates: Vec<Due> = Vec::new();
    let pieces: Vec<String> = piece_files::table
        .filter(diesel::dsl::not(diesel::dsl::exists(
            file_scans::table.filter(file_scans::object_id.eq(piece_files::id)),
        )))
        .order(piece_files::created_at.asc())
        .select(piece_files::id)
        .limit(limit)
        .load(conn)?;
    candidates.extend(pieces.into_iter().map(|object_id| Due {
        object_id,
        shelf: PIECES.into(),
    }));
    let documents: Vec<String> = documents::table
        .filter(diesel::dsl::not(diesel::dsl::exists(
            file_scans::table.filter(file_scans::object_id.eq(documents::id)),
        )))
        .order(documents::created_at.asc())
        .select(documents::id)
        .limit(limit)
        .load(conn)?;
    candidates.extend(documents.into_iter().map(|object_id| Due {
        object_id,
        shelf: DOCUMENTS.into(),
    }));
    let mut claimed = Vec::new();
    for due in candidates {
        if claimed.len() as i64 >= limit {
            break;
        }
        if insert_lease(conn, &due, lease_end)? == 1 {
            claimed.push(due);
        }
    }
    let again: Vec<(String, String)> = file_scans::table
        .filter(file_scans::state.eq_any([state::SCANNING, state::FAILED]))
        .filter(file_scans::next_attempt_at.le(now))
        .order(file_scans::next_attempt_at.asc())
        .select((file_scans::object_id, file_scans::shelf))
        .limit(limit)
        .load(conn)?;
    for (object_id, shelf) in again {
        if claimed.len() as i64 >= limit {
            break;
        }
        let taken = diesel::update(
            file_scans::table
                .find(&object_id)
                .filter(file_scans::state.eq_any([state::SCANNING, state::FAILED]))
                .filter(file_scans::next_attempt_at.le(now)),
        )
        .set((
            file_scans::state.eq(state::SCANNING),
            file_scans::next_attempt_at.eq(lease_end),
        ))
        .execute(conn)?;
        if taken == 1 {
            claimed.push(Due { object_id, shelf });
        }
    }
    Ok(claimed)
}

/// Inserts the lease row of a file never scanned; 0 when another server did first.
/// (diesel's multi-backend connection has no `ON CONFLICT`; both databases have this SQL.)
fn insert_lease(conn: &mut DbConn, due: &Due, lease_end: NaiveDateTime) -> QueryResult<usize> {
    const INSERT: &str = "INSERT INTO file_scans (object_id, shelf, state, attempts, next_attempt_at) \
        VALUES ($1, $2, 'scanning', 0, $3) ON CONFLICT (object_id) DO NOTHING";
    match conn {
        DbConn::Pg(pg) => diesel::sql_query(INSERT)
            .bind::<Text, _>(&due.object_id)
            .bind::<Text, _>(&due.shelf)
            .bind::<Timestamp, _>(lease_end)
            .execute(pg),
        DbConn::Sqlite(sqlite) => diesel::sql_query(INSERT.replace('$', "?"))
            .bind::<Text, _>(&due.object_id)
            .bind::<Text, _>(&due.shelf)
            .bind::<Timestamp, _>(lease_end)
            .execute(sqlite),
    }
}

/// Records ClamAV's verdict: `Some(signature)` when it found one.
pub fn record_verdict(
    conn: &mut DbConn,
    object_id: &str,
    found: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(file_scans::table.find(object_id))
        .set((
            file_scans::state.eq(if found.is_some() {
                state::INFECTED
            } else {
                state::CLEAN
            }),
            file_scans::signature.eq(found),
            file_scans::scanned_at.eq(now),
            file_scans::attempts.eq(file_scans::attempts + 1),
        ))
        .execute(conn)
}

/// The scanner could not give a verdict: try again after a backoff (2, 4, 8… seconds, at
/// most 5 minutes).
pub fn record_failure(
    conn: &mut DbConn,
    object_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let attempts: i32 = file_scans::table
        .find(object_id)
        .select(file_scans::attempts)
        .first(conn)?;
    let wait = chrono::Duration::seconds(1_i64 << (attempts + 1).clamp(1, 12))
        .min(chrono::Duration::minutes(5));
    diesel::update(file_scans::table.find(object_id))
        .set((
            file_scans::state.eq(state::FAILED),
            file_scans::attempts.eq(attempts + 1),
            file_scans::next_attempt_at.eq(now + wait),
        ))
        .execute(conn)
}

/// The file's state and what was found, if it has a row.
pub fn find(conn: &mut DbConn, object_id: &str) -> QueryResult<Option<(String, Option<String>)>> {
    file_scans::table
        .find(object_id)
        .select((file_scans::state, file_scans::signature))
        .first(conn)
        .optional()
}

/// Deletes the rows of files that no longer exist (their piece or document was deleted).
pub fn purge_gone(conn: &mut DbConn) -> QueryResult<usize> {
    diesel::delete(
        file_scans::table
            .filter(diesel::dsl::not(diesel::dsl::exists(
                piece_files::table.filter(piece_files::id.eq(file_scans::object_id)),
            )))
            .filter(diesel::dsl::not(diesel::dsl::exists(
                documents::table.filter(documents::id.eq(file_scans::object_id)),
            ))),
    )
    .execute(conn)
}

/// Which of these object ids ClamAV found clean (the others are quarantined or not
/// analysed yet: never served).
pub fn clean_among(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<String>> {
    file_scans::table
        .filter(file_scans::object_id.eq_any(ids))
        .filter(file_scans::state.eq(state::CLEAN))
        .select(file_scans::object_id)
        .load(conn)
}

/// The verdicts on these object ids: (id, state). Files with no row are not analysed yet.
pub fn states_of(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<(String, String)>> {
    file_scans::table
        .filter(file_scans::object_id.eq_any(ids))
        .select((file_scans::object_id, file_scans::state))
        .load(conn)
}
