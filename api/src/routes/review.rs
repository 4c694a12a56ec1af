//! Agents review requests: the dossier as submitted with its pieces (each view audited),
//! the pieces' files (each download audited), decisions on pieces and on the request.
//! Two agents deciding at once: one wins, the other gets 409 and the new state (H-06).
//! Every decision is written to the request's history and the audit log, and emailed to
//! the family through the outbox.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, put, web};
use shared::api::backoffice::{
    ConsultationList, ContactEmailRequest, DemandeDecisionRequest, PieceDecisionRequest,
    PieceVerdict, RattachementReview, Review,
};
use shared::api::dossier::DemandeStatus;
use shared::validation::codes;

use crate::auth::extractor::{ConsentedUser, StaffUser};
use crate::config::BulkDownloadAlert;
use crate::db::models::account::{Account, role};
use crate::db::models::audit::{self, Entry, action};
use crate::db::models::{demande, dossier, outbox, piece, rattachement, town};
use crate::db::{DbConn, now};
use crate::documents::pieces::DossierPieces;
use crate::domain::calendar::today;
use crate::dossier_views::{Reader, detail};
use crate::email::templates;
use crate::enum_text::to_text;
use crate::error::ApiError;
use crate::extract::ValidJson;
use crate::rattachement::Mailing;
use crate::routes::pieces::attachment;
use crate::routes::private_json;
use crate::state::AppState;

fn audit(
    conn: &mut DbConn,
    staff: &StaffUser,
    what: &str,
    dossier_id: &str,
    object_id: Option<&str>,
    detail: Option<&str>,
) -> Result<(), ApiError> {
    audit::record(
        conn,
        &Entry {
            actor_account_id: &staff.user.account_id,
            actor_role: &staff.role,
            action: what,
            dossier_id,
            object_id,
            detail,
        },
        now(),
    )?;
    Ok(())
}

/// What an agent reviews; `scanning`: whether the portal runs an antivirus (each file
/// then says where it stands with it).
fn review_of(conn: &mut DbConn, demande_id: &str, scanning: bool) -> Result<Review, ApiError> {
    let found = demande::find(conn, demande_id)?;
    let (demande, _) = detail(conn, &found, Reader::Staff)?;
    let pieces = DossierPieces::load(conn, &found.dossier_id, false)?
        .with_scans(conn, scanning)?
        .provided(today())?;
    let contact_email = dossier::find(conn, &found.dossier_id)?.contact_email;
    let rattachement = match rattachement::of_demande(conn, &found.id)? {
        None => None,
        Some(asked) => {
            let account = Account::find(conn, &asked.account_id)?;
            Some(RattachementReview {
                numero: asked.numero,
                nom: asked.nom,
                prenom: asked.prenom,
                username: account.username,
                email: account.email,
                compte_cree_le: account.created_at.and_utc(),
            })
        }
    };
    Ok(Review {
        demande,
        pieces,
        contact_email,
        rattachement,
    })
}

/// The review screen: the request (dossier as submitted, observation, history) and every
/// piece with its files. The consultation is written to the audit log.
#[utoipa::path(
    tag = "Back office",
    params(("id" = Uuid, Path, description = "Request id")),
    responses(
        (status = 200, body = Review),
        (status = 403, description = "Not staff", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/backoffice/demandes/{id}")]
pub async fn review(
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let scanning = state.scanner.is_some();
    let body = state
        .write(move |conn| {
            let review = review_of(conn, &id, scanning)?;
            let dossier_id = review.demande.summary.dossier_id.to_string();
            audit(
                conn,
                &staff,
                action::CONSULTATION,
                &dossier_id,
                Some(&id),
                None,
            )?;
            Ok(review)
        })
        .await?;
    Ok(private_json(StatusCode::OK, &body))
}

/// A piece's file for an agent, with the same inert headers as for families; the download
/// is written to the audit log (never its content).
#[utoipa::path(
    tag = "Back office",
    params(("piece_id" = Uuid, Path), ("file_id" = Uuid, Path)),
    responses(
        (status = 200, description = "The file (`Content-Disposition: attachment`)", content_type = "application/pdf"),
        (status = 404, description = "No such file", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/backoffice/pieces/{piece_id}/fichiers/{file_id}")]
pub async fn download(
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (piece_id, file_id) = path.into_inner();
    let (alert, base) = (state.settings.bulk_download_alert, state.public_url.clone());
    let file = state
        .write(move |conn| {
            let (found, _) = piece::find_any(conn, &piece_id)?;
            let file = piece::find_file(conn, &found.dossier_id, &piece_id, &file_id)?;
            audit(
                conn,
                &staff,
                action::TELECHARGEMENT,
                &found.dossier_id,
                Some(&file.id),
                None,
            )?;
            watch_downloads(conn, &staff, alert, &base)?;
            Ok(file)
        })
        .await?;
    attachment(&state, &file).await
}

/// G-06: the download that takes a staff member past the limit (200 in 10 minutes by
/// default) alerts every administrator by email and logs an error that monitoring can pick
/// up. Once per burst: the downloads after it, in the same window, stay silent.
fn watch_downloads(
    conn: &mut DbConn,
    staff: &StaffUser,
    alert: BulkDownloadAlert,
    base: &str,
) -> Result<(), ApiError> {
    let window = chrono::Duration::from_std(alert.window).map_err(anyhow::Error::from)?;
    let downloads = audit::count_since(
        conn,
        &staff.user.account_id,
        action::TELECHARGEMENT,
        now() - window,
    )?;
    if downloads != i64::from(alert.count) + 1 {
        return Ok(());
    }
    let minutes = alert.window.as_secs() / 60;
    tracing::error!(
        alert = "bulk_download",
        account = %staff.user.account_id,
        downloads,
        minutes,
        "a staff member downloaded more pieces than the alert allows"
    );
    let agent = Account::find(conn, &staff.user.account_id)?.username;
    let town = town::current(conn)?.name;
    let link = format!("{base}/backoffice/administration");
    let administrators = Account::staff(conn)?
        .into_iter()
        .filter(|a| a.role == role::ADMINISTRATEUR && a.is_active());
    for admin in administrators {
        let email = templates::bulk_download_alert(
            &admin.email,
            &town,
            &agent,
            alert.count,
            minutes,
            &link,
        );
        outbox::enqueue(conn, &email, now())?;
    }
    Ok(())
}

/// « Valider » or « Refuser » a piece waiting for validation (a refusal needs a reason
/// from the list; the comment is optional). 409 with the current state when it was
/// already decided.
#[utoipa::path(
    tag = "Back office",
    params(("piece_id" = Uuid, Path)),
    request_body = PieceDecisionRequest,
    responses(
        (status = 200, description = "Decided", body = shared::api::pieces::Piece),
        (status = 409, description = "Already decided (by another agent, or the request no longer waits)", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`motif` missing for a refusal, or comment too long", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/backoffice/pieces/{piece_id}/decision")]
pub async fn decide_piece(
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<String>,
    body: ValidJson<PieceDecisionRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.0;
    let piece_id = path.into_inner();
    let commentaire =
        crate::decisions::message_field(request.commentaire.as_deref(), "commentaire", false)?;
    let (status, motif) = match (request.decision, request.motif) {
        (PieceVerdict::Validee, _) => ("validee", None),
        (PieceVerdict::Refusee, Some(motif)) => ("refusee", Some(motif.label())),
        (PieceVerdict::Refusee, None) => return Err(ApiError::field("motif", codes::REQUIRED)),
    };
    let view = state
        .write(move |conn| {
            let (found, _) = piece::find_any(conn, &piece_id)?;
            let waiting = demande::current(conn, &found.dossier_id)?.status()?
                == DemandeStatus::EnAttenteValidation;
            if !waiting
                || !piece::decide(conn, &piece_id, status, motif, commentaire.as_deref(), &staff.user.account_id, now())?
            {
                return Err(ApiError::Conflict(
                    "Cette pièce a déjà été traitée (ou la demande n'attend plus de décision) : rechargez-la.",
                ));
            }
            audit(conn, &staff, action::DECISION_PIECE, &found.dossier_id, Some(&piece_id), Some(status))?;
            let pieces = DossierPieces::load(conn, &found.dossier_id, false)?;
            let (row, files) = piece::find_any(conn, &piece_id)?;
            pieces.view(&row, &files, today())
        })
        .await?;
    Ok(private_json(StatusCode::OK, &view))
}

/// Decides on a request waiting for validation: « à compléter » (with a message: the
/// family edits and submits again), « validée » (the dossier gets its number, its waiting
/// pieces are validated) or « refusée » (with the reason). The family is emailed. 409 with
/// the current state when another agent decided first.
#[utoipa::path(
    tag = "Back office",
    params(("id" = Uuid, Path, description = "Request id")),
    request_body = DemandeDecisionRequest,
    responses(
        (status = 200, description = "Decided", body = Review),
        (status = 409, description = "The request no longer waits for a decision", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`message` missing or too long", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/backoffice/demandes/{id}/decision")]
pub async fn decide_demande(
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<String>,
    body: ValidJson<DemandeDecisionRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.0;
    let id = path.into_inner();
    let (status, message) = crate::decisions::verdict(&request)?;
    let mailing = Mailing::of(&state).await?;
    let scanning = state.scanner.is_some();
    let body = state
        .write(move |conn| {
            let agent = &staff.user.account_id;
            crate::decisions::decide(
                conn,
                agent,
                &id,
                status,
                message.as_deref(),
                &mailing,
                now(),
            )?;
            let dossier_id = demande::find(conn, &id)?.dossier_id;
            audit(
                conn,
                &staff,
                action::DECISION_DEMANDE,
                &dossier_id,
                Some(&id),
                Some(&to_text(&status)),
            )?;
            review_of(conn, &id, scanning)
        })
        .await?;
    Ok(private_json(StatusCode::OK, &body))
}

/// Sets (or clears, with `null`) the address on record of a validated dossier: where
/// codes of rattachement go (SECURITY.md A-15). Families never see it.
#[utoipa::path(
    tag = "Back office",
    params(("id" = Uuid, Path, description = "Dossier id")),
    request_body = ContactEmailRequest,
    responses(
        (status = 200, description = "Saved; the review of the dossier's request", body = Review),
        (status = 404, description = "No such dossier", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The dossier is not validated yet", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid address", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/backoffice/dossiers/{id}/contact-email")]
pub async fn set_contact_email(
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<String>,
    body: ValidJson<ContactEmailRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let email = body
        .0
        .email
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty());
    let agent = staff.user.account_id.clone();
    let scanning = state.scanner.is_some();
    let body = state
        .write(move |conn| {
            let found = dossier::find(conn, &id)?;
            if found.numero.is_none() {
                return Err(ApiError::Conflict(
                    "Ce dossier n'est pas encore validé : son adresse sera celle du compte qui l'a créé.",
                ));
            }
            dossier::set_contact_email(conn, &found.id, email.as_deref())?;
            tracing::info!(event = "dossier_contact_email", agent = %agent, dossier = %found.id, cleared = email.is_none());
            let creation = demande::current(conn, &found.id)?;
            review_of(conn, &creation.id, scanning)
        })
        .await?;
    Ok(private_json(StatusCode::OK, &body))
}

/// « Consultations de mon dossier »: when the town's services viewed, downloaded from or
/// decided on the family's dossier (the service, not the person), and when a connected
/// application read it (by the application's name).
#[utoipa::path(
    tag = "Dossier famille",
    params(("id" = Uuid, Path, description = "Dossier id")),
    responses(
        (status = 200, body = ConsultationList),
        (status = 404, description = "No such dossier, or not yours", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/dossiers/{id}/consultations")]
pub async fn consultations(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let town = state.town().await?.name;
    let items = state
        .read(move |conn| {
            let found = dossier::find_for_account(conn, &id, &user.account_id)?;
            crate::privacy::consultations::of_dossier(conn, &found.id, &town)
        })
        .await?;
    Ok(private_json(StatusCode::OK, &ConsultationList { items }))
}
