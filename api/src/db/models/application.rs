//! Connected applications and their secrets (issue 14; migration 2026-12-07-000016).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{application_secrets, applications};

/// An application as stored.
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = applications)]
pub struct Application {
    pub id: String,
    pub name: String,
    pub contact_email: String,
    /// Space-separated scopes.
    pub scopes: String,
    pub created_at: NaiveDateTime,
    pub created_by: String,
    pub revoked_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
    pub request_count: i64,
}

/// A secret's public part: when it was made and until when it is valid.
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = application_secrets)]
pub struct SecretRow {
    pub id: String,
    pub application_id: String,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
}

/// What [`insert`] writes.
pub struct NewApplication<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub contact_email: &'a str,
    pub scopes: &'a str,
    pub created_by: &'a str,
}

pub fn insert(conn: &mut DbConn, new: &NewApplication<'_>, at: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(applications::table)
        .values((
            applications::id.eq(new.id),
            applications::name.eq(new.name),
            applications::contact_email.eq(new.contact_email),
            applications::scopes.eq(new.scopes),
            applications::created_at.eq(at),
            applications::created_by.eq(new.created_by),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Every application, the live ones first, then by name.
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<Application>> {
    applications::table
        .order((applications::revoked_at.is_not_null(), applications::name))
        .select(Application::as_select())
        .load(conn)
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Application>> {
    applications::table
        .find(id)
        .select(Application::as_select())
        .first(conn)
        .optional()
}

pub fn name_taken(conn: &mut DbConn, name: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        applications::table.filter(applications::name.eq(name)),
    ))
    .get_result(conn)
}

/// Revokes a live application; false if there was none to revoke.
pub fn revoke(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        applications::table
            .find(id)
            .filter(applications::revoked_at.is_null()),
    )
    .set(applications::revoked_at.eq(at))
    .execute(conn)
    .map(|n| n == 1)
}

/// Counts one request of a live application; false if it is revoked or gone (its tokens
/// are refused at once, not when they expire).
pub fn count_use(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        applications::table
            .find(id)
            .filter(applications::revoked_at.is_null()),
    )
    .set((
        applications::last_used_at.eq(at),
        applications::request_count.eq(applications::request_count + 1),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// Stores a new secret's hash.
pub fn add_secret(
    conn: &mut DbConn,
    id: &str,
    application_id: &str,
    secret_hash: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(application_secrets::table)
        .values((
            application_secrets::id.eq(id),
            application_secrets::application_id.eq(application_id),
            application_secrets::secret_hash.eq(secret_hash),
            application_secrets::created_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Ends the application's secrets at `until` at the latest (a rotation's overlap), and
/// deletes those already past their end.
pub fn expire_secrets(
    conn: &mut DbConn,
    application_id: &str,
    until: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(
        application_secrets::table
            .filter(application_secrets::application_id.eq(application_id))
            .filter(
                application_secrets::expires_at
                    .is_null()
                    .or(application_secrets::expires_at.gt(until)),
            ),
    )
    .set(application_secrets::expires_at.eq(until))
    .execute(conn)?;
    diesel::delete(
        application_secrets::table
            .filter(application_secrets::application_id.eq(application_id))
            .filter(application_secrets::expires_at.le(now)),
    )
    .execute(conn)
    .map(|_| ())
}

/// The valid secrets of `application_id`, or of every application; newest first.
pub fn valid_secrets(
    conn: &mut DbConn,
    application_id: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<Vec<SecretRow>> {
    let mut query = application_secrets::table.into_boxed();
    if let Some(id) = application_id {
        query = query.filter(application_secrets::application_id.eq(id));
    }
    query
        .filter(
            application_secrets::expires_at
                .is_null()
                .or(application_secrets::expires_at.gt(now)),
        )
        .order(application_secrets::created_at.desc())
        .select(SecretRow::as_select())
        .load(conn)
}

/// The live application whose valid secret hashes to `secret_hash`, if that secret is
/// `client_id`'s.
pub fn by_secret(
    conn: &mut DbConn,
    client_id: &str,
    secret_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<Application>> {
    applications::table
        .inner_join(application_secrets::table)
        .filter(applications::id.eq(client_id))
        .filter(applications::revoked_at.is_null())
        .filter(application_secrets::secret_hash.eq(secret_hash))
        .filter(
            application_secrets::expires_at
                .is_null()
                .or(application_secrets::expires_at.gt(now)),
        )
        .select(Application::as_select())
        .first(conn)
        .optional()
}

/// Names of the applications among `ids` (the audit log's actors).
pub fn names(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<(String, String)>> {
    applications::table
        .filter(applications::id.eq_any(ids))
        .select((applications::id, applications::name))
        .load(conn)
}
