//! An upload of a pièce justificative (new or replacing one), from the request to the
//! recorded row: the dossier checked and the idempotency key claimed before the body is
//! read, the files streamed to scratch, inspected, written to the store, then recorded in
//! one transaction with the dossier's quota re-checked under its lock.
//!
//! The files are written to the store first and recorded after: a row never points at a
//! missing file (SECURITY.md H-05). When the transaction fails the new objects are deleted;
//! if the process dies in between, the purge job removes the objects no row names.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use sha2::{Digest, Sha256};
use shared::pieces::{MAX_FILE_BYTES, MAX_FILES_PER_PIECE};
use shared::validation::codes;

use crate::auth::extractor::AuthUser;
use crate::db::models::piece::{self, FileRow, PieceRow};
use crate::db::models::{demande, dossier, idempotency};
use crate::db::{DbConn, new_id, now};
use crate::documents::inspect::Verdict;
use crate::documents::pieces::{Accepted, DossierPieces, UPLOAD_FIELDS, active_codes};
use crate::documents::receive::{MAX_BODY_BYTES, ReceivedFile, UploadBody, quota_refusal, receive};
use crate::documents::storage::Shelf;
use crate::domain::calendar::today;
use crate::enum_text::to_text;
use crate::error::ApiError;
use crate::state::AppState;

/// The dossier, if it is the account's, and whether the family may change it now.
pub fn own_dossier(
    conn: &mut DbConn,
    dossier_id: &str,
    account_id: &str,
) -> Result<(dossier::Dossier, bool), ApiError> {
    let found = dossier::find_for_account(conn, dossier_id, account_id)?;
    let editable = demande::current(conn, &found.id)?
        .status()?
        .family_can_edit();
    Ok((found, editable))
}

/// A body announced larger than five files of the largest size is refused before a byte
/// of it is read (bodies without `Content-Length` are cut off while streaming).
pub fn refuse_oversized_body(req: &HttpRequest) -> Result<(), ApiError> {
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > MAX_BODY_BYTES) {
        return Err(ApiError::UploadRefused {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            field: "fichiers".into(),
            field_code: codes::FILE_TOO_LARGE,
            detail: format!(
                "L'envoi dépasse la taille maximale : {MAX_FILES_PER_PIECE} fichiers de {} au plus.",
                shared::pieces::human_size(MAX_FILE_BYTES)
            ),
        });
    }
    Ok(())
}

/// Identifies an upload's content, to tell a retry from a different request.
fn fingerprint(accepted: &Accepted, files: &[ReceivedFile]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(accepted.type_code.as_bytes());
    hasher.update([0]);
    hasher.update(accepted.member_id.as_deref().unwrap_or_default().as_bytes());
    hasher.update([0]);
    hasher.update(accepted.emis_le.to_string().as_bytes());
    for file in files {
        hasher.update([0]);
        hasher.update(file.sha256.as_bytes());
        hasher.update(file.display_name.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// The shared path of an upload and a replacement.
pub async fn upload(
    state: &web::Data<AppState>,
    user: &AuthUser,
    dossier_id: &str,
    replacing: Option<String>,
    key: Option<String>,
    mut body: UploadBody,
) -> Result<HttpResponse, ApiError> {
    let before_reading =
        check_and_claim(state, user, dossier_id, replacing.clone(), key.clone()).await;
    let (found_id, pieces, active, claim) = match before_reading {
        Ok(ready) => ready,
        Err(error) => {
            // Read the body anyway, so that the client receives the answer.
            body.discard().await;
            return Err(error);
        }
    };
    let account_id = user.account_id.clone();
    let holds_key = claim == Some(idempotency::Claim::Taken);
    let outcome = receive_and_record(
        state,
        &account_id,
        &found_id,
        replacing,
        key.as_deref().filter(|_| holds_key),
        claim,
        &pieces,
        &active,
        body,
    )
    .await;
    if outcome.is_err()
        && holds_key
        && let Some(key) = key
    {
        let release = state
            .write(move |conn| Ok(idempotency::release(conn, &account_id, &key)?))
            .await;
        if let Err(error) = release {
            tracing::warn!(?error, "failed to release an idempotency key");
        }
    }
    outcome
}

/// Before reading the body: the dossier is the account's and open for changes, the piece
/// being replaced is one of its, and the idempotency key is taken (or was used).
async fn check_and_claim(
    state: &web::Data<AppState>,
    user: &AuthUser,
    dossier_id: &str,
    replacing: Option<String>,
    key: Option<String>,
) -> Result<
    (
        String,
        DossierPieces,
        Vec<String>,
        Option<idempotency::Claim>,
    ),
    ApiError,
> {
    let account_id = user.account_id.clone();
    let (found_id, pieces, active) = {
        let (account_id, dossier_id, replacing) = (
            account_id.clone(),
            dossier_id.to_string(),
            replacing.clone(),
        );
        state
            .read(move |conn| {
                let (found, editable) = own_dossier(conn, &dossier_id, &account_id)?;
                if let Some(piece_id) = &replacing {
                    piece::find(conn, &found.id, piece_id)?;
                }
                if !editable {
                    return Err(ApiError::DossierLocked);
                }
                let pieces = DossierPieces::load(conn, &found.id, editable)?;
                Ok((found.id, pieces, active_codes(conn)?))
            })
            .await?
    };
    let claim = match &key {
        None => None,
        Some(key) => {
            let (account_id, key) = (account_id.clone(), key.clone());
            let lease = chrono::Duration::from_std(state.settings.upload_claim_lease)
                .map_err(anyhow::Error::from)?;
            Some(
                state
                    .write(move |conn| {
                        let now = now();
                        let stale = now - lease;
                        Ok(idempotency::claim(conn, &account_id, &key, now, stale)?)
                    })
                    .await?,
            )
        }
    };
    if claim == Some(idempotency::Claim::InProgress) {
        return Err(ApiError::RequestInProgress);
    }
    Ok((found_id, pieces, active, claim))
}

#[allow(clippy::too_many_arguments)]
async fn receive_and_record(
    state: &web::Data<AppState>,
    account_id: &str,
    dossier_id: &str,
    replacing: Option<String>,
    held_key: Option<&str>,
    claim: Option<idempotency::Claim>,
    pieces: &DossierPieces,
    active: &[String],
    mut body: UploadBody,
) -> Result<HttpResponse, ApiError> {
    let presente_le = today();
    let (accepted, files) = receive(
        &mut body,
        state.storage.scratch_dir(),
        UPLOAD_FIELDS,
        |fields| pieces.check_upload(active, fields, presente_le, replacing.as_deref()),
    )
    .await?;
    let print = fingerprint(&accepted, &files);
    if let Some(idempotency::Claim::Done {
        fingerprint,
        status,
        body,
    }) = claim
    {
        if fingerprint != print {
            return Err(ApiError::IdempotencyKeyReused);
        }
        return Ok(
            HttpResponse::build(StatusCode::from_u16(status).map_err(anyhow::Error::from)?)
                .insert_header((header::CONTENT_TYPE, "application/json"))
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .body(body),
        );
    }
    for (index, file) in files.iter().enumerate() {
        if let Verdict::Refused { code, reason } =
            state.inspector.inspect(file.scratch.path()).await?
        {
            let field_code = [
                codes::FORMAT_NOT_ACCEPTED,
                codes::PDF_ACTIVE_CONTENT,
                codes::FILE_DAMAGED,
            ]
            .into_iter()
            .find(|c| *c == code)
            .unwrap_or(codes::FILE_DAMAGED);
            return Err(ApiError::UploadRefused {
                status: if field_code == codes::FORMAT_NOT_ACCEPTED {
                    StatusCode::UNSUPPORTED_MEDIA_TYPE
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                },
                field: format!("fichiers.{index}"),
                field_code,
                detail: format!(
                    "Le fichier « {} » est refusé : {reason}.",
                    file.display_name
                ),
            });
        }
    }

    let now = now();
    let piece_id = replacing.clone().unwrap_or_else(new_id);
    let rows: Vec<FileRow> = files
        .iter()
        .enumerate()
        .map(|(position, file)| FileRow {
            id: new_id(),
            piece_id: piece_id.clone(),
            position: i32::try_from(position).unwrap_or(i32::MAX),
            display_name: file.display_name.clone(),
            format: file.format.as_str().to_string(),
            size_bytes: i64::try_from(file.size).unwrap_or(i64::MAX),
            sha256: file.sha256.clone(),
            created_at: now,
        })
        .collect();
    let new_ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    for (row, file) in rows.iter().zip(&files) {
        if let Err(error) = state
            .storage
            .put_file(Shelf::Pieces, &row.id, file.scratch.path())
            .await
        {
            state.storage.delete(Shelf::Pieces, &new_ids).await;
            return Err(ApiError::file_store_unavailable(
                error.context("Failed to store an uploaded file"),
            ));
        }
    }
    if state.settings.fault_injection.fail_after_storing_files {
        // Tests: the process "dies" here, files stored and nothing recorded (H-05).
        return Err(ApiError::Internal(anyhow::anyhow!("injected fault")));
    }

    let row = PieceRow {
        id: piece_id,
        dossier_id: dossier_id.to_string(),
        type_code: accepted.type_code,
        member_id: accepted.member_id,
        status: to_text(&shared::api::pieces::PieceStatus::EnAttenteValidation),
        motif_refus: None,
        presente_le,
        emis_le: accepted.emis_le,
        fin_validite: accepted.fin_validite,
        created_by: Some(account_id.to_string()),
        created_at: now,
        updated_at: now,
        commentaire: None,
        decided_by: None,
        decided_at: None,
        files_erased_at: None,
    };
    let created = replacing.is_none();
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let (account, key) = (account_id.to_string(), held_key.map(str::to_string));
    let hold = state.settings.fault_injection.hold_after_quota_check;
    let scanning = state.scanner.is_some();
    let recorded = state
        .write(move |conn| {
            dossier::lock(conn, &row.dossier_id)?;
            let (found, editable) = own_dossier(conn, &row.dossier_id, &account)?;
            if !editable {
                return Err(ApiError::DossierLocked);
            }
            let (used_files, used_bytes) = piece::usage(conn, &found.id)?;
            let freed = if created {
                Vec::new()
            } else {
                piece::find(conn, &found.id, &row.id)?;
                piece::replace(conn, &row, &rows)?
            };
            if created {
                piece::insert(conn, &row, &rows)?;
            }
            let (now_files, now_bytes) = piece::usage(conn, &found.id)?;
            if (now_files > shared::pieces::MAX_FILES_PER_DOSSIER && now_files > used_files)
                || (now_bytes > shared::pieces::MAX_BYTES_PER_DOSSIER && now_bytes > used_bytes)
            {
                return Err(quota_refusal());
            }
            if let Some(pause) = hold {
                // Injected: widen the window between the quota check and the commit.
                std::thread::sleep(pause);
            }
            let pieces =
                DossierPieces::load(conn, &found.id, editable)?.with_scans(conn, scanning)?;
            let (saved, saved_files) = piece::find(conn, &found.id, &row.id)?;
            let view = pieces.view(&saved, &saved_files, today())?;
            if let Some(key) = &key {
                let body = serde_json::to_string(&view).map_err(anyhow::Error::from)?;
                idempotency::complete(conn, &account, key, &print, status.as_u16(), &body)?;
            }
            Ok((view, freed))
        })
        .await;
    match recorded {
        Ok((view, freed)) => {
            state.storage.delete(Shelf::Pieces, &freed).await;
            let mut response = HttpResponse::build(status);
            if created {
                response.insert_header((
                    header::LOCATION,
                    format!("/api/dossiers/{dossier_id}/pieces/{}", view.id),
                ));
            }
            Ok(response
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .json(view))
        }
        Err(error) => {
            state.storage.delete(Shelf::Pieces, &new_ids).await;
            Err(error)
        }
    }
}
