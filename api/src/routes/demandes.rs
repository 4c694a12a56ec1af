//! « Mes démarches »: the family's requests, « Consulter ma demande », the observation,
//! and « Valider mon dossier » (submission).

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use shared::api::dossier::{DemandeDetail, DemandeList, DemandeStatus, UpdateDemandeRequest};

use crate::auth::extractor::ConsentedUser;
use crate::db::models::demande::{self, Actor, Demande};
use crate::db::models::{dossier, outbox};
use crate::db::now;
use crate::documents::pieces::{DossierPieces, active_codes};
use crate::documents::receipt;
use crate::dossier_views::{Reader, detail, view};
use crate::email::templates;
use crate::error::ApiError;
use crate::extract::ValidJson;
use crate::routes::dossier_access::{DossierWriteErrors, if_match, with_etag};
use crate::state::AppState;

/// « Mes démarches »: the account's requests, newest first.
#[utoipa::path(tag = "Démarches", responses((status = 200, body = DemandeList)), security(("bearer" = [])))]
#[get("/demandes")]
pub async fn list_demandes(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
) -> Result<HttpResponse, ApiError> {
    let items = state
        .read(move |conn| {
            let rows = demande::list_for_account(conn, &user.account_id)?;
            Ok(rows
                .iter()
                .map(Demande::summary)
                .collect::<anyhow::Result<Vec<_>>>()?)
        })
        .await?;
    Ok(crate::routes::private_json(
        actix_web::http::StatusCode::OK,
        &DemandeList { items },
    ))
}

/// « Consulter ma demande ».
#[utoipa::path(
    tag = "Démarches",
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 200, body = DemandeDetail),
        (status = 404, body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/demandes/{id}")]
pub async fn get_demande(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let (body, version) = state
        .read(move |conn| {
            let found = demande::find_for_account(conn, &id, &user.account_id)?;
            detail(conn, &found, Reader::Family(&user.account_id))
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), version, &body))
}

/// Saves the OBSERVATION of the recap step (`If-Match`: the dossier version).
#[utoipa::path(
    tag = "Démarches",
    params(("id" = uuid::Uuid, Path), ("If-Match" = String, Header)),
    request_body = UpdateDemandeRequest,
    responses(
        DossierWriteErrors,
        (status = 200, body = DemandeDetail),
    ),
    security(("bearer" = []))
)]
#[patch("/demandes/{id}")]
pub async fn update_demande(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
    req: HttpRequest,
    path: web::Path<String>,
    body: ValidJson<UpdateDemandeRequest>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let id = path.into_inner();
    let observation = body
        .0
        .observation
        .map(|o| o.trim().to_string())
        .filter(|o| !o.is_empty());
    let (body, version) = state
        .write(move |conn| {
            let found = demande::find_for_account(conn, &id, &user.account_id)?;
            if !found.status()?.family_can_edit() {
                return Err(ApiError::DossierLocked);
            }
            if !dossier::bump_version(conn, &found.dossier_id, expected, now())? {
                return Err(ApiError::PreconditionFailed);
            }
            demande::set_observation(conn, &found.id, observation.as_deref(), now())?;
            let reloaded = demande::find_for_account(conn, &id, &user.account_id)?;
            detail(conn, &reloaded, Reader::Family(&user.account_id))
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), version, &body))
}

/// « Valider mon dossier »: checks the whole dossier and reports every problem at once
/// (`members.<id>.<field>`, `members.<id>`, `address.<field>`, `_`), or moves the request
/// to « en attente de validation », freezes the dossier as submitted and emails an
/// acknowledgement — all in one transaction. Submitting again changes nothing.
#[utoipa::path(
    tag = "Démarches",
    params(("id" = uuid::Uuid, Path), ("If-Match" = String, Header)),
    responses(
        DossierWriteErrors,
        (status = 200, description = "Submitted (or already submitted)", body = DemandeDetail),
    ),
    security(("bearer" = []))
)]
#[post("/demandes/{id}/submit")]
pub async fn submit_demande(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let id = path.into_inner();
    let (town, base) = (state.town().await?.name, state.public_url.clone());
    let hold = state.settings.fault_injection.hold_during_submission;
    let (body, version) = state
        .write(move |conn| {
            let found = demande::find_for_account(conn, &id, &user.account_id)?;
            let status = found.status()?;
            if status == DemandeStatus::EnAttenteValidation {
                return detail(conn, &found, Reader::Family(&user.account_id));
            }
            if !status.family_can_edit() {
                return Err(ApiError::DossierLocked);
            }
            // Move the version first: the conditional UPDATE fails when an edit was saved
            // since the family read the dossier (412), and on PostgreSQL it holds the row
            // until commit, so an edit arriving now waits and then gets 412 itself. The
            // snapshot read after it is therefore exactly what the family last saw (H-01).
            let now = now();
            if !dossier::bump_version(conn, &found.dossier_id, expected, now)? {
                return Err(ApiError::PreconditionFailed);
            }
            let current = dossier::find(conn, &found.dossier_id)?;
            let snapshot = view(conn, &current)?;
            if let Some(pause) = hold {
                // Injected: widen the window between reading the dossier and the commit.
                std::thread::sleep(pause);
            }
            let today = crate::domain::calendar::today();
            let mut problems = shared::submission::check(
                &snapshot.address,
                &snapshot.members,
                &snapshot.links,
                today,
            );
            problems.extend(
                DossierPieces::load(conn, &current.id, true)?
                    .missing(&active_codes(conn)?, today)?,
            );
            if !problems.is_empty() {
                return Err(ApiError::Validation(problems));
            }
            let frozen = serde_json::to_string(&snapshot).map_err(anyhow::Error::from)?;
            demande::transition(
                conn,
                &found.id,
                DemandeStatus::EnAttenteValidation,
                Actor::Famille(&user.account_id),
                Some(&frozen),
                now,
            )?;
            let link = format!("{base}/demarches/demande/{}", found.id);
            let (name, pdf) = receipt::for_demande(conn, &town, &found.id, now)?;
            for (email, username) in dossier::account_emails(conn, &current.id)? {
                let received = templates::demande_received(&email, &username, &town, &link)
                    .with_attachment(name.clone(), pdf.clone());
                outbox::enqueue(conn, &received, now)?;
            }
            let reloaded = demande::find_for_account(conn, &id, &user.account_id)?;
            detail(conn, &reloaded, Reader::Family(&user.account_id))
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), version, &body))
}

/// « Télécharger le récépissé »: the PDF récépissé of the request as it stands (the
/// dossier as submitted, its status, the pieces provided).
#[utoipa::path(
    tag = "Démarches",
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "The récépissé", content_type = "application/pdf"),
        (status = 404, description = "No such request, or not yours", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/demandes/{id}/recepisse")]
pub async fn get_receipt(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let town = state.town().await?.name;
    let clock = state.clock.clone();
    let (name, pdf) = state
        .read(move |conn| {
            let found = demande::find_for_account(conn, &id, &user.account_id)?;
            let now = clock.now(conn)?;
            receipt::for_demande(conn, &town, &found.id, now)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header(("Cache-Control", "private, no-store"))
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{name}\""),
        ))
        .body(pdf))
}
