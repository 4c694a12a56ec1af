//! One-time links: activation, password reset, email change.

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::tokens;
use crate::db::schema::action_tokens;
use crate::db::{DbConn, new_id, now};

/// What a token is for (`action_tokens.purpose`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Activation,
    PasswordReset,
    EmailChange,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::Activation => "activation",
            Self::PasswordReset => "password_reset",
            Self::EmailChange => "email_change",
        }
    }
}

/// A row of `action_tokens`.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = action_tokens)]
pub struct ActionToken {
    pub id: String,
    pub account_id: String,
    pub purpose: String,
    pub token_hash: String,
    pub new_email: Option<String>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = action_tokens)]
struct NewActionToken<'a> {
    id: &'a str,
    account_id: &'a str,
    purpose: &'a str,
    token_hash: &'a str,
    new_email: Option<&'a str>,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
}

/// Issues a token for `purpose`, invalidating the account's earlier unused ones for the
/// same purpose (« renvoyer le lien » kills the previous link). Returns the clear token,
/// which only ever goes into the email.
pub fn issue(
    conn: &mut DbConn,
    account_id: &str,
    purpose: Purpose,
    ttl: Duration,
    new_email: Option<&str>,
) -> QueryResult<String> {
    let now = now();
    invalidate(conn, account_id, purpose)?;
    let (token, hash) = tokens::generate();
    NewActionToken {
        id: &new_id(),
        account_id,
        purpose: purpose.as_str(),
        token_hash: &hash,
        new_email,
        created_at: now,
        expires_at: now + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::zero()),
    }
    .insert(conn)?;
    Ok(token)
}

impl NewActionToken<'_> {
    fn insert(&self, conn: &mut DbConn) -> QueryResult<usize> {
        diesel::insert_into(action_tokens::table)
            .values(self)
            .execute(conn)
    }
}

/// Marks every unused token of the account for `purpose` as used.
pub fn invalidate(conn: &mut DbConn, account_id: &str, purpose: Purpose) -> QueryResult<usize> {
    diesel::update(
        action_tokens::table
            .filter(action_tokens::account_id.eq(account_id))
            .filter(action_tokens::purpose.eq(purpose.as_str()))
            .filter(action_tokens::used_at.is_null()),
    )
    .set(action_tokens::used_at.eq(now()))
    .execute(conn)
}

/// Uses a token: the single conditional UPDATE makes this race-safe — of 20 concurrent
/// uses of one token, exactly one gets the row (SECURITY.md A-11 c).
pub fn consume(
    conn: &mut DbConn,
    purpose: Purpose,
    token: &str,
) -> QueryResult<Option<ActionToken>> {
    let now = now();
    let hash = tokens::hash(token);
    let claimed = diesel::update(
        action_tokens::table
            .filter(action_tokens::token_hash.eq(&hash))
            .filter(action_tokens::purpose.eq(purpose.as_str()))
            .filter(action_tokens::used_at.is_null())
            .filter(action_tokens::expires_at.gt(now)),
    )
    .set(action_tokens::used_at.eq(now))
    .execute(conn)?;
    if claimed == 0 {
        return Ok(None);
    }
    action_tokens::table
        .filter(action_tokens::token_hash.eq(&hash))
        .select(ActionToken::as_select())
        .first(conn)
        .optional()
}

/// Deletes tokens that expired or were used more than a week ago.
pub fn purge(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        action_tokens::table.filter(
            action_tokens::expires_at
                .lt(before)
                .or(action_tokens::used_at.lt(before)),
        ),
    )
    .execute(conn)
}

/// The valid, unused token with this hash, without using it.
pub fn peek(
    conn: &mut DbConn,
    purpose: Purpose,
    hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<ActionToken>> {
    action_tokens::table
        .filter(action_tokens::token_hash.eq(hash))
        .filter(action_tokens::purpose.eq(purpose.as_str()))
        .filter(action_tokens::used_at.is_null())
        .filter(action_tokens::expires_at.gt(now))
        .select(ActionToken::as_select())
        .first(conn)
        .optional()
}
