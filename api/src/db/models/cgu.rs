//! Versions of the terms of use (CGU) and their acceptances.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{cgu_acceptances, cgu_versions};

/// A row of `cgu_versions`.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = cgu_versions)]
pub struct CguVersion {
    pub version: i32,
    pub published_at: NaiveDateTime,
    pub text: String,
}

/// The version in force: the latest one published.
pub fn current(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Option<CguVersion>> {
    cgu_versions::table
        .filter(cgu_versions::published_at.le(now))
        .order(cgu_versions::version.desc())
        .select(CguVersion::as_select())
        .first(conn)
        .optional()
}

/// Publishes a new version; every family must accept it at its next visit.
pub fn publish(conn: &mut DbConn, text: &str, now: NaiveDateTime) -> QueryResult<i32> {
    let latest: Option<i32> = cgu_versions::table
        .select(diesel::dsl::max(cgu_versions::version))
        .first(conn)?;
    let version = latest.unwrap_or(0) + 1;
    diesel::insert_into(cgu_versions::table)
        .values((
            cgu_versions::version.eq(version),
            cgu_versions::published_at.eq(now),
            cgu_versions::text.eq(text),
        ))
        .execute(conn)?;
    Ok(version)
}

/// Records that the account accepted `version` (accepting twice is harmless).
pub fn accept(
    conn: &mut DbConn,
    account_id: &str,
    version: i32,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let already: bool = diesel::select(diesel::dsl::exists(
        cgu_acceptances::table
            .filter(cgu_acceptances::account_id.eq(account_id))
            .filter(cgu_acceptances::version.eq(version)),
    ))
    .get_result(conn)?;
    if !already {
        diesel::insert_into(cgu_acceptances::table)
            .values((
                cgu_acceptances::account_id.eq(account_id),
                cgu_acceptances::version.eq(version),
                cgu_acceptances::accepted_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The latest version the account accepted.
pub fn accepted_version(conn: &mut DbConn, account_id: &str) -> QueryResult<Option<i32>> {
    cgu_acceptances::table
        .filter(cgu_acceptances::account_id.eq(account_id))
        .select(diesel::dsl::max(cgu_acceptances::version))
        .first(conn)
}

/// Whether the account accepted the version in force (true when there is none).
pub fn has_accepted_current(
    conn: &mut DbConn,
    account_id: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let Some(current) = current(conn, now)? else {
        return Ok(true);
    };
    Ok(accepted_version(conn, account_id)? == Some(current.version))
}
