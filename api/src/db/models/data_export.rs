//! `data_exports`: the copies of their data families asked for, and the leases of the
//! servers preparing them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::data_exports;
use crate::db::{DbConn, new_id};

pub mod state {
    pub const PENDING: &str = "pending";
    pub const READY: &str = "ready";
    pub const FAILED: &str = "failed";
}

/// A preparation is tried this many times before it is given up.
pub const MAX_ATTEMPTS: i32 = 5;

#[derive(Queryable, Selectable, Clone, Debug, PartialEq)]
#[diesel(table_name = data_exports)]
pub struct DataExportRow {
    pub id: String,
    pub account_id: String,
    pub state: String,
    pub requested_at: NaiveDateTime,
    pub lease_until: Option<NaiveDateTime>,
    pub attempts: i32,
    pub ready_at: Option<NaiveDateTime>,
    pub expires_at: Option<NaiveDateTime>,
    pub size_bytes: Option<i64>,
    pub last_error: Option<String>,
}

/// Copies an account may ask for in a day: each is a ZIP of all its files in the store.
pub const PER_DAY: i64 = 3;

/// Asks for a copy: answers the one being prepared if there is one, a new one otherwise,
/// or `None` when the account already asked [`PER_DAY`] times in the last day.
pub fn request(
    conn: &mut DbConn,
    account_id: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<String>> {
    let pending: Option<String> = data_exports::table
        .filter(data_exports::account_id.eq(account_id))
        .filter(data_exports::state.eq(state::PENDING))
        .select(data_exports::id)
        .first(conn)
        .optional()?;
    if let Some(id) = pending {
        return Ok(Some(id));
    }
    let today: i64 = data_exports::table
        .filter(data_exports::account_id.eq(account_id))
        .filter(data_exports::requested_at.gt(now - chrono::Duration::days(1)))
        .count()
        .get_result(conn)?;
    if today >= PER_DAY {
        return Ok(None);
    }
    let id = new_id();
    diesel::insert_into(data_exports::table)
        .values((
            data_exports::id.eq(&id),
            data_exports::account_id.eq(account_id),
            data_exports::state.eq(state::PENDING),
            data_exports::requested_at.eq(now),
            data_exports::attempts.eq(0),
        ))
        .execute(conn)?;
    Ok(Some(id))
}

/// The account's copies, newest first.
pub fn of_account(conn: &mut DbConn, account_id: &str) -> QueryResult<Vec<DataExportRow>> {
    data_exports::table
        .filter(data_exports::account_id.eq(account_id))
        .order(data_exports::requested_at.desc())
        .select(DataExportRow::as_select())
        .limit(20)
        .load(conn)
}

/// The ids of every copy of the account (its objects, for the store).
pub fn ids_of_account(conn: &mut DbConn, account_id: &str) -> QueryResult<Vec<String>> {
    data_exports::table
        .filter(data_exports::account_id.eq(account_id))
        .select(data_exports::id)
        .load(conn)
}

/// Copy `id` of account `account_id`.
pub fn find_for_account(
    conn: &mut DbConn,
    id: &str,
    account_id: &str,
) -> QueryResult<DataExportRow> {
    data_exports::table
        .find(id)
        .filter(data_exports::account_id.eq(account_id))
        .select(DataExportRow::as_select())
        .first(conn)
}

/// Leases one copy waiting to be prepared to this server until `lease_end` (a conditional
/// update: of two servers, one wins). Answers (copy id, account id).
pub fn claim_due(
    conn: &mut DbConn,
    now: NaiveDateTime,
    lease_end: NaiveDateTime,
) -> QueryResult<Option<(String, String)>> {
    let candidates: Vec<(String, String)> = data_exports::table
        .filter(data_exports::state.eq(state::PENDING))
        .filter(
            data_exports::lease_until
                .is_null()
                .or(data_exports::lease_until.lt(now)),
        )
        .order(data_exports::requested_at.asc())
        .select((data_exports::id, data_exports::account_id))
        .limit(5)
        .load(conn)?;
    for (id, account_id) in candidates {
        let won = diesel::update(
            data_exports::table
                .find(&id)
                .filter(data_exports::state.eq(state::PENDING))
                .filter(
                    data_exports::lease_until
                        .is_null()
                        .or(data_exports::lease_until.lt(now)),
                ),
        )
        .set((
            data_exports::lease_until.eq(lease_end),
            data_exports::attempts.eq(data_exports::attempts + 1),
        ))
        .execute(conn)?;
        if won == 1 {
            return Ok(Some((id, account_id)));
        }
    }
    Ok(None)
}

/// The copy is stored: downloadable until `expires_at`.
pub fn mark_ready(
    conn: &mut DbConn,
    id: &str,
    size: i64,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(data_exports::table.find(id))
        .set((
            data_exports::state.eq(state::READY),
            data_exports::ready_at.eq(now),
            data_exports::expires_at.eq(expires_at),
            data_exports::size_bytes.eq(size),
            data_exports::lease_until.eq(None::<NaiveDateTime>),
            data_exports::last_error.eq(None::<String>),
        ))
        .execute(conn)
}

/// A preparation failed: tried again after `retry_at`, or given up after
/// [`MAX_ATTEMPTS`]. Answers whether it was given up.
pub fn mark_failed(
    conn: &mut DbConn,
    id: &str,
    error: &str,
    retry_at: NaiveDateTime,
) -> QueryResult<bool> {
    let attempts: i32 = data_exports::table
        .find(id)
        .select(data_exports::attempts)
        .first(conn)?;
    let given_up = attempts >= MAX_ATTEMPTS;
    diesel::update(data_exports::table.find(id))
        .set((
            data_exports::state.eq(if given_up {
                state::FAILED
            } else {
                state::PENDING
            }),
            data_exports::lease_until.eq(retry_at),
            data_exports::last_error.eq(error),
        ))
        .execute(conn)?;
    Ok(given_up)
}

/// Deletes the copies past their end (and failed ones a day old): answers their ids, to
/// delete from the store.
pub fn purge_expired(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Vec<String>> {
    let expired = data_exports::state
        .eq(state::READY)
        .and(data_exports::expires_at.lt(now));
    let failed = data_exports::state
        .eq(state::FAILED)
        .and(data_exports::requested_at.lt(now - chrono::Duration::days(1)));
    let ids: Vec<String> = data_exports::table
        .filter(expired.or(failed))
        .select(data_exports::id)
        .load(conn)?;
    diesel::delete(data_exports::table.filter(data_exports::id.eq_any(&ids))).execute(conn)?;
    Ok(ids)
}

/// Which of these ids are copies still on record (the others are orphan objects).
pub fn existing_ids(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<String>> {
    data_exports::table
        .filter(data_exports::id.eq_any(ids))
        .select(data_exports::id)
        .load(conn)
}

/// Gives ready copy `id` of account `account_id` a one-time download token (its hash),
/// valid until `expires_at`; replaces an earlier unused one. False when the copy is not
/// ready (or not the account's).
pub fn set_download_token(
    conn: &mut DbConn,
    id: &str,
    account_id: &str,
    token_hash: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(
        data_exports::table
            .find(id)
            .filter(data_exports::account_id.eq(account_id))
            .filter(data_exports::state.eq(state::READY))
            .filter(data_exports::expires_at.gt(now)),
    )
    .set((
        data_exports::download_token_hash.eq(token_hash),
        data_exports::download_expires_at.eq(expires_at),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Uses the download token of copy `id` once: answers the copy when `token_hash` is its
/// token's and still valid at `now`, and clears it (a link works once).
pub fn take_download(
    conn: &mut DbConn,
    id: &str,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<DataExportRow>> {
    let taken = diesel::update(
        data_exports::table
            .find(id)
            .filter(data_exports::state.eq(state::READY))
            .filter(data_exports::download_token_hash.eq(token_hash))
            .filter(data_exports::download_expires_at.gt(now)),
    )
    .set((
        data_exports::download_token_hash.eq(None::<String>),
        data_exports::download_expires_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    if taken == 0 {
        return Ok(None);
    }
    data_exports::table
        .find(id)
        .select(DataExportRow::as_select())
        .first(conn)
        .optional()
}
