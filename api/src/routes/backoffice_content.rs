//! The town publishes: news and FAQ (agents and administrators), new CGU versions
//! (administrators only: every family accepts them again at its next visit).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, post, put, web};
use shared::api::content::{
    Actualite, ActualiteInput, ActualiteList, FaqEntry, FaqInput, PublishTermsRequest,
    TermsResponse, TownResponse, TownSettingsInput,
};

use crate::auth::extractor::StaffUser;
use crate::db::models::{cgu, content, town};
use crate::db::now;
use crate::error::ApiError;
use crate::extract::ValidJson;
use crate::routes::private_json;
use crate::state::AppState;
use shared::api::pieces::PieceTypeList;

/// Every news item, scheduled ones included, newest first (the editors' list).
#[utoipa::path(
    tag = "Back office",
    params(crate::routes::content::PageQuery),
    responses((status = 200, body = ActualiteList), (status = 403, description = "Not staff", body = shared::error::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[get("/backoffice/actualites")]
pub async fn list_all_actualites(
    state: web::Data<AppState>,
    _staff: StaffUser,
    query: web::Query<crate::routes::content::PageQuery>,
) -> Result<HttpResponse, ApiError> {
    validator::Validate::validate(&*query)?;
    let (offset, per_page) = query.window();
    let filter = content::NewsFilter {
        published_by: None,
        a_la_une: query.a_la_une.unwrap_or(false),
    };
    let (items, total) = state
        .read(move |conn| Ok(content::list(conn, filter, offset, per_page)?))
        .await?;
    let total = u64::try_from(total).unwrap_or_default();
    Ok(private_json(
        StatusCode::OK,
        &ActualiteList { items, total },
    ))
}

/// Publishes (or schedules, with a future `publie_le`) a news item.
#[utoipa::path(
    tag = "Back office",
    request_body = ActualiteInput,
    responses((status = 201, body = Actualite), (status = 403, description = "Not staff", body = shared::error::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[post("/backoffice/actualites")]
pub async fn create_actualite(
    state: web::Data<AppState>,
    staff: StaffUser,
    body: ValidJson<ActualiteInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let item = state
        .write(move |conn| {
            let id = content::insert_actualite(conn, &input, Some(&staff.user.account_id), now())?;
            content::find(conn, &id, None)?.ok_or(ApiError::NotFound)
        })
        .await?;
    Ok(private_json(StatusCode::CREATED, &item))
}

/// Changes a news item.
#[utoipa::path(
    tag = "Back office",
    params(("id" = Uuid, Path)),
    request_body = ActualiteInput,
    responses((status = 200, body = Actualite), (status = 404, description = "No such item", body = shared::error::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[put("/backoffice/actualites/{id}")]
pub async fn update_actualite(
    state: web::Data<AppState>,
    _staff: StaffUser,
    path: web::Path<String>,
    body: ValidJson<ActualiteInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (path.into_inner(), body.0);
    let item = state
        .write(move |conn| {
            if content::update_actualite(conn, &id, &input, now())? == 0 {
                return Err(ApiError::NotFound);
            }
            content::find(conn, &id, None)?.ok_or(ApiError::NotFound)
        })
        .await?;
    Ok(private_json(StatusCode::OK, &item))
}

/// Removes a news item.
#[utoipa::path(
    tag = "Back office",
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "Deleted"), (status = 404, description = "No such item", body = shared::error::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[delete("/backoffice/actualites/{id}")]
pub async fn delete_actualite(
    state: web::Data<AppState>,
    _staff: StaffUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    state
        .write(move |conn| match content::delete_actualite(conn, &id)? {
            0 => Err(ApiError::NotFound),
            _ => Ok(()),
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Adds a FAQ entry.
#[utoipa::path(
    tag = "Back office",
    request_body = FaqInput,
    responses((status = 201, body = FaqEntry)),
    security(("bearer" = []))
)]
#[post("/backoffice/faq")]
pub async fn create_faq(
    state: web::Data<AppState>,
    _staff: StaffUser,
    body: ValidJson<FaqInput>,
) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    let entry = state
        .write(move |conn| {
            let id = content::insert_faq(conn, &input, now())?;
            content::find_faq(conn, &id)?.ok_or(ApiError::NotFound)
        })
        .await?;
    Ok(private_json(StatusCode::CREATED, &entry))
}

/// Changes a FAQ entry.
#[utoipa::path(
    tag = "Back office",
    params(("id" = Uuid, Path)),
    request_body = FaqInput,
    responses((status = 200, body = FaqEntry), (status = 404, description = "No such entry", body = shared::error::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[put("/backoffice/faq/{id}")]
pub async fn update_faq(
    state: web::Data<AppState>,
    _staff: StaffUser,
    path: web::Path<String>,
    body: ValidJson<FaqInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (path.into_inner(), body.0);
    let entry = state
        .write(move |conn| {
            if content::update_faq(conn, &id, &input, now())? == 0 {
                return Err(ApiError::NotFound);
            }
            content::find_faq(conn, &id)?.ok_or(ApiError::NotFound)
        })
        .await?;
    Ok(private_json(StatusCode::OK, &entry))
}

/// Removes a FAQ entry.
#[utoipa::path(
    tag = "Back office",
    params(("id" = Uuid, Path)),
    responses((status = 204, description = "Deleted"), (status = 404, description = "No such entry", body = shared::error::Problem, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
#[delete("/backoffice/faq/{id}")]
pub async fn delete_faq(
    state: web::Data<AppState>,
    _staff: StaffUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    state
        .write(move |conn| match content::delete_faq(conn, &id)? {
            0 => Err(ApiError::NotFound),
            _ => Ok(()),
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Changes the town's settings (administrators): name, tagline, contact, welcome text.
#[utoipa::path(
    tag = "Back office",
    request_body = TownSettingsInput,
    responses(
        (status = 200, body = TownResponse),
        (status = 403, description = "Not an administrator", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid settings; nothing changed", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/backoffice/town")]
pub async fn update_town(
    state: web::Data<AppState>,
    staff: StaffUser,
    body: ValidJson<TownSettingsInput>,
) -> Result<HttpResponse, ApiError> {
    staff.require_administrator()?;
    let (input, by) = (body.0, staff.user.account_id.clone());
    let settings = state
        .write(move |conn| {
            town::update(conn, &input, &by, now())?;
            Ok(town::current(conn)?)
        })
        .await?;
    state.town_settings.forget().await;
    let answer = crate::routes::content::town_response(&state, settings);
    Ok(private_json(StatusCode::OK, &answer))
}

/// Publishes a new version of the CGU (administrators): from now on every family must
/// accept it before using its dossier again.
#[utoipa::path(
    tag = "Back office",
    request_body = PublishTermsRequest,
    responses(
        (status = 201, body = TermsResponse),
        (status = 403, description = "Not an administrator", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/backoffice/cgu")]
pub async fn publish_terms(
    state: web::Data<AppState>,
    staff: StaffUser,
    body: ValidJson<PublishTermsRequest>,
) -> Result<HttpResponse, ApiError> {
    staff.require_administrator()?;
    let text = body.0.text;
    let terms = state
        .write(move |conn| {
            let now = now();
            cgu::publish(conn, &text, now)?;
            cgu::current(conn, now)?.ok_or(ApiError::NotFound)
        })
        .await?;
    Ok(private_json(
        StatusCode::CREATED,
        &TermsResponse {
            version: terms.version,
            published_at: terms.published_at.and_utc(),
            text: terms.text,
        },
    ))
}

/// Replaces the catalogue of types de pièce (administrators): the list is the whole
/// catalogue; types left out are retired (kept for pieces already provided). All or
/// nothing: every problem is reported, in French, in `detail`.
#[utoipa::path(
    tag = "Back office",
    request_body = PieceTypeList,
    responses(
        (status = 200, body = PieceTypeList),
        (status = 403, description = "Not an administrator", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "An invalid catalogue; nothing changed", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/backoffice/types-de-piece")]
pub async fn replace_catalogue(
    state: web::Data<AppState>,
    staff: StaffUser,
    body: ValidJson<PieceTypeList>,
) -> Result<HttpResponse, ApiError> {
    staff.require_administrator()?;
    let types = body.0.items;
    let problems = crate::catalogue::check(&types);
    if !problems.is_empty() {
        return Err(ApiError::UploadRefused {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            field: "items".into(),
            field_code: shared::validation::codes::INVALID_TYPE,
            detail: problems.join(" "),
        });
    }
    let items = state
        .write(move |conn| {
            crate::catalogue::replace(conn, &types)?;
            Ok(crate::db::models::piece_type::active(conn)?)
        })
        .await?;
    Ok(private_json(StatusCode::OK, &PieceTypeList { items }))
}
