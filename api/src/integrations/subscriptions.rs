//! An application's webhook subscriptions (`webhooks:manage`): made with a URL and the
//! events wanted, the signing secret shown once; listed, resumed after a pause, deleted;
//! their delivery log, and « Rejouer ».

use chrono::NaiveDateTime;
use shared::api::integration::{
    DeliveryState, NewWebhookRequest, WebhookCreated, WebhookDelivery, WebhookDeliveryList,
    WebhookEventType, WebhookList, WebhookSubscription,
};

use crate::auth::sealed::SecretBox;
use crate::db::models::webhook::{self, Delivery, Subscription, state};
use crate::db::{DbConn, new_id};
use crate::error::ApiError;
use crate::integrations::stored_id;
use crate::integrations::{codes, webhooks};

/// Subscriptions one application may hold (SECURITY.md F-01: everything bounded).
pub const MAX_PER_APPLICATION: i64 = 10;
/// Deliveries the log shows.
const LOG_LENGTH: i64 = 100;

pub fn create(
    conn: &mut DbConn,
    secrets: &SecretBox,
    application_id: &str,
    request: &NewWebhookRequest,
    allow_http_loopback: bool,
    now: NaiveDateTime,
) -> Result<WebhookCreated, ApiError> {
    if let Err(reason) = webhooks::check_url(request.url.trim(), allow_http_loopback) {
        tracing::info!(%reason, "webhook URL refused");
        return Err(ApiError::field("url", codes::INVALID_URL));
    }
    if webhook::count_of(conn, application_id)? >= MAX_PER_APPLICATION {
        return Err(ApiError::Conflict(
            "Cette application a déjà 10 abonnements : supprimez-en un d'abord.",
        ));
    }
    let mut events: Vec<&str> = request.events.iter().map(|e| e.as_str()).collect();
    events.sort_unstable();
    events.dedup();
    let secret = webhooks::new_secret();
    let id = new_id();
    webhook::subscribe(
        conn,
        &id,
        application_id,
        request.url.trim(),
        &events.join(" "),
        &secrets.seal(&secret)?,
        now,
    )?;
    let created = webhook::find(conn, &id)?.ok_or(ApiError::NotFound)?;
    Ok(WebhookCreated {
        subscription: view(&created)?,
        secret,
    })
}

pub fn list(conn: &mut DbConn, application_id: &str) -> Result<WebhookList, ApiError> {
    let items = webhook::of_application(conn, application_id)?
        .iter()
        .map(view)
        .collect::<Result<_, _>>()?;
    Ok(WebhookList { items })
}

pub fn delete(conn: &mut DbConn, application_id: &str, id: &str) -> Result<(), ApiError> {
    let found = mine(conn, application_id, id)?;
    webhook::unsubscribe(conn, &found.id)?;
    Ok(())
}

/// Sends again after a pause (what failed stays in the log: replay what is missing).
pub fn resume(
    conn: &mut DbConn,
    application_id: &str,
    id: &str,
) -> Result<WebhookSubscription, ApiError> {
    let found = mine(conn, application_id, id)?;
    webhook::resume(conn, &found.id)?;
    view(&mine(conn, application_id, id)?)
}

pub fn deliveries(
    conn: &mut DbConn,
    application_id: &str,
    id: &str,
) -> Result<WebhookDeliveryList, ApiError> {
    let found = mine(conn, application_id, id)?;
    delivery_log(conn, &found.id)
}

/// The log of a subscription (the back office reads any application's).
pub fn delivery_log(
    conn: &mut DbConn,
    subscription_id: &str,
) -> Result<WebhookDeliveryList, ApiError> {
    let items = webhook::deliveries(conn, subscription_id, LOG_LENGTH)?
        .into_iter()
        .map(|(delivery, kind)| delivery_view(delivery, kind))
        .collect::<Result<_, _>>()?;
    Ok(WebhookDeliveryList { items })
}

/// « Rejouer »: delivery `delivery_id` is sent again at once.
pub fn replay(
    conn: &mut DbConn,
    subscription_id: &str,
    delivery_id: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    if webhook::replay(conn, subscription_id, delivery_id, now)? {
        Ok(())
    } else {
        Err(ApiError::NotFound)
    }
}

/// Subscription `id`, if it is `application_id`'s (404 otherwise: another application's
/// subscriptions do not exist for it).
pub fn mine(conn: &mut DbConn, application_id: &str, id: &str) -> Result<Subscription, ApiError> {
    webhook::find_for(conn, id, application_id)?.ok_or(ApiError::NotFound)
}

fn view(found: &Subscription) -> Result<WebhookSubscription, ApiError> {
    Ok(WebhookSubscription {
        id: stored_id(&found.id)?,
        url: found.url.clone(),
        events: found
            .events
            .split(' ')
            .filter_map(WebhookEventType::parse)
            .collect(),
        created_at: found.created_at.and_utc(),
        paused_at: found.paused_at.map(|at| at.and_utc()),
        pause_reason: found.pause_reason.clone(),
    })
}

fn delivery_view(delivery: Delivery, kind: String) -> Result<WebhookDelivery, ApiError> {
    let state = match delivery.state.as_str() {
        state::PENDING => DeliveryState::EnAttente,
        state::SENDING => DeliveryState::Envoi,
        state::DELIVERED => DeliveryState::Livree,
        _ => DeliveryState::Abandonnee,
    };
    let waiting = matches!(state, DeliveryState::EnAttente | DeliveryState::Envoi);
    Ok(WebhookDelivery {
        id: stored_id(&delivery.id)?,
        event_type: kind,
        state,
        attempts: delivery.attempts,
        last_status: delivery.last_status,
        last_error: delivery.last_error,
        created_at: delivery.created_at.and_utc(),
        next_attempt_at: waiting.then(|| delivery.next_attempt_at.and_utc()),
        delivered_at: delivery.delivered_at.map(|at| at.and_utc()),
    })
}
