//! The integration API (`/api/integration/v1/`): what connected applications read and
//! write, each route behind its scope. The door ([`crate::auth::integration`]) has checked
//! the token and the application before any of these runs.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use shared::api::integration::{
    DossierChanges, IntegrationDossier, NewWebhookRequest, WebhookCreated, WebhookDeliveryList,
    WebhookList, WebhookSubscription,
};

use crate::auth::integration::{Allowed, scope};
use crate::db::now;
use crate::error::ApiError;
use crate::extract::ValidJson;
use crate::integrations::sync::{self, PageRequest};
use crate::integrations::{self, subscriptions};
use crate::routes::private_json;
use crate::state::AppState;

/// Where a sync starts and how much it takes.
#[derive(Deserialize, utoipa::IntoParams, validator::Validate)]
#[serde(deny_unknown_fields)]
pub struct SyncQuery {
    /// The `next_cursor` of the previous page: the changes after it. Without it, every
    /// change from the beginning (or from `updated_since`).
    #[param(max_length = 200)]
    #[validate(length(max = 200))]
    pub cursor: Option<String>,
    /// A first sync without a cursor: only what changed at or after this instant (the
    /// database's clock). Ignored with a cursor.
    pub updated_since: Option<DateTime<Utc>>,
    /// Changes per page (default 100); more than 500 are capped at 500 (SECURITY.md
    /// F-01).
    #[param(minimum = 1, maximum = 4294967295.0, format = Int64)]
    #[validate(range(min = 1))]
    pub limit: Option<u32>,
}

/// What changed in the validated dossiers since the cursor: each changed dossier as it is
/// now (with its members and links), and tombstones for dossiers and members deleted.
/// Changes come in a stable order and one committed while you page is never skipped: keep
/// `next_cursor` and come back with it.
#[utoipa::path(
    tag = "Intégrations",
    params(SyncQuery),
    responses(
        (status = 200, body = DossierChanges),
        (status = 401, description = "`unauthorized`: no valid application token, or the application is revoked (`WWW-Authenticate: Bearer error=\"invalid_token\"`)", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: the token lacks `dossiers:read`", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("application" = ["dossiers:read"]))
)]
#[get("/integration/v1/dossiers")]
pub async fn sync_dossiers(
    allowed: Allowed<scope::DossiersRead>,
    state: web::Data<AppState>,
    query: web::Query<SyncQuery>,
) -> Result<HttpResponse, ApiError> {
    let app = allowed.app;
    let query = query.into_inner();
    validator::Validate::validate(&query)?;
    let cursor = match query.cursor.as_deref() {
        Some(text) => Some(
            sync::decode_cursor(text)
                .ok_or_else(|| ApiError::field("cursor", integrations::codes::INVALID_CURSOR))?,
        ),
        None => None,
    };
    let request = PageRequest {
        cursor,
        updated_since: query.updated_since.map(|at| at.naive_utc()),
        limit: query.limit.unwrap_or(sync::DEFAULT_PAGE),
    };
    let page = state
        .write(move |conn| sync::dossier_changes(conn, &app.application_id, &request, now()))
        .await?;
    Ok(private_json(StatusCode::OK, &page))
}

/// One validated dossier, with its members and links.
#[utoipa::path(
    tag = "Intégrations",
    params(("id" = Uuid, Path, description = "Dossier id")),
    responses(
        (status = 200, body = IntegrationDossier),
        (status = 401, description = "`unauthorized`: no valid application token, or the application is revoked (`WWW-Authenticate: Bearer error=\"invalid_token\"`)", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`insufficient_scope`: the token lacks `dossiers:read`", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such dossier, or not validated", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("application" = ["dossiers:read"]))
)]
#[get("/integration/v1/dossiers/{id}")]
pub async fn get_dossier(
    allowed: Allowed<scope::DossiersRead>,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let app = allowed.app;
    let id = path.into_inner();
    let dossier = state
        .write(move |conn| sync::read_dossier(conn, &app.application_id, &id, now()))
        .await?;
    Ok(private_json(StatusCode::OK, &dossier))
}

const UNAUTHORIZED: &str = "`unauthorized`: no valid application token, or the application is revoked (`WWW-Authenticate: Bearer error=\"invalid_token\"`)";

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
