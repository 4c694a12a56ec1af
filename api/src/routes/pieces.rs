//! Pièces justificatives: the catalogue, a dossier's pieces, uploads and replacements
//! (the rules are in `documents::upload`), deletion and download.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use shared::api::pieces::{Piece, PieceTypeList, PieceUploadForm, PiecesResponse};

use crate::auth::extractor::ConsentedUser;
use crate::db::models::piece::{self, FileRow};
use crate::db::models::piece_type;
use crate::documents::download::{self, StoredFile};
use crate::documents::pieces::{DossierPieces, active_codes};
use crate::documents::receive::{UploadBody, require_multipart};
use crate::documents::storage::Shelf;
use crate::documents::upload::{own_dossier, refuse_oversized_body, upload};
use crate::domain::calendar::today;
use crate::error::ApiError;
use crate::extract::{idempotency_key, optional_idempotency_key};
use crate::state::AppState;

/// The catalogue of types de pièce: what each concerns, accepted formats, validity and
/// when it is required.
#[utoipa::path(
    tag = "Pièces justificatives",
    responses((status = 200, body = PieceTypeList)),
)]
#[get("/types-de-piece")]
pub async fn list_piece_types(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let items = state.read(|conn| Ok(piece_type::active(conn)?)).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(PieceTypeList { items }))
}

/// Étape 2/3: the pieces to provide (with their status), the pieces provided, the types
/// that can be added and the upload limits.
#[utoipa::path(
    tag = "Pièces justificatives",
    params(("id" = Uuid, Path, description = "Dossier id")),
    responses(
        (status = 200, body = PiecesResponse),
        (status = 404, description = "No such dossier, or not yours", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/dossiers/{id}/pieces")]
pub async fn list_pieces(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let scanning = state.scanner.is_some();
    let response = state
        .read(move |conn| {
            let (found, editable) = own_dossier(conn, &id, &user.account_id)?;
            DossierPieces::load(conn, &found.id, editable)?
                .with_scans(conn, scanning)?
                .response(&active_codes(conn)?, today())
        })
        .await?;
    Ok(super::private_json(StatusCode::OK, &response))
}

/// The errors an upload may answer, documented once.
#[derive(utoipa::IntoResponses)]
pub enum UploadErrors {
    /// `idempotency_key_required` (a new piece), or an unreadable multipart body.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(shared::error::Problem),
    /// No such dossier or piece — or not yours (the same answer).
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(shared::error::Problem),
    /// `dossier_locked` (the request waits for validation), or `request_in_progress`.
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(shared::error::Problem),
    /// `payload_too_large`: a file over 10 Mio (`fichiers.<index>`: `file_too_large`).
    #[response(status = 413, content_type = "application/problem+json")]
    TooLarge(shared::error::Problem),
    /// `unsupported_media_type`: not multipart, or a file whose content is not an accepted
    /// format (`fichiers.<index>`: `format_not_accepted`).
    #[response(status = 415, content_type = "application/problem+json")]
    Unsupported(shared::error::Problem),
    /// `validation_failed` (fields `type_code`, `member_id`, `emis_le`, `fichiers`,
    /// `fichiers.<index>`: `pdf_active_content`, `file_damaged`, `too_many_files`,
    /// `quota_exceeded`), or `idempotency_key_reused`.
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(shared::error::Problem),
}

/// « Ajouter un justificatif »: one piece with one to five files, in `multipart/form-data`
/// (text fields `type_code`, `member_id`, `emis_le` first, then the `fichier` parts).
/// Limits, applied while the body streams in: 10 Mio per file, 5 files per piece, 20 files
/// and 100 Mio per dossier. Each file's format is decided by its content (PDF, or JPEG/PNG
/// where the type allows it); PDFs with active content or other content hidden in them are
/// refused. The date of presentation is today. `Idempotency-Key` is required: a retry with
/// the same key and the same content answers the first result and creates nothing.
#[utoipa::path(
    tag = "Pièces justificatives",
    params(
        ("id" = Uuid, Path, description = "Dossier id"),
        ("Idempotency-Key" = String, Header, max_length = 128, pattern = r"^[!-~]+$",
            description = "A fresh random value per upload (visible ASCII, at most 128 characters), reused for its retries"),
    ),
    request_body(content = PieceUploadForm, content_type = "multipart/form-data"),
    responses(
        UploadErrors,
        (status = 201, description = "Stored; « En attente de validation »", body = Piece),
    ),
    security(("bearer" = []))
)]
#[post("/dossiers/{id}/pieces")]
pub async fn create_piece(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    require_multipart(&req)?;
    refuse_oversized_body(&req)?;
    let mut body = UploadBody::new(&req, payload, state.upload_bytes_read.clone());
    let key = match idempotency_key(&req) {
        Ok(key) => key,
        Err(error) => {
            body.discard().await;
            return Err(error);
        }
    };
    upload(&state, &user, &path.into_inner(), None, Some(key), body).await
}

/// Replaces a piece's files and date of issue (while the dossier is a draft or
/// « à compléter »): it waits for validation again. Same form and limits as the upload.
#[utoipa::path(
    tag = "Pièces justificatives",
    params(
        ("id" = Uuid, Path, description = "Dossier id"),
        ("piece_id" = Uuid, Path),
        ("Idempotency-Key" = Option<String>, Header, max_length = 128, pattern = r"^[!-~]+$",
            description = "Optional here: a retry with the same key and content answers the first result"),
    ),
    request_body(content = PieceUploadForm, content_type = "multipart/form-data"),
    responses(
        UploadErrors,
        (status = 200, body = Piece),
    ),
    security(("bearer" = []))
)]
#[put("/dossiers/{id}/pieces/{piece_id}")]
pub async fn replace_piece(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    require_multipart(&req)?;
    refuse_oversized_body(&req)?;
    let key = optional_idempotency_key(&req)?;
    let (dossier_id, piece_id) = path.into_inner();
    let body = UploadBody::new(&req, payload, state.upload_bytes_read.clone());
    upload(&state, &user, &dossier_id, Some(piece_id), key, body).await
}

/// Removes a piece and its files (while the dossier is a draft or « à compléter »).
#[utoipa::path(
    tag = "Pièces justificatives",
    params(("id" = Uuid, Path, description = "Dossier id"), ("piece_id" = Uuid, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such piece, or not yours", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "`dossier_locked`", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/dossiers/{id}/pieces/{piece_id}")]
pub async fn delete_piece(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (dossier_id, piece_id) = path.into_inner();
    let removed = state
        .write(move |conn| {
            let (found, editable) = own_dossier(conn, &dossier_id, &user.account_id)?;
            piece::find(conn, &found.id, &piece_id)?;
            if !editable {
                return Err(ApiError::DossierLocked);
            }
            Ok(piece::delete(conn, &piece_id)?)
        })
        .await?;
    state.storage.delete(Shelf::Pieces, &removed).await;
    Ok(HttpResponse::NoContent()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}

/// One file of a piece, as an attachment that no browser will render or cache.
#[utoipa::path(
    tag = "Pièces justificatives",
    params(("id" = Uuid, Path, description = "Dossier id"), ("piece_id" = Uuid, Path), ("file_id" = Uuid, Path)),
    responses(
        (status = 200, description = "The file (`Content-Disposition: attachment`)", content_type = "application/pdf"),
        (status = 404, description = "No such file, or not yours", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/dossiers/{id}/pieces/{piece_id}/fichiers/{file_id}")]
pub async fn download_file(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (dossier_id, piece_id, file_id) = path.into_inner();
    let file = state
        .read(move |conn| {
            let (found, _) = own_dossier(conn, &dossier_id, &user.account_id)?;
            Ok(piece::find_file(conn, &found.id, &piece_id, &file_id)?)
        })
        .await?;
    attachment(&state, &file).await
}

/// A piece's file as an attachment (no caching: it is personal), for families, agents and
/// connected applications — once malware scanning found it clean, when there is a scanner.
pub(crate) async fn attachment(state: &AppState, file: &FileRow) -> Result<HttpResponse, ApiError> {
    crate::documents::scanning::ensure_servable(state, &file.id).await?;
    let media_type = shared::api::pieces::Format::parse(&file.format)
        .map(|f| f.media_type())
        .unwrap_or("application/octet-stream");
    download::attachment(
        &state.storage,
        StoredFile {
            shelf: Shelf::Pieces,
            id: &file.id,
            display_name: &file.display_name,
            media_type,
            size: file.size_bytes,
            cache_control: "no-store",
        },
    )
    .await
}
