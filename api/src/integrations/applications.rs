//! Connected applications: an administrator creates one with its scopes and gets its
//! secret once; rotates the secret with an overlap during which both are valid; revokes
//! it. The application exchanges its credentials for a short-lived access token (OAuth 2.0
//! client credentials, RFC 6749 §4.4).

use chrono::NaiveDateTime;
use shared::api::integration::{
    ApplicationList, ApplicationView, IssuedCredentials, NewApplicationRequest, Scope, SecretInfo,
    parse_scopes, scope_string,
};
use uuid::Uuid;

use crate::auth::tokens;
use crate::db::models::application::{self, Application, SecretRow};
use crate::db::{DbConn, new_id};
use crate::error::ApiError;
use crate::integrations::stored_id;

/// How long the previous secret stays valid after a rotation when nobody says otherwise.
pub const DEFAULT_OVERLAP_HOURS: u32 = 24;

/// Creates an application and its first secret.
pub fn create(
    conn: &mut DbConn,
    request: &NewApplicationRequest,
    administrator_id: &str,
    now: NaiveDateTime,
) -> Result<IssuedCredentials, ApiError> {
    let name = request.name.trim();
    if application::name_taken(conn, name)? {
        return Err(ApiError::Conflict(
            "Une application porte déjà ce nom : choisissez-en un autre.",
        ));
    }
    let id = new_id();
    application::insert(
        conn,
        &application::NewApplication {
            id: &id,
            name,
            contact_email: request.contact_email.trim(),
            scopes: &scope_string(&request.scopes),
            created_by: administrator_id,
        },
        now,
    )?;
    issue_secret(conn, &id, now)
}

/// A new secret for `id`; the previous ones stay valid `overlap_hours` more.
pub fn rotate(
    conn: &mut DbConn,
    id: &str,
    overlap_hours: u32,
    now: NaiveDateTime,
) -> Result<IssuedCredentials, ApiError> {
    let found = live(conn, id)?;
    let until = now + chrono::Duration::hours(i64::from(overlap_hours));
    application::expire_secrets(conn, &found.id, until, now)?;
    issue_secret(conn, &found.id, now)
}

/// Revokes `id`: its tokens are refused from their next request on, and nothing more is
/// sent to its webhooks.
pub fn revoke(
    conn: &mut DbConn,
    id: &str,
    now: NaiveDateTime,
) -> Result<ApplicationView, ApiError> {
    let found = live(conn, id)?;
    application::revoke(conn, &found.id, now)?;
    crate::db::models::webhook::pause_all(conn, &found.id, "application révoquée", now)?;
    view_of(conn, id, now)
}

/// Every application, as the back office lists them.
pub fn list(conn: &mut DbConn, now: NaiveDateTime) -> Result<ApplicationList, ApiError> {
    let secrets = application::valid_secrets(conn, None, now)?;
    let items = application::all(conn)?
        .into_iter()
        .map(|app| view(app, &secrets))
        .collect::<Result<_, _>>()?;
    Ok(ApplicationList { items })
}

/// Why a token request was refused, as RFC 6749 §5.2 names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRefusal {
    /// Unknown client, wrong or expired secret, revoked application (401).
    InvalidClient,
    /// A scope it was not granted, or an unknown one (400).
    InvalidScope,
}

/// The application whose credentials these are, and the scopes its token gets: those
/// asked for (`scope`), all of them if it asks for none.
pub fn exchange(
    conn: &mut DbConn,
    client_id: &str,
    client_secret: &str,
    scope: Option<&str>,
    now: NaiveDateTime,
) -> Result<Result<(Application, Vec<Scope>), TokenRefusal>, ApiError> {
    // A client id that is not a UUID matches nothing; say so without a query.
    if Uuid::parse_str(client_id).is_err() {
        return Ok(Err(TokenRefusal::InvalidClient));
    }
    let Some(found) = application::by_secret(conn, client_id, &tokens::hash(client_secret), now)?
    else {
        return Ok(Err(TokenRefusal::InvalidClient));
    };
    let granted = parse_scopes(&found.scopes).unwrap_or_default();
    // An empty `scope` (Swagger UI's « Authorize » sends one when none is ticked) asks
    // for nothing in particular: every scope granted, as when it is left out.
    let scope = scope.filter(|s| !s.trim().is_empty());
    let scopes = match scope.map(parse_scopes) {
        None => granted,
        Some(Some(asked)) if !asked.is_empty() && asked.iter().all(|s| granted.contains(s)) => {
            asked
        }
        Some(_) => return Ok(Err(TokenRefusal::InvalidScope)),
    };
    Ok(Ok((found, scopes)))
}

fn live(conn: &mut DbConn, id: &str) -> Result<Application, ApiError> {
    match application::find(conn, id)? {
        Some(found) if found.revoked_at.is_none() => Ok(found),
        Some(_) => Err(ApiError::Conflict("Cette application est révoquée.")),
        None => Err(ApiError::NotFound),
    }
}

fn issue_secret(
    conn: &mut DbConn,
    id: &str,
    now: NaiveDateTime,
) -> Result<IssuedCredentials, ApiError> {
    let (secret, hash) = tokens::generate();
    application::add_secret(conn, &new_id(), id, &hash, now)?;
    Ok(IssuedCredentials {
        application: view_of(conn, id, now)?,
        client_id: stored_id(id)?,
        client_secret: secret,
    })
}

fn view_of(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> Result<ApplicationView, ApiError> {
    let found = application::find(conn, id)?.ok_or(ApiError::NotFound)?;
    let secrets = application::valid_secrets(conn, Some(id), now)?;
    view(found, &secrets)
}

fn view(app: Application, secrets: &[SecretRow]) -> Result<ApplicationView, ApiError> {
    Ok(ApplicationView {
        id: stored_id(&app.id)?,
        scopes: parse_scopes(&app.scopes).unwrap_or_default(),
        secrets: secrets
            .iter()
            .filter(|s| s.application_id == app.id)
            .map(|s| SecretInfo {
                created_at: s.created_at.and_utc(),
                expires_at: s.expires_at.map(|at| at.and_utc()),
            })
            .collect(),
        name: app.name,
        contact_email: app.contact_email,
        created_at: app.created_at.and_utc(),
        revoked_at: app.revoked_at.map(|at| at.and_utc()),
        last_used_at: app.last_used_at.map(|at| at.and_utc()),
        request_count: app.request_count,
    })
}
