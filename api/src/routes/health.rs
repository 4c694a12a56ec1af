//! Liveness and database reachability, for the load balancer and docker-compose.

use actix_web::{HttpResponse, get, web};
use diesel::connection::SimpleConnection;

use crate::error::ApiError;
use crate::state::AppState;

/// Answers 200 when the database answers.
#[utoipa::path(
    tag = "Santé",
    responses(
        (status = 200, description = "The API and its database answer"),
        (status = 503, description = "The database is unreachable", body = shared::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/health")]
pub async fn get_health(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state
        .read(|conn| Ok(conn.batch_execute("SELECT 1")?))
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": "ok" })))
}
