//! Versions of the terms of use (CGU) and their acceptances.

use chrono::NaiveDateTime;
use diesel::dsl::max;
use diesel::helper_types;
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
        .select(max(cgu_versions::version))
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
        .select(max(cgu_acceptances::version))
        .first(conn)
}

/// Whether the account accepted the version in force (true when there is none), in one
/// statement.
pub fn has_accepted_current(
    conn: &mut DbConn,
    account_id: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let (current, accepted) =
        diesel::select((version_in_force(now), version_accepted_by(account_id)))
            .get_result(conn)?;
    Ok(accepts(current, accepted))
}

/// The number of the version in force, as a subquery (NULL when none is published yet).
#[diesel::dsl::auto_type]
pub fn version_in_force(now: NaiveDateTime) -> _ {
    let latest: helper_types::max<cgu_versions::version> = max(cgu_versions::version);
    cgu_versions::table
        .filter(cgu_versions::published_at.le(now))
        .select(latest)
        .single_value()
}

/// The latest version the account accepted, as a subquery (NULL when it accepted none).
#[diesel::dsl::auto_type]
pub fn version_accepted_by<'a>(account_id: &'a str) -> _ {
    let latest: helper_types::max<cgu_acceptances::version> = max(cgu_acceptances::version);
    cgu_acceptances::table
        .filter(cgu_acceptances::account_id.eq(account_id))
        .select(latest)
        .single_value()
}

/// The rule on the two versions: the one in force was accepted, or there is none.
pub fn accepts(in_force: Option<i32>, accepted: Option<i32>) -> bool {
    in_force.is_none() || accepted == in_force
}
