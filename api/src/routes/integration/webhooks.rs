//! Webhook subscriptions (`webhooks:manage`): what an application listens to, where, and
//! the log of what was delivered.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, post, web};
use shared::api::integration::{
    NewWebhookRequest, WebhookCreated, WebhookDeliveryList, WebhookList, WebhookSubscription,
};

use super::UNAUTHORIZED;
use crate::auth::integration::{Allowed, scope};
use crate::db::now;
use crate::error::ApiError;
use crate::extract::ValidJson;
use crate::integrations::subscriptions;
use crate::routes::private_json;
use crate::state::AppState;

/// The application's webhook subscriptions.
#[utoipa::path(
    tag = "Intégrations",
    responses(
        (status = 200, body = WebhookList),
        (status = 401, description = UNAUTHORIZED, body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: the token lacks `webhooks:manage`", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("application" = ["webhooks:manage"]))
)]
#[get("/integration/v1/webhooks")]
pub async fn list_webhooks(
    allowed: Allowed<scope::WebhooksManage>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let app = allowed.app;
    let list = state
        .read(move |conn| subscriptions::list(conn, &app.application_id))
        .await?;
    Ok(private_json(StatusCode::OK, &list))
}

/// Subscribes a URL to events. Each event is POSTed there as JSON `{"type", "timestamp",
/// "data"}`, signed as Standard Webhooks says (`webhook-id`, `webhook-timestamp`,
/// `webhook-signature`: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body` with the
/// secret in this answer, shown once). Delivered at least once (de-duplicate on
/// `webhook-id`), retried for three days, then the subscription is paused.
#[utoipa::path(
    tag = "Intégrations",
    request_body = NewWebhookRequest,
    responses(
        (status = 201, body = WebhookCreated),
        (status = 401, description = UNAUTHORIZED, body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: the token lacks `webhooks:manage`", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The application already has 10 subscriptions", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("application" = ["webhooks:manage"]))
)]
#[post("/integration/v1/webhooks")]
pub async fn create_webhook(
    allowed: Allowed<scope::WebhooksManage>,
    state: web::Data<AppState>,
    body: ValidJson<NewWebhookRequest>,
) -> Result<HttpResponse, ApiError> {
    let app = allowed.app;
    let request = body.0;
    let (secrets, loopback) = (
        state.secrets.clone(),
        state.settings.webhook_allow_http_loopback,
    );
    let created = state
        .write(move |conn| {
            subscriptions::create(
                conn,
                &secrets,
                &app.application_id,
                &request,
                loopback,
                now(),
            )
        })
        .await?;
    Ok(private_json(StatusCode::CREATED, &created))
}

/// Deletes a subscription (its log with it).
#[utoipa::path(
    tag = "Intégrations",
    params(("id" = Uuid, Path, description = "Subscription id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = UNAUTHORIZED, body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: the token lacks `webhooks:manage`", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("application" = ["webhooks:manage"]))
)]
#[delete("/integration/v1/webhooks/{id}")]
pub async fn delete_webhook(
    allowed: Allowed<scope::WebhooksManage>,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (app, id) = (allowed.app, path.into_inner());
    state
        .write(move |conn| subscriptions::delete(conn, &app.application_id, &id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Resumes a paused subscription: new events are sent again. What was given up meanwhile
/// stays in the log; replay what you miss, or read it back with the incremental sync.
#[utoipa::path(
    tag = "Intégrations",
    params(("id" = Uuid, Path, description = "Subscription id")),
    responses(
        (status = 200, body = WebhookSubscription),
        (status = 401, description = UNAUTHORIZED, body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: the token lacks `webhooks:manage`", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("application" = ["webhooks:manage"]))
)]
#[post("/integration/v1/webhooks/{id}/reprise")]
pub async fn resume_webhook(
    allowed: Allowed<scope::WebhooksManage>,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (app, id) = (allowed.app, path.into_inner());
    let resumed = state
        .write(move |conn| subscriptions::resume(conn, &app.application_id, &id))
        .await?;
    Ok(private_json(StatusCode::OK, &resumed))
}

/// The subscription's latest 100 deliveries, newest first, with the receiver's last status.
#[utoipa::path(
    tag = "Intégrations",
    params(("id" = Uuid, Path, description = "Subscription id")),
    responses(
        (status = 200, body = WebhookDeliveryList),
        (status = 401, description = UNAUTHORIZED, body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: the token lacks `webhooks:manage`", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("application" = ["webhooks:manage"]))
)]
#[get("/integration/v1/webhooks/{id}/deliveries")]
pub async fn webhook_deliveries(
    allowed: Allowed<scope::WebhooksManage>,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (app, id) = (allowed.app, path.into_inner());
    let log = state
        .read(move |conn| subscriptions::deliveries(conn, &app.application_id, &id))
        .await?;
    Ok(private_json(StatusCode::OK, &log))
}

/// Sends a delivery again at once (« Rejouer »), with the same `webhook-id`.
#[utoipa::path(
    tag = "Intégrations",
    params(
        ("id" = Uuid, Path, description = "Subscription id"),
        ("delivery" = Uuid, Path, description = "Delivery id"),
    ),
    responses(
        (status = 204, description = "Queued again"),
        (status = 401, description = UNAUTHORIZED, body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: the token lacks `webhooks:manage`", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("application" = ["webhooks:manage"]))
)]
#[post("/integration/v1/webhooks/{id}/deliveries/{delivery}/replay")]
pub async fn replay_webhook(
    allowed: Allowed<scope::WebhooksManage>,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (app, (id, delivery)) = (allowed.app, path.into_inner());
    state
        .write(move |conn| {
            let found = subscriptions::mine(conn, &app.application_id, &id)?;
            subscriptions::replay(conn, &found.id, &delivery, now())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
