//! What applications read, incrementally (a page of changes after a cursor) or one by one:
//! validated dossiers (`dossiers:read`), submitted requests with their history
//! (`demandes:read`), pieces and their files (`pieces:read`), inscriptions
//! (`inscriptions:read`), the catalogue (`activites:read`). Every read of a family's data
//! is in its audit log.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};
use shared::api::integration::{
    ActiviteChanges, DemandeChanges, DossierChanges, InscriptionChanges, IntegrationDemande,
    IntegrationDossier, IntegrationInscription, PieceChanges,
};

use super::{SyncQuery, UNAUTHORIZED, tagged};
use crate::auth::integration::{Allowed, scope};
use crate::db::now;
use crate::error::ApiError;
use crate::integrations::feeds::{activites, demandes, dossiers, inscriptions, pieces};
use crate::routes::private_json;
use crate::state::AppState;

/// What changed in the validated dossiers since the cursor: each changed dossier as it is
/// now (with its members and links), and tombstones for dossiers and members deleted.
/// Changes come in a stable order and one committed while you page is never skipped: keep
/// `next_cursor` and come back with it.
#[utoipa::path(
    tag = "Intégrations",
    params(SyncQuery),
    responses(
        (status = 200, body = DossierChanges),
        (status = 401, description = UNAUTHORIZED, body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: the token lacks `dossiers:read`", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("application" = ["dossiers:read"]))
)]
#[get("/integration/v1/dossiers")]
pub async fn sync_dossiers(
    allowed: Allowed<scope::DossiersRead>,
    state: web::Data<AppState>,
    query: web::Query<SyncQuery>,
) -> Result<HttpResponse, ApiError> {
    let app = allowed.app;
    let request = query.into_inner().page_request()?;
    let page = state
        .write(move |conn| dossiers::changes(conn, &app.application_id, &request, now()))
        .await?;
    Ok(private_json(StatusCode::OK, &page))
}

/// One validated dossier, with its members and links.
#[utoipa::path(
    tag = "Intégrations",
    params(("id" = Uuid, Path, description = "Dossier id")),
    responses(
        (status = 200, body = IntegrationDossier, headers(("ETag" = String, description = "For `If-Match` on the dossier's writes"))),
        (status = 401, description = UNAUTHORIZED, body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: the token lacks `dossiers:read`", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such dossier, or not validated", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("application" = ["dossiers:read"]))
)]
#[get("/integration/v1/dossiers/{id}")]
pub async fn get_dossier(
    allowed: Allowed<scope::DossiersRead>,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let app = allowed.app;
    let id = path.into_inner();
    let dossier = state
        .write(move |conn| dossiers::read(conn, &app.application_id, &id, now()))
        .await?;
    tagged(StatusCode::OK, &dossier)
}

/// What changed in the submitted requests since the cursor: each as it is now, with its
/// whole history (a new step is a change), or a tombstone. Drafts are never shown. Same
/// cursor rules as the dossiers' feed.
#[utoipa::path(
    tag = "Intégrations",
    params(SyncQuery),
    responses(
        (status = 200, body = DemandeChanges),
        (status = 401, description = UNAUTHORIZED, body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: the token lacks `demandes:read`", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("application" = ["demandes:read"]))
)]
#[get("/integration/v1/demandes")]
pub async fn sync_demandes(
    allowed: Allowed<scope::DemandesRead>,
    state: web::Data<AppState>,
    query: web::Query<SyncQuery>,
) -> Result<HttpResponse, ApiError> {
    let app = allowed.app;
    let request = query.into_inner().page_request()?;
    let page = state
        .write(move |conn| demandes::changes(conn, &app.application_id, &request, now()))
        .await?;
    Ok(private_json(StatusCode::OK, &page))
}

/// One submitted request, with its history.
#[utoipa::path(
    tag = "Intégrations",
    params(("id" = Uuid, Path, description = "Request id")),
    responses(
        (status = 200, body = IntegrationDemande, headers(("ETag" = String, description = "For `If-Match` on a decision"))),
        (status = 401, description = UNAUTHORIZED, body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: the token lacks `demandes:read`", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request, or a draft", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("application" = ["demandes:read"]))
)]
#[get("/integration/v1/demandes/{id}")]
pub async fn get_demande(
    allowed: Allowed<scope::DemandesRead>,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let app = allowed.app;
    let id = path.into_inner();
    let demande = state
        .write(move |conn| demandes::read(conn, &app.application_id, &id, now()))
        .await?;
    tagged(StatusCode::OK, &demande)
}

/// What changed in the pieces since the cursor: each piece as it is now (status, dates,
/// its files' names, sizes and SHA-256), or a tombstone when it was replaced, deleted or
/// purged. A dossier's pieces appear once its family sent a request. Same cursor rules as
/// the dossiers' feed.
#[utoipa::path(
    tag = "Intégrations",
    params(SyncQuery),
    responses(
        (status = 200, body = PieceChanges),
        (status = 401, description = UNAUTHORIZED, body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: the token lacks `pieces:read`", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("application" = ["pieces:read"]))
)]
#[get("/integration/v1/pieces")]
pub async fn sync_pieces(
    allowed: Allowed<scope::PiecesRead>,
    state: web::Data<AppState>,
    query: web::Query<SyncQuery>,
) -> Result<HttpResponse, ApiError> {
    let app = allowed.app;
    let request = query.into_inner().page_request()?;
    let scanning = state.scanner.is_some();
    let page = state
        .write(move |conn| pieces::changes(conn, &app.application_id, &request, scanning, now()))
        .await?;
    Ok(private_json(StatusCode::OK, &page))
}

/// One file of a piece, as an attachment (compare its SHA-256 with the feed's).
#[utoipa::path(
    tag = "Intégrations",
    params(("id" = Uuid, Path, description = "Piece id"), ("file_id" = Uuid, Path)),
    responses(
        (status = 200, description = "The file (`Content-Disposition: attachment`)", content_type = "application/pdf"),
        (status = 401, description = UNAUTHORIZED, body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: the token lacks `pieces:read`", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such file, or its dossier was never sent", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("application" = ["pieces:read"]))
)]
#[get("/integration/v1/pieces/{id}/fichiers/{file_id}")]
pub async fn download_piece_file(
    allowed: Allowed<scope::PiecesRead>,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let app = allowed.app;
    let (piece_id, file_id) = path.into_inner();
    let file = state
        .write(move |conn| pieces::file(conn, &app.application_id, &piece_id, &file_id, now()))
        .await?;
    crate::routes::pieces::attachment(&state, &file).await
}

/// What changed in the inscriptions since the cursor: each as it is now, `deleted` once
/// cancelled or refused (with its status and reason) or gone. Same cursor rules as the
/// dossiers' feed.
#[utoipa::path(
    tag = "Intégrations",
    params(SyncQuery),
    responses(
        (status = 200, body = InscriptionChanges),
        (status = 401, description = UNAUTHORIZED, body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: the token lacks `inscriptions:read`", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("application" = ["inscriptions:read"]))
)]
#[get("/integration/v1/inscriptions")]
pub async fn sync_inscriptions(
    allowed: Allowed<scope::InscriptionsRead>,
    state: web::Data<AppState>,
    query: web::Query<SyncQuery>,
) -> Result<HttpResponse, ApiError> {
    let app = allowed.app;
    let request = query.into_inner().page_request()?;
    let page = state
        .write(move |conn| inscriptions::changes(conn, &app.application_id, &request, now()))
        .await?;
    Ok(private_json(StatusCode::OK, &page))
}

/// One inscription.
#[utoipa::path(
    tag = "Intégrations",
    params(("id" = Uuid, Path, description = "Inscription id")),
    responses(
        (status = 200, body = IntegrationInscription),
        (status = 401, description = UNAUTHORIZED, body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: the token lacks `inscriptions:read`", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such inscription", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("application" = ["inscriptions:read"]))
)]
#[get("/integration/v1/inscriptions/{id}")]
pub async fn get_inscription(
    allowed: Allowed<scope::InscriptionsRead>,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let app = allowed.app;
    let id = path.into_inner();
    let inscription = state
        .write(move |conn| inscriptions::read(conn, &app.application_id, &id, now()))
        .await?;
    Ok(private_json(StatusCode::OK, &inscription))
}

/// What changed in the catalogue since the cursor: each changed activité with all its
/// périodes, published or not (their places taken as they are when read: enrolments are
/// not catalogue changes — read the inscriptions' feed for them). Same cursor rules as the
/// dossiers' feed.
#[utoipa::path(
    tag = "Intégrations",
    params(SyncQuery),
    responses(
        (status = 200, body = ActiviteChanges),
        (status = 401, description = UNAUTHORIZED, body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: the token lacks `activites:read`", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("application" = ["activites:read"]))
)]
#[get("/integration/v1/activites")]
pub async fn sync_activites(
    _allowed: Allowed<scope::ActivitesRead>,
    state: web::Data<AppState>,
    query: web::Query<SyncQuery>,
) -> Result<HttpResponse, ApiError> {
    let request = query.into_inner().page_request()?;
    let page = state
        .read(move |conn| activites::changes(conn, &request))
        .await?;
    Ok(private_json(StatusCode::OK, &page))
}
