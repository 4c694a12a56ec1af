//! Activités et inscriptions (issue 12): the public catalogue and a family's enrolments.

use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, get, post, web};
use shared::api::activites::{
    ActiviteList, EligibiliteList, InscriptionList, InscriptionRequest, InscriptionView,
    OffreReponse,
};

use crate::activities::enrolment::{self, Answer, Idempotency};
use crate::activities::{catalogue, eligibilities, family, lifecycle};
use crate::auth::extractor::ConsentedUser;
use crate::compression::Encoded;
use crate::db::models::dossier;
use crate::db::models::inscription::NewInscription;
use crate::error::ApiError;
use crate::extract::{ValidJson, idempotency_key};
use crate::rattachement::Mailing;
use crate::routes::private_json;
use crate::state::AppState;

/// The published activités and their périodes, with the places left now. Anyone may read
/// it; it is revalidated on every visit (`no-cache` with a strong `ETag`: 304 when the
/// places have not changed), since places go fast on opening morning.
#[utoipa::path(
    tag = "Activités",
    responses(
        (status = 200, body = ActiviteList),
        (status = 304, description = "Unchanged since `If-None-Match`"),
    )
)]
#[get("/activites")]
pub async fn list_activites(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    // Read and encoded once a `CATALOGUE_FRESH_MS` for every family re-reading it.
    let encoded = state
        .catalogue
        .get(|| async {
            let list = state.read(|conn| Ok(catalogue::published(conn)?)).await?;
            Ok::<_, ApiError>(Encoded::of(&list)?)
        })
        .await?;
    Ok(encoded.respond(&req, "public, no-cache"))
}

/// Enrols one child of the family's dossier in one période: `confirmee` (or `demandee`
/// when agents validate each request) while places are left, then `liste_attente` with the
/// position. Every reason the child cannot be enrolled is given at once, as field `_`
/// codes (`dossier_not_validated`, `age`, `missing_piece`, `not_open_yet`, `closed`,
/// `already_enrolled`, `overlap`, `family_limit`…: see `shared::eligibility`).
/// `Idempotency-Key` is required: a retry (or a double click) answers the first result.
#[utoipa::path(
    tag = "Activités",
    params(
        ("Idempotency-Key" = String, Header, max_length = 128, pattern = r"^[!-~]+$",
            description = "A fresh random value per enrolment, reused for its retries"),
    ),
    request_body = InscriptionRequest,
    responses(
        (status = 201, body = InscriptionView),
        (status = 400, description = "`idempotency_key_required`", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such published période", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Full without a waiting list; or `window_not_open` when only the registration window stands in the way, with `opens_at`", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The child cannot be enrolled (every reason: codes in `fields._`, in full in `raisons`), or the key was used for another enrolment", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Too many enrolments in progress (opening morning): retry after `Retry-After` seconds with the same `Idempotency-Key`", body = shared::error::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds to wait"))),
    ),
    security(("bearer" = []))
)]
#[post("/inscriptions")]
pub async fn create_inscription(
    state: web::Data<AppState>,
    req: HttpRequest,
    ValidJson(body): ValidJson<InscriptionRequest>,
) -> Result<HttpResponse, ApiError> {
    // Opening morning: beyond what the database can take, 503 + Retry-After at once —
    // before anything touches the database, the session check included (a turned-away
    // request costs no query, however often it comes back).
    let _turn = state.enrolments.enter().await?;
    let ConsentedUser(user) = ConsentedUser::extract(&req).await?;
    let key = idempotency_key(&req)?;
    let mailing = Mailing::of(&state).await?;
    // The enrolment opens its own transaction: a replayed request must roll back the lock
    // it took before finding the key's answer.
    let answer = state
        .transact(move |conn| {
            // No dossier: no child can be the family's (the rule says so).
            let dossier_id = dossier::of_account(conn, &user.account_id)?
                .map(|d| d.id)
                .unwrap_or_default();
            let (periode_id, enfant_id) = (body.periode_id.to_string(), body.enfant_id.to_string());
            let request = NewInscription {
                periode_id: &periode_id,
                member_id: &enfant_id,
                dossier_id: &dossier_id,
                demandeur_id: Some(&user.account_id),
                par_agent: false,
            };
            let idempotency = Idempotency {
                owner_id: &user.account_id,
                key: &key,
                fingerprint: format!("{periode_id}:{enfant_id}"),
            };
            let now = chrono::Utc::now();
            enrolment::enrol_once(conn, &request, &idempotency, &mailing, now)
                .map_err(ApiError::from)
        })
        .await?;
    answered(answer)
}

/// An enrolment's answer: 201 with the inscription, or the first answer of its
/// `Idempotency-Key` replayed as it was (families' and applications' alike).
pub(crate) fn answered(answer: Answer) -> Result<HttpResponse, ApiError> {
    let (status, json) = match answer {
        Answer::Fresh(enrolled) => (
            StatusCode::CREATED,
            serde_json::to_string(&enrolment::view(&enrolled)?).map_err(anyhow::Error::from)?,
        ),
        Answer::Replayed(status, json) => (
            StatusCode::from_u16(status).map_err(anyhow::Error::from)?,
            json,
        ),
    };
    Ok(HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(json))
}

/// « Mes inscriptions »: the family's inscriptions (every child, every status), the latest
/// période first, with the waiting-list position where there is one.
#[utoipa::path(
    tag = "Activités",
    responses((status = 200, body = InscriptionList)),
    security(("bearer" = []))
)]
#[get("/inscriptions")]
pub async fn list_inscriptions(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
) -> Result<HttpResponse, ApiError> {
    let list = state
        .read(move |conn| {
            Ok(match dossier::of_account(conn, &user.account_id)? {
                Some(found) => family::of_dossier(conn, &found.id)?,
                None => InscriptionList { items: Vec::new() },
            })
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(list))
}

/// For each child of the family's dossier and each published période: every reason the
/// child cannot be enrolled now (none: « Inscrire » is possible), with the server's clock
/// for countdowns. Empty without a dossier.
#[utoipa::path(
    tag = "Activités",
    responses((status = 200, body = EligibiliteList)),
    security(("bearer" = []))
)]
#[get("/inscriptions/eligibilites")]
pub async fn list_eligibilites(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
) -> Result<HttpResponse, ApiError> {
    let list = state
        .read(move |conn| {
            let dossier_id = dossier::of_account(conn, &user.account_id)?.map(|d| d.id);
            Ok(eligibilities::of_dossier(
                conn,
                dossier_id.as_deref(),
                chrono::Utc::now(),
            )?)
        })
        .await?;
    Ok(private_json(StatusCode::OK, &list))
}

/// The family gives up an inscription: a place until the période's cancellation deadline,
/// the waiting list any time before the first day; an offered place is declined. The
/// freed place goes at once to the next in line.
#[utoipa::path(
    tag = "Activités",
    params(("id" = Uuid, Path, description = "Inscription id")),
    responses(
        (status = 200, body = InscriptionView),
        (status = 404, description = "No such inscription in the family's dossier", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Past the deadline, or already over", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/inscriptions/{id}/annulation")]
pub async fn cancel_inscription(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (id, mailing) = (path.into_inner(), Mailing::of(&state).await?);
    let view = state
        .write(move |conn| {
            let dossier_id = family_dossier(conn, &user.account_id)?;
            let now = chrono::Utc::now();
            let row = lifecycle::cancel_by_family(conn, &dossier_id, &id, &mailing, now)?;
            Ok(family::view(conn, &row)?)
        })
        .await?;
    Ok(private_json(StatusCode::OK, &view))
}

/// The family accepts (`confirmee`) or declines (`annulee`; it goes to the next in line) a
/// freed place offered to it, before the offer's deadline.
#[utoipa::path(
    tag = "Activités",
    params(("id" = Uuid, Path, description = "Inscription id")),
    request_body = OffreReponse,
    responses(
        (status = 200, body = InscriptionView),
        (status = 404, description = "No such inscription in the family's dossier", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "No place offered, or the offer expired", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/inscriptions/{id}/reponse")]
pub async fn answer_offer(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
    path: web::Path<String>,
    ValidJson(body): ValidJson<OffreReponse>,
) -> Result<HttpResponse, ApiError> {
    let (id, mailing) = (path.into_inner(), Mailing::of(&state).await?);
    let view = state
        .write(move |conn| {
            let dossier_id = family_dossier(conn, &user.account_id)?;
            let now = chrono::Utc::now();
            let row =
                lifecycle::answer_offer(conn, &dossier_id, &id, body.accepter, &mailing, now)?;
            Ok(family::view(conn, &row)?)
        })
        .await?;
    Ok(private_json(StatusCode::OK, &view))
}

/// The dossier of the signed-in family: without one, it has no inscription to act on.
fn family_dossier(conn: &mut crate::db::DbConn, account_id: &str) -> Result<String, ApiError> {
    dossier::of_account(conn, account_id)?
        .map(|d| d.id)
        .ok_or(ApiError::NotFound)
}
