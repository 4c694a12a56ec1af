//! `login_locks`: consecutive failed logins per account and origin, and their lock.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::login_locks;

/// The pair's row, if it has failures on record: until when it is locked, if it is.
pub fn find(
    conn: &mut DbConn,
    account_key: &str,
    origin: &str,
) -> QueryResult<Option<Option<NaiveDateTime>>> {
    login_locks::table
        .find((account_key, origin))
        .select(login_locks::locked_until)
        .first::<Option<NaiveDateTime>>(conn)
        .optional()
}

/// Counts one more consecutive failure and answers how many there are now. Two servers
/// counting the same pair at once are serialised by the row (one statement each once the
/// row exists; a lost race to create it is retried as an update).
pub fn count_failure(
    conn: &mut DbConn,
    account_key: &str,
    origin: &str,
    now: NaiveDateTime,
) -> QueryResult<i32> {
    let bump = |conn: &mut DbConn| {
        diesel::update(login_locks::table.find((account_key, origin)))
            .set((
                login_locks::consecutive_failures.eq(login_locks::consecutive_failures + 1),
                login_locks::updated_at.eq(now),
            ))
            .returning(login_locks::consecutive_failures)
            .get_result::<i32>(conn)
            .optional()
    };
    if let Some(failures) = bump(conn)? {
        return Ok(failures);
    }
    // In a savepoint: on PostgreSQL a unique violation would otherwise abort the caller's
    // transaction.
    let created = conn.transaction(|conn| {
        diesel::insert_into(login_locks::table)
            .values((
                login_locks::account_key.eq(account_key),
                login_locks::origin.eq(origin),
                login_locks::consecutive_failures.eq(1),
                login_locks::updated_at.eq(now),
            ))
            .execute(conn)
    });
    match created {
        Ok(_) => Ok(1),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => bump(conn)?.ok_or(diesel::result::Error::NotFound),
        Err(error) => Err(error),
    }
}

/// Locks the pair until `until`.
pub fn lock(
    conn: &mut DbConn,
    account_key: &str,
    origin: &str,
    until: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(login_locks::table.find((account_key, origin)))
        .set(login_locks::locked_until.eq(until))
        .execute(conn)
}

/// A success: the pair's failures are forgotten.
pub fn clear(conn: &mut DbConn, account_key: &str, origin: &str) -> QueryResult<usize> {
    diesel::delete(login_locks::table.find((account_key, origin))).execute(conn)
}

/// A password reset: every pair of the account is forgotten.
pub fn clear_account(conn: &mut DbConn, account_key: &str) -> QueryResult<usize> {
    diesel::delete(login_locks::table.filter(login_locks::account_key.eq(account_key)))
        .execute(conn)
}

/// Deletes the pairs not touched since `before` whose lock, if any, is over.
pub fn purge(conn: &mut DbConn, before: NaiveDateTime, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        login_locks::table
            .filter(login_locks::updated_at.lt(before))
            .filter(
                login_locks::locked_until
                    .is_null()
                    .or(login_locks::locked_until.lt(now)),
            ),
    )
    .execute(conn)
}
