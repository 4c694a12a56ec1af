//! Public content: town settings, the terms of use, actualités and the FAQ. What anyone
//! may read is cacheable: `ETag` (a hash of the body, answered 304 when unchanged) and a
//! short `Cache-Control`, so a scheduled news item appears within a minute.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use shared::api::content::{ActualiteList, FaqList, TermsResponse, TownResponse};

use crate::db::models::{cgu, content, town};
use crate::db::now;
use crate::error::ApiError;
use crate::state::AppState;

/// A public JSON answer with a strong `ETag`; 304 when the client already has it. Kept a
/// minute by browsers and proxies.
pub fn cacheable_json(
    req: &HttpRequest,
    body: &impl serde::Serialize,
) -> Result<HttpResponse, ApiError> {
    etag_json(req, body, "public, max-age=60")
}

/// Like [`cacheable_json`], but asked again on every use (`no-cache`): for what changes by
/// the second, such as places left; the answer is then a 304 while nothing changed.
pub fn revalidated_json(
    req: &HttpRequest,
    body: &impl serde::Serialize,
) -> Result<HttpResponse, ApiError> {
    etag_json(req, body, "public, no-cache")
}

fn etag_json(
    req: &HttpRequest,
    body: &impl serde::Serialize,
    cache_control: &'static str,
) -> Result<HttpResponse, ApiError> {
    let json = serde_json::to_vec(body).map_err(anyhow::Error::from)?;
    let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&json))[..32]);
    let cached = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let mut response = if cached {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache_control));
    Ok(if cached {
        response.finish()
    } else {
        response.content_type("application/json").body(json)
    })
}

/// The town's settings: name and tagline for the header, contact, the welcome text.
#[utoipa::path(tag = "Contenu", responses((status = 200, body = TownResponse), (status = 304, description = "Unchanged since `If-None-Match`")))]
#[get("/town")]
pub async fn get_town(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let town = state.town().await?;
    cacheable_json(&req, &town_response(&state, town))
}

/// What `/api/town` answers for `town`.
pub fn town_response(state: &AppState, town: town::TownSettings) -> TownResponse {
    TownResponse {
        name: town.name,
        tagline: town.tagline,
        connection_log_retention_days: state.settings.connection_log_retention_days,
        contact: town.contact,
        welcome_text: town.welcome_text,
        codes_postaux: town.codes_postaux,
        dpo_contact: town.dpo_contact,
    }
}

/// The terms of use (CGU) in force.
#[utoipa::path(
    tag = "Contenu",
    responses(
        (status = 200, body = TermsResponse),
        (status = 404, description = "No CGU published yet", body = shared::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/terms")]
pub async fn get_terms(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let terms = state
        .read(|conn| cgu::current(conn, now())?.ok_or(ApiError::NotFound))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-cache"))
        .json(TermsResponse {
            version: terms.version,
            published_at: terms.published_at.and_utc(),
            text: terms.text,
        }))
}

/// Paging of public lists.
#[derive(Deserialize, utoipa::IntoParams, validator::Validate)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// From 1.
    #[param(minimum = 1, maximum = 4294967295.0, format = Int64)]
    #[validate(range(min = 1))]
    pub page: Option<u32>,
    /// Entries per page (default 10); more than 50 are capped at 50
    /// (SECURITY.md F-01).
    #[param(minimum = 1, maximum = 4294967295.0, format = Int64)]
    #[validate(range(min = 1))]
    pub per_page: Option<u32>,
    /// Only the news « à la une » (the home page).
    pub a_la_une: Option<bool>,
}

impl PageQuery {
    /// The offset and the size of the page asked for.
    pub fn window(&self) -> (i64, i64) {
        let per_page = i64::from(self.per_page.unwrap_or(10).clamp(1, 50));
        (
            i64::from(self.page.unwrap_or(1).max(1) - 1) * per_page,
            per_page,
        )
    }
}

/// Published news, newest first (scheduled ones appear at their date).
#[utoipa::path(
    tag = "Contenu",
    params(PageQuery),
    responses((status = 200, body = ActualiteList), (status = 304, description = "Unchanged since `If-None-Match`"))
)]
#[get("/actualites")]
pub async fn list_actualites(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    validator::Validate::validate(&*query)?;
    let (offset, per_page) = query.window();
    let filter = content::NewsFilter {
        published_by: Some(now()),
        a_la_une: query.a_la_une.unwrap_or(false),
    };
    let (items, total) = state
        .read(move |conn| Ok(content::list(conn, filter, offset, per_page)?))
        .await?;
    cacheable_json(
        &req,
        &ActualiteList {
            items,
            total: u64::try_from(total).unwrap_or_default(),
        },
    )
}

/// One published news item (404 before its publication date).
#[utoipa::path(
    tag = "Contenu",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = shared::api::content::Actualite),
        (status = 404, description = "No such published item", body = shared::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/actualites/{id}")]
pub async fn get_actualite(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let item = state
        .read(move |conn| content::find(conn, &id, Some(now()))?.ok_or(ApiError::NotFound))
        .await?;
    cacheable_json(&req, &item)
}

/// The FAQ, by category then position.
#[utoipa::path(tag = "Contenu", responses((status = 200, body = FaqList)))]
#[get("/faq")]
pub async fn list_faq(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let items = state.read(|conn| Ok(content::faq_entries(conn)?)).await?;
    cacheable_json(&req, &FaqList { items })
}

/// « Données personnelles »: the controller, purposes, recipients, the durations in force
/// (the server's settings), the rights and whom to ask.
#[utoipa::path(tag = "Contenu", responses((status = 200, body = shared::api::privacy::Notice)))]
#[get("/donnees-personnelles")]
pub async fn get_privacy_notice(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let town = state.town().await?;
    let notice = crate::privacy::notices::privacy(
        &town,
        &state.settings.retention,
        state.settings.connection_log_retention_days,
    );
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-cache"))
        .json(notice))
}

/// « Accessibilité »: the déclaration d'accessibilité (RGAA).
#[utoipa::path(tag = "Contenu", responses((status = 200, body = shared::api::privacy::Notice)))]
#[get("/accessibilite")]
pub async fn get_accessibility_statement(
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let town = state.town().await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-cache"))
        .json(crate::privacy::notices::accessibility(&town)))
}
