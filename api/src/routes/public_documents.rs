//! The town's public documents: listed and downloaded by anyone, uploaded by staff through
//! the same streamed, limited and inspected path as the families' pieces (one PDF each).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use shared::api::content::{PublicDocument, PublicDocumentForm, PublicDocumentList};
use shared::api::pieces::Format;
use shared::pieces::MAX_FILE_BYTES;
use shared::validation::codes;

use crate::auth::extractor::StaffUser;
use crate::db::models::public_document::{self, DocumentRow};
use crate::db::{new_id, now};
use crate::documents::download::{StoredFile, attachment};
use crate::documents::inspect::Verdict;
use crate::documents::receive::{Allowance, TextFields, UploadBody, receive, require_multipart};
use crate::documents::storage::Shelf;
use crate::error::ApiError;
use crate::routes::content::cacheable_json;
use crate::routes::private_json;
use crate::state::AppState;

fn view(row: DocumentRow) -> Result<PublicDocument, ApiError> {
    Ok(PublicDocument {
        id: row.id.parse().map_err(anyhow::Error::from)?,
        titre: row.titre,
        categorie: row.categorie,
        nom: row.display_name,
        taille: u64::try_from(row.size_bytes).map_err(anyhow::Error::from)?,
        publie_le: row.created_at.and_utc(),
    })
}

/// The public documents, by category (cacheable).
#[utoipa::path(tag = "Contenu", responses((status = 200, body = PublicDocumentList)))]
#[get("/documents")]
pub async fn list_documents(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let rows = state.read(|conn| Ok(public_document::list(conn)?)).await?;
    let items = rows.into_iter().map(view).collect::<Result<_, _>>()?;
    cacheable_json(&req, &PublicDocumentList { items })
}

/// A public document's PDF, as an attachment no browser renders inline.
#[utoipa::path(
    tag = "Contenu",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The PDF (`Content-Disposition: attachment`)", content_type = "application/pdf"),
        (status = 403, description = "`forbidden`: malware scanning found the file infected; it is never served", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such document", body = shared::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/documents/{id}/fichier")]
pub async fn download_document(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let row = state
        .read(move |conn| Ok(public_document::find(conn, &id)?))
        .await?;
    crate::documents::scanning::ensure_servable(&state, &row.id).await?;
    attachment(
        &state.storage,
        StoredFile {
            shelf: Shelf::Documents,
            id: &row.id,
            display_name: &row.display_name,
            media_type: Format::Pdf.media_type(),
            size: row.size_bytes,
            cache_control: "public, max-age=300",
        },
    )
    .await
}

fn text(
    fields: &TextFields,
    name: &str,
    max: usize,
    errors: &mut shared::error::FieldErrors,
) -> String {
    let value = fields.get(name).map(str::trim).unwrap_or_default();
    let code = if value.is_empty() {
        Some(codes::REQUIRED)
    } else if value.chars().count() > max {
        Some(codes::TOO_LONG)
    } else if value.chars().any(char::is_control) {
        Some(codes::INVALID_CHARACTERS)
    } else {
        None
    };
    if let Some(code) = code {
        errors.insert(name.to_string(), vec![code.to_string()]);
    }
    value.to_string()
}

/// Publishes a document (staff): `multipart/form-data` with `titre`, `categorie`, then one
/// `fichier` — a PDF of at most 10 Mio, checked like the families' pieces.
#[utoipa::path(
    tag = "Back office",
    request_body(content = PublicDocumentForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = PublicDocument),
        (status = 413, description = "Over 10 Mio", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not a PDF", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing title or category, damaged or active PDF", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/backoffice/documents")]
pub async fn create_document(
    state: web::Data<AppState>,
    staff: StaffUser,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    require_multipart(&req)?;
    let mut body = UploadBody::new(&req, payload, state.upload_bytes_read.clone());
    let ((titre, categorie), files) = receive(
        &mut body,
        state.storage.scratch_dir(),
        &["titre", "categorie"],
        |fields| {
            let mut errors = shared::error::FieldErrors::new();
            let titre = text(fields, "titre", 200, &mut errors);
            let categorie = text(fields, "categorie", 100, &mut errors);
            if !errors.is_empty() {
                return Err(ApiError::Validation(errors));
            }
            Ok((
                (titre, categorie),
                Allowance {
                    formats: vec![Format::Pdf],
                    per_upload: 1,
                    files: 1,
                    bytes: MAX_FILE_BYTES,
                },
            ))
        },
    )
    .await?;
    let Some(file) = files.into_iter().next() else {
        return Err(ApiError::field("fichiers", codes::REQUIRED));
    };
    if let Verdict::Refused { code, reason } = state.inspector.inspect(file.scratch.path()).await? {
        let field_code = if code == codes::PDF_ACTIVE_CONTENT {
            codes::PDF_ACTIVE_CONTENT
        } else {
            codes::FILE_DAMAGED
        };
        return Err(ApiError::UploadRefused {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            field: "fichiers.0".into(),
            field_code,
            detail: format!(
                "Le fichier « {} » est refusé : {reason}.",
                file.display_name
            ),
        });
    }
    let row = DocumentRow {
        id: new_id(),
        titre,
        categorie,
        display_name: file.display_name.clone(),
        size_bytes: i64::try_from(file.size).unwrap_or(i64::MAX),
        sha256: file.sha256.clone(),
        created_by: Some(staff.user.account_id.clone()),
        created_at: now(),
    };
    state
        .storage
        .put_file(Shelf::Documents, &row.id, file.scratch.path())
        .await
        .map_err(|e| {
            ApiError::file_store_unavailable(e.context("Failed to store a public document"))
        })?;
    let id = row.id.clone();
    let saved = state
        .write(move |conn| {
            public_document::insert(conn, &row)?;
            Ok(row)
        })
        .await;
    match saved {
        Ok(row) => Ok(private_json(StatusCode::CREATED, &view(row)?)),
        Err(error) => {
            state.storage.delete(Shelf::Documents, &[id]).await;
            Err(error)
        }
    }
}

/// Removes a public document and its file (staff).
#[utoipa::path(
    tag = "Back office",
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "Deleted"), (status = 404, description = "No such document", body = shared::error::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[delete("/backoffice/documents/{id}")]
pub async fn delete_document(
    state: web::Data<AppState>,
    _staff: StaffUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let removed = id.clone();
    state
        .write(move |conn| match public_document::delete(conn, &id)? {
            0 => Err(ApiError::NotFound),
            _ => Ok(()),
        })
        .await?;
    state.storage.delete(Shelf::Documents, &[removed]).await;
    Ok(HttpResponse::NoContent().finish())
}
