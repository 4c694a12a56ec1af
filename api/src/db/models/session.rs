//! Login sessions and their rotating refresh tokens (SECURITY.md B-02, B-05).
//!
//! A session is one family of refresh tokens. Each refresh uses the presented token once
//! and issues the next. Presenting a used token again means it was stolen (or replayed):
//! the whole session is revoked — except within a short grace window after its use, when
//! two tabs of the same browser refresh at the same moment; then the late one simply
//! gets a new token of the same session.

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::tokens;
use crate::db::models::account::state as account_state;
use crate::db::models::cgu;
use crate::db::schema::{accounts, refresh_tokens, sessions};
use crate::db::{DbConn, new_id};

/// A row of `sessions`.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub id: String,
    pub account_id: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: NaiveDateTime,
    pub absolute_expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = refresh_tokens)]
struct RefreshToken {
    id: String,
    expires_at: NaiveDateTime,
    used_at: Option<NaiveDateTime>,
}

/// What presenting a refresh token led to.
#[derive(Debug, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// A new token for the session.
    Rotated {
        session_id: String,
        account_id: String,
        token: String,
    },
    /// Unknown, expired, revoked: no session.
    Invalid,
    /// A used token was replayed: the session was revoked.
    ReuseDetected,
}

fn chrono_duration(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::zero())
}

/// Opens a session and returns `(session_id, refresh_token)`.
pub fn create(
    conn: &mut DbConn,
    account_id: &str,
    now: NaiveDateTime,
    idle: Duration,
    absolute: Duration,
) -> QueryResult<(String, String)> {
    let id = new_id();
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(&id),
            sessions::account_id.eq(account_id),
            sessions::created_at.eq(now),
            sessions::last_used_at.eq(now),
            sessions::absolute_expires_at.eq(now + chrono_duration(absolute)),
        ))
        .execute(conn)?;
    crate::db::models::account::seen(conn, account_id, now)?;
    let token = issue_refresh(conn, &id, now, idle)?;
    Ok((id, token))
}

fn issue_refresh(
    conn: &mut DbConn,
    session_id: &str,
    now: NaiveDateTime,
    idle: Duration,
) -> QueryResult<String> {
    let (token, hash) = tokens::generate();
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(new_id()),
            refresh_tokens::session_id.eq(session_id),
            refresh_tokens::token_hash.eq(hash),
            refresh_tokens::created_at.eq(now),
            refresh_tokens::expires_at.eq(now + chrono_duration(idle)),
        ))
        .execute(conn)?;
    Ok(token)
}

/// Uses `token` and issues its successor (to be called in a write transaction).
pub fn refresh(
    conn: &mut DbConn,
    token: &str,
    now: NaiveDateTime,
    idle: Duration,
    grace: Duration,
) -> QueryResult<RefreshOutcome> {
    let found: Option<(RefreshToken, Session)> = refresh_tokens::table
        .inner_join(sessions::table)
        .filter(refresh_tokens::token_hash.eq(tokens::hash(token)))
        .select((RefreshToken::as_select(), Session::as_select()))
        .first(conn)
        .optional()?;
    let Some((refresh, session)) = found else {
        return Ok(RefreshOutcome::Invalid);
    };
    let account_active: bool = accounts::table
        .find(&session.account_id)
        .select(accounts::state.eq(crate::db::models::account::state::ACTIVE))
        .first(conn)?;
    if session.revoked_at.is_some() || session.absolute_expires_at <= now || !account_active {
        return Ok(RefreshOutcome::Invalid);
    }
    let used_at = match refresh.used_at {
        Some(used_at) => Some(used_at),
        None if refresh.expires_at <= now => return Ok(RefreshOutcome::Invalid),
        None => {
            let claimed = diesel::update(
                refresh_tokens::table
                    .find(&refresh.id)
                    .filter(refresh_tokens::used_at.is_null()),
            )
            .set(refresh_tokens::used_at.eq(now))
            .execute(conn)?;
            if claimed == 1 {
                None
            } else {
                // Another request (a second tab, a page loading while the last one's refresh
                // was still in flight) claimed it between our read and our update: the
                // grace rule decides, as for a later reuse. Refusing it would clear the
                // browser's cookie and sign the family out of every tab.
                refresh_tokens::table
                    .find(&refresh.id)
                    .select(refresh_tokens::used_at)
                    .first::<Option<NaiveDateTime>>(conn)?
            }
        }
    };
    if let Some(used_at) = used_at
        && now - used_at >= chrono_duration(grace)
    {
        revoke(conn, &session.id, now)?;
        return Ok(RefreshOutcome::ReuseDetected);
    }
    diesel::update(sessions::table.find(&session.id))
        .set(sessions::last_used_at.eq(now))
        .execute(conn)?;
    crate::db::models::account::seen(conn, &session.account_id, now)?;
    let token = issue_refresh(conn, &session.id, now, idle)?;
    Ok(RefreshOutcome::Rotated {
        session_id: session.id,
        account_id: session.account_id,
        token,
    })
}

/// Revokes one session.
pub fn revoke(conn: &mut DbConn, session_id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .find(session_id)
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(now))
    .execute(conn)
}

/// Revokes every session of an account but `keep` (after a password change or reset).
pub fn revoke_all(
    conn: &mut DbConn,
    account_id: &str,
    keep: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .filter(sessions::account_id.eq(account_id))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::id.ne(keep.unwrap_or(""))),
    )
    .set(sessions::revoked_at.eq(now))
    .execute(conn)
}

/// What the route guard needs of a request's session: the account's role, and whether it
/// accepted the CGU in force.
#[derive(Debug)]
pub struct Checked {
    pub role: String,
    pub accepted_cgu: bool,
}

/// The live session `session_id` of an active account `account_id`, checked in one
/// statement: it runs on every authenticated request.
pub fn check(
    conn: &mut DbConn,
    session_id: &str,
    account_id: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<Checked>> {
    let row: Option<(String, Option<i32>, Option<i32>)> = sessions::table
        .inner_join(accounts::table)
        .filter(accounts::state.eq(account_state::ACTIVE))
        .filter(sessions::id.eq(session_id))
        .filter(sessions::account_id.eq(account_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::absolute_expires_at.gt(now))
        .select((
            accounts::role,
            cgu::version_in_force(now),
            cgu::version_accepted_by(account_id),
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(role, in_force, accepted)| Checked {
        role,
        accepted_cgu: cgu::accepts(in_force, accepted),
    }))
}

/// Deletes sessions that ended before `before`.
pub fn purge(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        sessions::table.filter(
            sessions::absolute_expires_at
                .lt(before)
                .or(sessions::revoked_at.lt(before)),
        ),
    )
    .execute(conn)
}

/// Revokes the session a refresh token belongs to (logout with only the cookie).
pub fn revoke_by_refresh_token(
    conn: &mut DbConn,
    token: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let session_id: Option<String> = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(tokens::hash(token)))
        .select(refresh_tokens::session_id)
        .first(conn)
        .optional()?;
    match session_id {
        Some(id) => revoke(conn, &id, now),
        None => Ok(0),
    }
}
