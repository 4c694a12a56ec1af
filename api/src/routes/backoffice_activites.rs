//! The back office's activités (issue 12): the catalogue agents manage, the list of each
//! période's children (and its CSV export), enrolments on a family's behalf,
//! cancellations, and decisions on requests *sur validation*. Every reading of children's
//! data and every action is written to the audit log.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, get, post, put, web};
use shared::api::activites::{
    ActiviteAgentList, ActiviteAgentView, ActiviteInput, AgentInscriptionRequest,
    AnnulationRequest, Decision, DecisionRequest, DemandeInscriptionList, EnfantDossierList,
    InscriptionView, PeriodeAgentView, PeriodeInput, Roster,
};

use crate::activities::enrolment;
use crate::activities::{admin, draw, family, lifecycle, published_draw, roster};
use crate::auth::extractor::StaffUser;
use crate::db::models::audit::action;
use crate::db::models::inscription::NewInscription;
use crate::db::models::member;
use crate::db::now;
use crate::error::ApiError;
use crate::extract::ValidJson;
use crate::rattachement::Mailing;
use crate::routes::private_json;
use crate::state::AppState;

/// Every activité, published or not, with all its périodes and their counts.
#[utoipa::path(
    tag = "Back office",
    responses(
        (status = 200, body = ActiviteAgentList),
        (status = 403, description = "Not staff", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/backoffice/activites")]
pub async fn list_activites(
    state: web::Data<AppState>,
    _staff: StaffUser,
) -> Result<HttpResponse, ApiError> {
    let list = state.read(|conn| admin::agent_list(conn, None)).await?;
    Ok(private_json(StatusCode::OK, &list))
}

/// Creates an activité (its périodes come next).
#[utoipa::path(
    tag = "Back office",
    request_body = ActiviteInput,
    responses(
        (status = 201, body = ActiviteAgentView),
        (status = 422, description = "Invalid fields (an unknown type de pièce: `unknown_piece_type`)", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/backoffice/activites")]
pub async fn create_activite(
    state: web::Data<AppState>,
    _staff: StaffUser,
    ValidJson(input): ValidJson<ActiviteInput>,
) -> Result<HttpResponse, ApiError> {
    let view = state
        .write(move |conn| {
            let id = admin::create_activite(conn, &input, now().and_utc())?;
            admin::agent_view(conn, &id)
        })
        .await?;
    Ok(private_json(StatusCode::CREATED, &view))
}

/// Replaces an activité's description, ages, pieces and publication.
#[utoipa::path(
    tag = "Back office",
    params(("id" = Uuid, Path, description = "Activité id")),
    request_body = ActiviteInput,
    responses(
        (status = 200, body = ActiviteAgentView),
        (status = 404, description = "No such activité", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/backoffice/activites/{id}")]
pub async fn update_activite(
    state: web::Data<AppState>,
    _staff: StaffUser,
    path: web::Path<String>,
    ValidJson(input): ValidJson<ActiviteInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let view = state
        .write(move |conn| {
            admin::update_activite(conn, &id, &input, now().and_utc())?;
            admin::agent_view(conn, &id)
        })
        .await?;
    Ok(private_json(StatusCode::OK, &view))
}

/// Adds a période to an activité.
#[utoipa::path(
    tag = "Back office",
    params(("id" = Uuid, Path, description = "Activité id")),
    request_body = PeriodeInput,
    responses(
        (status = 201, body = PeriodeAgentView),
        (status = 404, description = "No such activité", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (dates out of order: `date_out_of_range` on the later one)", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/backoffice/activites/{id}/periodes")]
pub async fn create_periode(
    state: web::Data<AppState>,
    _staff: StaffUser,
    path: web::Path<String>,
    ValidJson(input): ValidJson<PeriodeInput>,
) -> Result<HttpResponse, ApiError> {
    let activite_id = path.into_inner();
    let view = state
        .write(move |conn| {
            let id = admin::create_periode(conn, &activite_id, &input, now().and_utc())?;
            admin::periode_view(conn, &id)
        })
        .await?;
    Ok(private_json(StatusCode::CREATED, &view))
}

/// Replaces a période's settings (publishing or closing it with `statut`). The capacity
/// never goes below the places held (409); places added go to the waiting list at once.
#[utoipa::path(
    tag = "Back office",
    params(("id" = Uuid, Path, description = "Période id")),
    request_body = PeriodeInput,
    responses(
        (status = 200, body = PeriodeAgentView),
        (status = 404, description = "No such période", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Capacity below the places held; or a change of `attribution` or `fermeture` once families ranked wishes or the draw ran", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/backoffice/periodes/{id}")]
pub async fn update_periode(
    state: web::Data<AppState>,
    _staff: StaffUser,
    path: web::Path<String>,
    ValidJson(input): ValidJson<PeriodeInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, mailing) = (path.into_inner(), Mailing::of(&state).await?);
    let view = state
        .write(move |conn| {
            admin::update_periode(conn, &id, &input, &mailing, now().and_utc())?;
            admin::periode_view(conn, &id)
        })
        .await?;
    Ok(private_json(StatusCode::OK, &view))
}

/// « Lancer le tirage »: runs the draw of an équitable période now that its wishes are
/// closed (the server also runs it by itself within a minute of the close), and answers
/// the published draw. Running it again changes nothing.
#[utoipa::path(
    tag = "Back office",
    params(("id" = Uuid, Path, description = "Période id")),
    responses(
        (status = 200, body = shared::api::voeux::TirageView),
        (status = 404, description = "No such équitable période", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Its wishes are still open", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/backoffice/periodes/{id}/tirage")]
pub async fn run_draw(
    state: web::Data<AppState>,
    _staff: StaffUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (id, mailing) = (path.into_inner(), Mailing::of(&state).await?);
    let clock = state.clock.clone();
    let view = state
        .write(move |conn| {
            let now = clock.now(conn)?.and_utc();
            draw::run_for_periode(conn, &id, &mailing, now)?;
            published_draw::of_periode(conn, &id)
        })
        .await?;
    Ok(private_json(StatusCode::OK, &view))
}

/// The période's children — places, then the waiting list in order, then what is over —
/// with their family's contacts. Written to each family's audit log.
#[utoipa::path(
    tag = "Back office",
    params(("id" = Uuid, Path, description = "Période id")),
    responses(
        (status = 200, body = Roster),
        (status = 404, description = "No such période", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/backoffice/periodes/{id}/inscriptions")]
pub async fn get_roster(
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let list = state
        .write(move |conn| {
            let list = roster::of_periode(conn, &id)?;
            roster::record_reading(conn, &staff, &id, action::CONSULTATION, now())?;
            Ok(list)
        })
        .await?;
    Ok(private_json(StatusCode::OK, &list))
}

/// The same list as a spreadsheet (`;`-separated, UTF-8), for the animators.
#[utoipa::path(
    tag = "Back office",
    params(("id" = Uuid, Path, description = "Période id")),
    responses(
        (status = 200, description = "The list (`Content-Disposition: attachment`)", body = String, content_type = "text/csv"),
        (status = 404, description = "No such période", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/backoffice/periodes/{id}/inscriptions.csv")]
pub async fn get_roster_csv(
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let text = state
        .write(move |conn| {
            let list = roster::of_periode(conn, &id)?;
            roster::record_reading(conn, &staff, &id, action::TELECHARGEMENT, now())?;
            Ok(roster::csv(&list))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"liste-des-inscrits.csv\"",
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(text))
}

/// An agent enrols a child of a validated dossier on the family's behalf: every rule holds
/// but the registration window.
#[utoipa::path(
    tag = "Back office",
    params(("id" = Uuid, Path, description = "Période id")),
    request_body = AgentInscriptionRequest,
    responses(
        (status = 201, body = InscriptionView),
        (status = 404, description = "No such published période, or no such child", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Full, without a waiting list", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The child cannot be enrolled (every reason, as for families)", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/backoffice/periodes/{id}/inscriptions")]
pub async fn enrol_child(
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<String>,
    ValidJson(body): ValidJson<AgentInscriptionRequest>,
) -> Result<HttpResponse, ApiError> {
    let (periode_id, mailing) = (path.into_inner(), Mailing::of(&state).await?);
    let view = state
        .write(move |conn| {
            let enfant_id = body.enfant_id.to_string();
            let dossier_id =
                member::dossier_of_child(conn, &enfant_id)?.ok_or(ApiError::NotFound)?;
            let request = NewInscription {
                periode_id: &periode_id,
                member_id: &enfant_id,
                dossier_id: &dossier_id,
                demandeur_id: Some(&staff.user.account_id),
                par_agent: true,
            };
            let enrolled = enrolment::enrol_within(conn, &request, &mailing, now().and_utc())?;
            let row = enrolled.inscription();
            roster::record_action(conn, &staff, row, "Inscription par un agent", now())?;
            Ok(enrolment::view(&enrolled)?)
        })
        .await?;
    Ok(private_json(StatusCode::CREATED, &view))
}

/// The children of a validated dossier, found by its number (to enrol one of them).
#[utoipa::path(
    tag = "Back office",
    params(("dossier" = String, Query, max_length = 20, description = "The dossier's number")),
    responses(
        (status = 200, body = EnfantDossierList),
        (status = 404, description = "No validated dossier of that number", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/backoffice/enfants")]
pub async fn children_of_dossier(
    state: web::Data<AppState>,
    _staff: StaffUser,
    query: web::Query<DossierQuery>,
) -> Result<HttpResponse, ApiError> {
    let numero = query.into_inner().dossier;
    if numero.trim().is_empty() || numero.chars().count() > 20 {
        return Err(ApiError::field(
            "dossier",
            shared::validation::codes::INVALID_TYPE,
        ));
    }
    let list = state
        .read(move |conn| roster::children_of(conn, &numero))
        .await?;
    Ok(private_json(StatusCode::OK, &list))
}

/// `?dossier=` of [`children_of_dossier`].
#[derive(serde::Deserialize)]
pub struct DossierQuery {
    dossier: String,
}

/// An agent cancels an inscription, with the reason the family reads; a freed place goes
/// to the next in line.
#[utoipa::path(
    tag = "Back office",
    params(("id" = Uuid, Path, description = "Inscription id")),
    request_body = AnnulationRequest,
    responses(
        (status = 200, body = InscriptionView),
        (status = 404, description = "No such inscription", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already over", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/backoffice/inscriptions/{id}/annulation")]
pub async fn cancel_inscription(
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<String>,
    ValidJson(body): ValidJson<AnnulationRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, mailing) = (path.into_inner(), Mailing::of(&state).await?);
    let view = state
        .write(move |conn| {
            let motif = body.motif.trim();
            let row = lifecycle::cancel_by_agent(conn, &id, motif, &mailing, now().and_utc())?;
            roster::record_action(conn, &staff, &row, "Inscription annulée", now())?;
            Ok(family::view(conn, &row)?)
        })
        .await?;
    Ok(private_json(StatusCode::OK, &view))
}

/// An agent confirms or refuses (with a reason) a request *sur validation*.
#[utoipa::path(
    tag = "Back office",
    params(("id" = Uuid, Path, description = "Inscription id")),
    request_body = DecisionRequest,
    responses(
        (status = 200, body = InscriptionView),
        (status = 404, description = "No such inscription", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not waiting for a decision (already decided)", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/backoffice/inscriptions/{id}/decision")]
pub async fn decide(
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<String>,
    ValidJson(body): ValidJson<DecisionRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, mailing) = (path.into_inner(), Mailing::of(&state).await?);
    let view = state
        .write(move |conn| {
            let motif = body.motif.as_deref().map(str::trim);
            let at = now().and_utc();
            let row = lifecycle::decide(conn, &id, body.decision, motif, &mailing, at)?;
            let detail = match body.decision {
                Decision::Confirmer => "Inscription confirmée",
                Decision::Refuser => "Inscription refusée",
            };
            roster::record_action(conn, &staff, &row, detail, now())?;
            Ok(family::view(conn, &row)?)
        })
        .await?;
    Ok(private_json(StatusCode::OK, &view))
}

/// The requests *sur validation* waiting for an agent, oldest first.
#[utoipa::path(
    tag = "Back office",
    responses(
        (status = 200, body = DemandeInscriptionList),
        (status = 403, description = "Not staff", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/backoffice/inscriptions/a-valider")]
pub async fn awaiting(
    state: web::Data<AppState>,
    _staff: StaffUser,
) -> Result<HttpResponse, ApiError> {
    let list = state.read(roster::awaiting).await?;
    Ok(private_json(StatusCode::OK, &list))
}
