//! The integration API (`/api/integration/v1/`): what connected applications read and
//! write, each route behind its scope. The door ([`crate::auth::integration`]) has checked
//! the token and the application before any of these runs.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use shared::api::integration::{DossierChanges, IntegrationDossier, Scope};

use crate::auth::integration::Integration;
use crate::db::now;
use crate::error::ApiError;
use crate::integrations::sync::{self, PageRequest};
use crate::routes::private_json;
use crate::state::AppState;

/// Where a sync starts and how much it takes.
#[derive(Deserialize, utoipa::IntoParams, validator::Validate)]
#[serde(deny_unknown_fields)]
pub struct SyncQuery {
    /// The `next_cursor` of the previous page: the changes after it. Without it, every
    /// change from the beginning (or from `updated_since`).
    #[param(max_length = 200)]
    #[validate(length(max = 200))]
    pub cursor: Option<String>,
    /// A first sync without a cursor: only what changed at or after this instant (the
    /// database's clock). Ignored with a cursor.
    pub updated_since: Option<DateTime<Utc>>,
    /// Changes per page (default 100, at most 500).
    #[param(minimum = 1, maximum = 500)]
    #[validate(range(min = 1, max = 500))]
    pub limit: Option<u32>,
}

/// What changed in the validated dossiers since the cursor: each changed dossier as it is
/// now (with its members and links), and tombstones for dossiers and members deleted.
/// Changes come in a stable order and one committed while you page is never skipped: keep
/// `next_cursor` and come back with it.
#[utoipa::path(
    tag = "Intégrations",
    params(SyncQuery),
    responses(
        (status = 200, body = DossierChanges),
        (status = 401, description = "`unauthorized`: no valid application token, or the application is revoked (`WWW-Authenticate: Bearer error=\"invalid_token\"`)", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: the token lacks `dossiers:read`", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("application" = ["dossiers:read"]))
)]
#[get("/integration/v1/dossiers")]
pub async fn sync_dossiers(
    state: web::Data<AppState>,
    app: Integration,
    query: web::Query<SyncQuery>,
) -> Result<HttpResponse, ApiError> {
    app.require(Scope::DossiersRead)?;
    let query = query.into_inner();
    validator::Validate::validate(&query)?;
    let cursor =
        match query.cursor.as_deref() {
            Some(text) => Some(sync::decode_cursor(text).ok_or_else(|| {
                ApiError::field("cursor", shared::validation::codes::INVALID_CURSOR)
            })?),
            None => None,
        };
    let request = PageRequest {
        cursor,
        updated_since: query.updated_since.map(|at| at.naive_utc()),
        limit: query.limit.unwrap_or(sync::DEFAULT_PAGE),
    };
    let page = state
        .write(move |conn| sync::dossier_changes(conn, &app.application_id, &request, now()))
        .await?;
    Ok(private_json(StatusCode::OK, &page))
}

/// One validated dossier, with its members and links.
#[utoipa::path(
    tag = "Intégrations",
    params(("id" = Uuid, Path, description = "Dossier id")),
    responses(
        (status = 200, body = IntegrationDossier),
        (status = 401, description = "`unauthorized`: no valid application token, or the application is revoked (`WWW-Authenticate: Bearer error=\"invalid_token\"`)", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: the token lacks `dossiers:read`", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such dossier, or not validated", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("application" = ["dossiers:read"]))
)]
#[get("/integration/v1/dossiers/{id}")]
pub async fn get_dossier(
    state: web::Data<AppState>,
    app: Integration,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    app.require(Scope::DossiersRead)?;
    let id = path.into_inner();
    let dossier = state
        .write(move |conn| sync::read_dossier(conn, &app.application_id, &id, now()))
        .await?;
    Ok(private_json(StatusCode::OK, &dossier))
}
