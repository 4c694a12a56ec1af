//! « Applications connectées » (administrators): the town's other software, its scopes,
//! secrets and use, and its webhooks' delivery log with « Rejouer ».

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use shared::api::integration::{
    ApplicationList, ApplicationView, IssuedCredentials, NewApplicationRequest,
    RotateSecretRequest, WebhookDeliveryList, WebhookList,
};

use crate::auth::extractor::StaffUser;
use crate::db::now;
use crate::error::ApiError;
use crate::extract::ValidJson;
use crate::integrations::applications::{self, DEFAULT_OVERLAP_HOURS};
use crate::integrations::subscriptions;
use crate::routes::private_json;
use crate::state::AppState;

/// The connected applications, live ones first, with their last use and request count.
#[utoipa::path(
    tag = "Back office",
    responses(
        (status = 200, body = ApplicationList),
        (status = 403, description = "Not an administrator", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/backoffice/applications")]
pub async fn list_applications(
    state: web::Data<AppState>,
    staff: StaffUser,
) -> Result<HttpResponse, ApiError> {
    staff.require_administrator()?;
    let list = state.read(|conn| applications::list(conn, now())).await?;
    Ok(private_json(StatusCode::OK, &list))
}

/// Connects an application: its `client_id` and `client_secret` are in the answer, the
/// secret this once (only its hash is kept).
#[utoipa::path(
    tag = "Back office",
    request_body = NewApplicationRequest,
    responses(
        (status = 201, body = IssuedCredentials),
        (status = 403, description = "Not an administrator", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "An application already has this name", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/backoffice/applications")]
pub async fn create_application(
    state: web::Data<AppState>,
    staff: StaffUser,
    body: ValidJson<NewApplicationRequest>,
) -> Result<HttpResponse, ApiError> {
    staff.require_administrator()?;
    let request = body.0;
    let by = staff.user.account_id.clone();
    let issued = state
        .write(move |conn| applications::create(conn, &request, &by, now()))
        .await?;
    tracing::info!(application = %issued.client_id, by = %staff.user.account_id, "application connected");
    Ok(private_json(StatusCode::CREATED, &issued))
}

/// A new secret (shown once); the previous one stays valid `overlap_hours` more (24 by
/// default), the time to deploy the new one.
#[utoipa::path(
    tag = "Back office",
    params(("id" = Uuid, Path, description = "Application id")),
    request_body = RotateSecretRequest,
    responses(
        (status = 201, body = IssuedCredentials),
        (status = 403, description = "Not an administrator", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The application is revoked", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/backoffice/applications/{id}/secret")]
pub async fn rotate_secret(
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<String>,
    body: ValidJson<RotateSecretRequest>,
) -> Result<HttpResponse, ApiError> {
    staff.require_administrator()?;
    let id = path.into_inner();
    let overlap = body.0.overlap_hours.unwrap_or(DEFAULT_OVERLAP_HOURS);
    let issued = state
        .write(move |conn| applications::rotate(conn, &id, overlap, now()))
        .await?;
    tracing::info!(application = %issued.client_id, by = %staff.user.account_id, overlap, "application secret rotated");
    Ok(private_json(StatusCode::CREATED, &issued))
}

/// Revokes an application: its tokens are refused from their next request on, and no new
/// token is given. There is no way back: connect it again if needed.
#[utoipa::path(
    tag = "Back office",
    params(("id" = Uuid, Path, description = "Application id")),
    responses(
        (status = 200, body = ApplicationView),
        (status = 403, description = "Not an administrator", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already revoked", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/backoffice/applications/{id}/revocation")]
pub async fn revoke_application(
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    staff.require_administrator()?;
    let id = path.into_inner();
    let revoked = state
        .write(move |conn| applications::revoke(conn, &id, now()))
        .await?;
    tracing::warn!(application = %revoked.id, by = %staff.user.account_id, "application revoked");
    Ok(private_json(StatusCode::OK, &revoked))
}

/// An application's webhook subscriptions (administrators: to see why one is paused).
#[utoipa::path(
    tag = "Back office",
    params(("id" = Uuid, Path, description = "Application id")),
    responses(
        (status = 200, body = WebhookList),
        (status = 403, description = "Not an administrator", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/backoffice/applications/{id}/webhooks")]
pub async fn application_webhooks(
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    staff.require_administrator()?;
    let id = path.into_inner();
    let list = state
        .read(move |conn| subscriptions::list(conn, &id))
        .await?;
    Ok(private_json(StatusCode::OK, &list))
}

/// A subscription's delivery log: each event, its state, attempts and the receiver's last
/// status code.
#[utoipa::path(
    tag = "Back office",
    params(("id" = Uuid, Path, description = "Subscription id")),
    responses(
        (status = 200, body = WebhookDeliveryList),
        (status = 403, description = "Not an administrator", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/backoffice/webhooks/{id}/deliveries")]
pub async fn webhook_log(
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    staff.require_administrator()?;
    let id = path.into_inner();
    let log = state
        .read(move |conn| subscriptions::delivery_log(conn, &id))
        .await?;
    Ok(private_json(StatusCode::OK, &log))
}

/// « Rejouer »: sends a delivery again at once, with the same `webhook-id`.
#[utoipa::path(
    tag = "Back office",
    params(
        ("id" = Uuid, Path, description = "Subscription id"),
        ("delivery" = Uuid, Path, description = "Delivery id"),
    ),
    responses(
        (status = 204, description = "Queued again"),
        (status = 403, description = "Not an administrator", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/backoffice/webhooks/{id}/deliveries/{delivery}/replay")]
pub async fn replay_delivery(
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    staff.require_administrator()?;
    let (id, delivery) = path.into_inner();
    tracing::info!(subscription = %id, %delivery, by = %staff.user.account_id, "webhook delivery replayed");
    state
        .write(move |conn| subscriptions::replay(conn, &id, &delivery, now()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
