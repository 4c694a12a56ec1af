//! What the dossier and demande handlers share: `ETag` / `If-Match` (SECURITY.md H-01) and
//! the one transactional path every family write takes. What a dossier looks like is
//! [`crate::dossier_views`].

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use shared::api::dossier::DossierResponse;

use crate::db::models::demande;
use crate::db::models::dossier::{self, Dossier, Expected};
use crate::db::{DbConn, now};
use crate::error::ApiError;
use crate::state::AppState;

/// The version named by `If-Match: "7"`, or any with `If-Match: *` (428 without the
/// header, 412 if unreadable).
pub fn if_match(req: &HttpRequest) -> Result<Expected, ApiError> {
    let value = req
        .headers()
        .get(header::IF_MATCH)
        .ok_or(ApiError::PreconditionRequired)?;
    let text = value
        .to_str()
        .map_err(|_| ApiError::PreconditionFailed)?
        .trim();
    if text == "*" {
        return Ok(Expected::Any);
    }
    text.trim_start_matches("W/")
        .trim_matches('"')
        .parse()
        .map(Expected::Version)
        .map_err(|_| ApiError::PreconditionFailed)
}

/// A private JSON answer carrying the dossier version as its `ETag`.
pub fn with_etag(
    mut builder: HttpResponseBuilder,
    version: i32,
    body: &impl serde::Serialize,
) -> HttpResponse {
    builder
        .insert_header((header::ETAG, format!("\"{version}\"")))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(body)
}

/// Runs a family's change to dossier `dossier_id` in one transaction: the dossier must be
/// the account's (else 404), open for edits (else 409 `dossier_locked`), and still at the
/// version the family read (else 412). Answers the updated dossier.
pub async fn write_dossier(
    state: &AppState,
    account_id: &str,
    dossier_id: &str,
    expected_version: Expected,
    change: impl FnOnce(&mut DbConn, &Dossier) -> Result<(), ApiError> + Send + 'static,
) -> Result<DossierResponse, ApiError> {
    let (account_id, dossier_id) = (account_id.to_string(), dossier_id.to_string());
    state
        .write(move |conn| {
            let found = dossier::find_for_account(conn, &dossier_id, &account_id)?;
            if !demande::current(conn, &found.id)?
                .status()?
                .family_can_edit()
            {
                return Err(ApiError::DossierLocked);
            }
            if !dossier::bump_version(conn, &found.id, expected_version, now())? {
                return Err(ApiError::PreconditionFailed);
            }
            change(conn, &found)?;
            let updated = dossier::find_for_account(conn, &dossier_id, &account_id)?;
            crate::dossier_views::view(conn, &updated)
        })
        .await
}

/// The error answers every dossier write may give, documented once for OpenAPI.
#[derive(utoipa::IntoResponses)]
pub enum DossierWriteErrors {
    /// No such dossier, member or request — or not yours (the same answer).
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(shared::error::Problem),
    /// `dossier_locked`: the request waits for the town's decision.
    #[response(status = 409, content_type = "application/problem+json")]
    Locked(shared::error::Problem),
    /// `precondition_failed`: changed meanwhile (another tab or parent); reload.
    #[response(status = 412, content_type = "application/problem+json")]
    Stale(shared::error::Problem),
    /// `validation_failed`: see `fields`.
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(shared::error::Problem),
    /// `precondition_required`: `If-Match` is missing.
    #[response(status = 428, content_type = "application/problem+json")]
    MissingIfMatch(shared::error::Problem),
}
