//! Public content: town settings and the terms of use.

use actix_web::{HttpResponse, get, web};
use shared::api::content::{TermsResponse, TownResponse};

use crate::db::models::cgu;
use crate::db::now;
use crate::error::ApiError;
use crate::state::AppState;

/// The town's name and tagline, for the header.
#[utoipa::path(tag = "Contenu", responses((status = 200, body = TownResponse)))]
#[get("/town")]
pub async fn get_town(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(TownResponse {
            name: state.settings.town_name.clone(),
            tagline: state.settings.town_tagline.clone(),
            connection_log_retention_days: state.settings.connection_log_retention_days,
        })
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
