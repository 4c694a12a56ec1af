//! What applications write on the town's behalf, each behind its scope: decisions on
//! requests (`demandes:write`), inscriptions on a family's behalf and their cancellation
//! (`inscriptions:write`), the catalogue of activités and périodes (`activites:write`), the
//! town's own ids on dossiers and members (`dossiers:write`). Every action is in the audit
//! log under the application's name.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, post, put, web};
use shared::api::activites::{
    ActiviteAgentView, ActiviteInput, AnnulationRequest, InscriptionRequest, InscriptionView,
    PeriodeAgentView, PeriodeInput,
};
use shared::api::backoffice::DemandeDecisionRequest;
use shared::api::integration::{IntegrationDemande, IntegrationDossier, ReferenceRequest};

use super::{UNAUTHORIZED, if_match, tagged};
use crate::auth::integration::{Allowed, scope};
use crate::db::now;
use crate::error::ApiError;
use crate::extract::{ValidJson, idempotency_key, optional_idempotency_key};
use crate::integrations::{actions, catalogue};
use crate::rattachement::Mailing;
use crate::routes::private_json;
use crate::state::AppState;

/// Decides a submitted request, as an agent would in the back office: `validee` (the
/// dossier gets its number), `a_completer` or `refusee` (both with the `message` the
/// family reads). The family is emailed.
#[utoipa::path(
    tag = "Intégrations",
    params(
        ("id" = Uuid, Path, description = "Request id"),
        ("If-Match" = Option<String>, Header, description = "The `ETag` of the request as you read it: 412 if it changed since"),
    ),
    request_body = DemandeDecisionRequest,
    responses(
        (status = 200, description = "Decided: the request now", body = IntegrationDemande, headers(("ETag" = String))),
        (status = 401, description = UNAUTHORIZED, body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: the token lacks `demandes:write`", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The request no longer waits for a decision", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names another state of the request: read it again", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("application" = ["demandes:write"]))
)]
#[post("/integration/v1/demandes/{id}/decision")]
pub async fn decide_demande(
    allowed: Allowed<scope::DemandesWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    ValidJson(body): ValidJson<DemandeDecisionRequest>,
) -> Result<HttpResponse, ApiError> {
    let (app, id, mailing) = (allowed.app, path.into_inner(), Mailing::of(&state).await?);
    let if_match = if_match(&req)?;
    let demande = state
        .write(move |conn| {
            let expected = if_match.as_deref();
            actions::decide(
                conn,
                &app.application_id,
                &id,
                &body,
                expected,
                &mailing,
                now(),
            )
        })
        .await?;
    tagged(StatusCode::OK, &demande)
}

/// Enrols a child on its family's behalf, as an agent would: `confirmee` (or `demandee`)
/// while places are left, then `liste_attente`; outside the registration window too, every
/// other rule holding (each reason at once, as for families). The family is emailed.
/// `Idempotency-Key` is required: a retry answers the first result.
#[utoipa::path(
    tag = "Intégrations",
    params(
        ("Idempotency-Key" = String, Header, max_length = 128, pattern = r"^[!-~]+$",
            description = "A fresh random value per enrolment, reused for its retries"),
    ),
    request_body = InscriptionRequest,
    responses(
        (status = 201, body = InscriptionView),
        (status = 400, description = "`idempotency_key_required`", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = UNAUTHORIZED, body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: the token lacks `inscriptions:write`", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such published période, or no such child", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Full, without a waiting list", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The child cannot be enrolled (every reason), or the key was used for another enrolment", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Too many enrolments in progress: retry after `Retry-After` seconds with the same `Idempotency-Key`", body = shared::error::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds to wait"))),
    ),
    security(("application" = ["inscriptions:write"]))
)]
#[post("/integration/v1/inscriptions")]
pub async fn create_inscription(
    allowed: Allowed<scope::InscriptionsWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    ValidJson(body): ValidJson<InscriptionRequest>,
) -> Result<HttpResponse, ApiError> {
    // The families' own admission control: an application does not jump the queue.
    let _turn = state.enrolments.enter().await?;
    let (app, key, mailing) = (
        allowed.app,
        idempotency_key(&req)?,
        Mailing::of(&state).await?,
    );
    let (periode_id, enfant_id) = (body.periode_id.to_string(), body.enfant_id.to_string());
    // The enrolment opens its own transaction (see the families' route).
    let answer = state
        .transact(move |conn| {
            actions::enrol(
                conn,
                &app.application_id,
                &key,
                &periode_id,
                &enfant_id,
                &mailing,
            )
        })
        .await?;
    crate::routes::activites::answered(answer)
}

/// Cancels an inscription, with the reason the family reads; a freed place goes to the
/// next in line.
#[utoipa::path(
    tag = "Intégrations",
    params(("id" = Uuid, Path, description = "Inscription id")),
    request_body = AnnulationRequest,
    responses(
        (status = 200, body = InscriptionView),
        (status = 401, description = UNAUTHORIZED, body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: the token lacks `inscriptions:write`", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such inscription", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already over", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("application" = ["inscriptions:write"]))
)]
#[post("/integration/v1/inscriptions/{id}/annulation")]
pub async fn cancel_inscription(
    allowed: Allowed<scope::InscriptionsWrite>,
    state: web::Data<AppState>,
    path: web::Path<String>,
    ValidJson(body): ValidJson<AnnulationRequest>,
) -> Result<HttpResponse, ApiError> {
    let (app, id, mailing) = (allowed.app, path.into_inner(), Mailing::of(&state).await?);
    let view = state
        .write(move |conn| actions::cancel(conn, &app.application_id, &id, &body.motif, &mailing))
        .await?;
    Ok(private_json(StatusCode::OK, &view))
}

/// Records the town's own id for a validated dossier (`null` removes it). Applications
/// read it in the dossiers' feed; families never see it.
#[utoipa::path(
    tag = "Intégrations",
    params(
        ("id" = Uuid, Path, description = "Dossier id"),
        ("If-Match" = Option<String>, Header, description = "The `ETag` of the dossier as you read it: 412 if it changed since"),
    ),
    request_body = ReferenceRequest,
    responses(
        (status = 200, description = "The dossier now", body = IntegrationDossier, headers(("ETag" = String))),
        (status = 401, description = UNAUTHORIZED, body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: the token lacks `dossiers:write`", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such dossier, or not validated", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names another state of the dossier: read it again", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("application" = ["dossiers:write"]))
)]
#[put("/integration/v1/dossiers/{id}/reference-externe")]
pub async fn set_dossier_reference(
    allowed: Allowed<scope::DossiersWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    ValidJson(body): ValidJson<ReferenceRequest>,
) -> Result<HttpResponse, ApiError> {
    let (app, id, if_match) = (allowed.app, path.into_inner(), if_match(&req)?);
    let dossier = state
        .write(move |conn| {
            let reference = body.reference_externe.as_deref();
            let expected = if_match.as_deref();
            actions::reference_dossier(conn, &app.application_id, &id, reference, expected, now())
        })
        .await?;
    tagged(StatusCode::OK, &dossier)
}

/// Records the town's own id for a person of a validated dossier (`null` removes it).
#[utoipa::path(
    tag = "Intégrations",
    params(
        ("id" = Uuid, Path, description = "Dossier id"), ("member_id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "The `ETag` of the dossier as you read it: 412 if it changed since"),
    ),
    request_body = ReferenceRequest,
    responses(
        (status = 200, description = "The dossier now", body = IntegrationDossier, headers(("ETag" = String))),
        (status = 401, description = UNAUTHORIZED, body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: the token lacks `dossiers:write`", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person in a validated dossier", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names another state of the dossier: read it again", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("application" = ["dossiers:write"]))
)]
#[put("/integration/v1/dossiers/{id}/membres/{member_id}/reference-externe")]
pub async fn set_member_reference(
    allowed: Allowed<scope::DossiersWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    ValidJson(body): ValidJson<ReferenceRequest>,
) -> Result<HttpResponse, ApiError> {
    let (app, (id, member_id), if_match) = (allowed.app, path.into_inner(), if_match(&req)?);
    let dossier = state
        .write(move |conn| {
            let reference = body.reference_externe.as_deref();
            let expected = if_match.as_deref();
            let app_id = &app.application_id;
            actions::reference_member(conn, app_id, &id, &member_id, reference, expected, now())
        })
        .await?;
    tagged(StatusCode::OK, &dossier)
}

/// A creation's answer, fresh (201) or replayed as it was first given.
fn created(created: catalogue::Created) -> Result<HttpResponse, ApiError> {
    Ok(
        HttpResponse::build(StatusCode::from_u16(created.status).map_err(anyhow::Error::from)?)
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(created.json),
    )
}

/// Creates an activité (its périodes come next), as in the back office. With an
/// `Idempotency-Key`, a retry answers the first result instead of creating it twice.
#[utoipa::path(
    tag = "Intégrations",
    params(
        ("Idempotency-Key" = Option<String>, Header, max_length = 128, pattern = r"^[!-~]+$",
            description = "A fresh random value per creation, reused for its retries"),
    ),
    request_body = ActiviteInput,
    responses(
        (status = 201, body = ActiviteAgentView),
        (status = 401, description = UNAUTHORIZED, body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: the token lacks `activites:write`", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same `Idempotency-Key` is being used by a request in progress: retry", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (an unknown type de pièce: `unknown_piece_type`), or the key was used for another request", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("application" = ["activites:write"]))
)]
#[post("/integration/v1/activites")]
pub async fn create_activite(
    allowed: Allowed<scope::ActivitesWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    ValidJson(input): ValidJson<ActiviteInput>,
) -> Result<HttpResponse, ApiError> {
    let (app, key) = (allowed.app, optional_idempotency_key(&req)?);
    let answer = state
        .write(move |conn| {
            let (id, key) = (&app.application_id, key.as_deref());
            catalogue::create_activite(conn, id, key, &input, now().and_utc())
        })
        .await?;
    created(answer)
}

/// Replaces an activité's description, ages, pieces and publication. With `If-Match:
/// "<version>"` (the `version` read), 412 if it changed since.
#[utoipa::path(
    tag = "Intégrations",
    params(
        ("id" = Uuid, Path, description = "Activité id"),
        ("If-Match" = Option<String>, Header, description = "The activité's `version` as read, quoted: 412 if it changed since"),
    ),
    request_body = ActiviteInput,
    responses(
        (status = 200, body = ActiviteAgentView),
        (status = 401, description = UNAUTHORIZED, body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: the token lacks `activites:write`", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such activité", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names another version: read it again", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("application" = ["activites:write"]))
)]
#[put("/integration/v1/activites/{id}")]
pub async fn update_activite(
    _allowed: Allowed<scope::ActivitesWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    ValidJson(input): ValidJson<ActiviteInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, if_match) = (path.into_inner(), if_match(&req)?);
    let view = state
        .write(move |conn| {
            let expected = if_match.as_deref();
            catalogue::update_activite(conn, &id, &input, expected, now().and_utc())
        })
        .await?;
    Ok(private_json(StatusCode::OK, &view))
}

/// Adds a période to an activité. With an `Idempotency-Key`, a retry answers the first
/// result instead of adding it twice.
#[utoipa::path(
    tag = "Intégrations",
    params(
        ("id" = Uuid, Path, description = "Activité id"),
        ("Idempotency-Key" = Option<String>, Header, max_length = 128, pattern = r"^[!-~]+$",
            description = "A fresh random value per creation, reused for its retries"),
    ),
    request_body = PeriodeInput,
    responses(
        (status = 201, body = PeriodeAgentView),
        (status = 401, description = UNAUTHORIZED, body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: the token lacks `activites:write`", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such activité", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same `Idempotency-Key` is being used by a request in progress: retry", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (dates out of order: `date_out_of_range` on the later one), or the key was used for another request", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("application" = ["activites:write"]))
)]
#[post("/integration/v1/activites/{id}/periodes")]
pub async fn create_periode(
    allowed: Allowed<scope::ActivitesWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    ValidJson(input): ValidJson<PeriodeInput>,
) -> Result<HttpResponse, ApiError> {
    let (app, key) = (allowed.app, optional_idempotency_key(&req)?);
    let activite_id = path.into_inner();
    let answer = state
        .write(move |conn| {
            let (id, key) = (&app.application_id, key.as_deref());
            catalogue::create_periode(conn, id, key, &activite_id, &input, now().and_utc())
        })
        .await?;
    created(answer)
}

/// Replaces a période's settings (publishing or closing it with `statut`). The capacity
/// never goes below the places held (409); places added go to the waiting list at once.
/// With `If-Match: "<version>"` (the `version` read), 412 if it changed since.
#[utoipa::path(
    tag = "Intégrations",
    params(
        ("id" = Uuid, Path, description = "Période id"),
        ("If-Match" = Option<String>, Header, description = "The période's `version` as read, quoted: 412 if it changed since"),
    ),
    request_body = PeriodeInput,
    responses(
        (status = 200, body = PeriodeAgentView),
        (status = 401, description = UNAUTHORIZED, body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: the token lacks `activites:write`", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such période", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Capacity below the places held; or a change of `attribution` or `fermeture` once families ranked wishes or the draw ran", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names another version: read it again", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("application" = ["activites:write"]))
)]
#[put("/integration/v1/periodes/{id}")]
pub async fn update_periode(
    _allowed: Allowed<scope::ActivitesWrite>,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    ValidJson(input): ValidJson<PeriodeInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, mailing, if_match) = (
        path.into_inner(),
        Mailing::of(&state).await?,
        if_match(&req)?,
    );
    let view = state
        .write(move |conn| {
            let expected = if_match.as_deref();
            catalogue::update_periode(conn, &id, &input, expected, &mailing, now().and_utc())
        })
        .await?;
    Ok(private_json(StatusCode::OK, &view))
}
