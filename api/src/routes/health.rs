//! Health for the load balancer, the orchestrator and docker-compose: `live` (the process
//! answers: restart it if not), `ready` (send it traffic: its database and file store answer
//! and it is not stopping), and the older `/health` (the database answers).

use std::sync::atomic::Ordering;

use actix_web::{HttpResponse, get, web};
use diesel::connection::SimpleConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::state::AppState;

/// What a health check found.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or what is not.
    #[schema(example = "ok")]
    pub status: &'static str,
}

fn answer(status: &'static str) -> HttpResponse {
    HttpResponse::Ok().json(Health { status })
}

/// Answers 200 when the database answers.
#[utoipa::path(
    tag = "Santé",
    responses(
        (status = 200, description = "The API and its database answer", body = Health),
        (status = 503, description = "The database is unreachable", body = shared::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/health")]
pub async fn get_health(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state
        .read(|conn| Ok(conn.batch_execute("SELECT 1")?))
        .await?;
    Ok(answer("ok"))
}

/// Answers 200 while the process serves requests; touches nothing else, so a database
/// outage never gets a healthy server restarted.
#[utoipa::path(
    tag = "Santé",
    responses((status = 200, description = "The process serves requests", body = Health))
)]
#[get("/health/live")]
pub async fn get_live() -> HttpResponse {
    answer("ok")
}

/// Answers 200 when this server should receive traffic: its database and its file store
/// answer, and it was not asked to stop.
#[utoipa::path(
    tag = "Santé",
    responses(
        (status = 200, description = "Ready for traffic", body = Health),
        (status = 503, description = "Stopping (`draining`), or the database or the file store does not answer", body = shared::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/health/ready")]
pub async fn get_ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let unavailable = |reason| ApiError::Unavailable {
        retry_after: std::time::Duration::from_secs(1),
        reason,
    };
    if state.draining.load(Ordering::Relaxed) {
        return Err(unavailable("draining"));
    }
    state
        .read(|conn| Ok(conn.batch_execute("SELECT 1")?))
        .await?;
    if !state.storage.is_reachable().await {
        return Err(unavailable("file store unreachable"));
    }
    Ok(answer("ok"))
}
