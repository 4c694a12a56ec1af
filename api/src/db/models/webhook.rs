//! Webhook subscriptions, the events written with the changes they tell (an outbox), their
//! deliveries and every attempt (migration 2026-12-07-000017).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};
use shared::api::integration::WebhookEventType;

use crate::db::schema::{
    webhook_attempts, webhook_deliveries, webhook_events, webhook_subscriptions,
};
use crate::db::{DbConn, new_id};

/// Where a delivery stands (the `state` column).
pub mod state {
    pub const PENDING: &str = "en_attente";
    pub const SENDING: &str = "envoi";
    pub const DELIVERED: &str = "livree";
    pub const GIVEN_UP: &str = "abandonnee";
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = webhook_subscriptions)]
pub struct Subscription {
    pub id: String,
    pub application_id: String,
    pub url: String,
    pub events: String,
    /// Sealed.
    pub secret: String,
    pub created_at: NaiveDateTime,
    pub paused_at: Option<NaiveDateTime>,
    pub pause_reason: Option<String>,
}

#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = webhook_deliveries)]
pub struct Delivery {
    pub id: String,
    pub subscription_id: String,
    pub event_id: String,
    pub state: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// A delivery claimed by a worker, with what it sends and where.
pub struct Claimed {
    pub delivery: Delivery,
    pub subscription: Subscription,
    pub kind: String,
    pub payload: String,
}

pub fn subscribe(
    conn: &mut DbConn,
    id: &str,
    application_id: &str,
    url: &str,
    events: &str,
    sealed_secret: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(webhook_subscriptions::table)
        .values((
            webhook_subscriptions::id.eq(id),
            webhook_subscriptions::application_id.eq(application_id),
            webhook_subscriptions::url.eq(url),
            webhook_subscriptions::events.eq(events),
            webhook_subscriptions::secret.eq(sealed_secret),
            webhook_subscriptions::created_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}

/// An application's subscriptions, oldest first.
pub fn of_application(conn: &mut DbConn, application_id: &str) -> QueryResult<Vec<Subscription>> {
    webhook_subscriptions::table
        .filter(webhook_subscriptions::application_id.eq(application_id))
        .order(webhook_subscriptions::created_at)
        .select(Subscription::as_select())
        .load(conn)
}

/// Subscription `id` if it is `application_id`'s.
pub fn find_for(
    conn: &mut DbConn,
    id: &str,
    application_id: &str,
) -> QueryResult<Option<Subscription>> {
    webhook_subscriptions::table
        .find(id)
        .filter(webhook_subscriptions::application_id.eq(application_id))
        .select(Subscription::as_select())
        .first(conn)
        .optional()
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Subscription>> {
    webhook_subscriptions::table
        .find(id)
        .select(Subscription::as_select())
        .first(conn)
        .optional()
}

pub fn unsubscribe(conn: &mut DbConn, id: &str) -> QueryResult<usize> {
    diesel::delete(webhook_subscriptions::table.find(id)).execute(conn)
}

pub fn pause(conn: &mut DbConn, id: &str, reason: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        webhook_subscriptions::table
            .find(id)
            .filter(webhook_subscriptions::paused_at.is_null()),
    )
    .set((
        webhook_subscriptions::paused_at.eq(now),
        webhook_subscriptions::pause_reason.eq(reason),
    ))
    .execute(conn)
}

/// Resumes a paused subscription.
pub fn resume(conn: &mut DbConn, id: &str) -> QueryResult<usize> {
    diesel::update(webhook_subscriptions::table.find(id))
        .set((
            webhook_subscriptions::paused_at.eq(None::<NaiveDateTime>),
            webhook_subscriptions::pause_reason.eq(None::<String>),
        ))
        .execute(conn)
}

/// Writes event `kind` and a delivery for each live subscription to it, in the caller's
/// transaction: the event is sent if and only if the change it tells is committed. `data`
/// (read only when someone listens: one query otherwise) goes in the Standard Webhooks
/// envelope `{"type", "timestamp", "data"}`.
pub fn emit(
    conn: &mut DbConn,
    kind: WebhookEventType,
    data: impl FnOnce(&mut DbConn) -> QueryResult<serde_json::Value>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let kind = kind.as_str();
    // `events` is space-separated: pad it so that one name never matches inside another.
    let listening: Vec<String> = webhook_subscriptions::table
        .filter(webhook_subscriptions::paused_at.is_null())
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Text>("' ' || events || ' '")
                .like(format!("% {kind} %")),
        )
        .select(webhook_subscriptions::id)
        .load(conn)?;
    if listening.is_empty() {
        return Ok(0);
    }
    let payload = serde_json::json!({
        "type": kind,
        "timestamp": now.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "data": data(conn)?,
    });
    let event_id = new_id();
    diesel::insert_into(webhook_events::table)
        .values((
            webhook_events::id.eq(&event_id),
            webhook_events::kind.eq(kind),
            webhook_events::payload.eq(payload.to_string()),
            webhook_events::created_at.eq(now),
        ))
        .execute(conn)?;
    for subscription in &listening {
        diesel::insert_into(webhook_deliveries::table)
            .values((
                webhook_deliveries::id.eq(new_id()),
                webhook_deliveries::subscription_id.eq(subscription),
                webhook_deliveries::event_id.eq(&event_id),
                webhook_deliveries::state.eq(state::PENDING),
                webhook_deliveries::next_attempt_at.eq(now),
                webhook_deliveries::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(listening.len())
}

/// Pauses every subscription of an application (it was revoked).
pub fn pause_all(
    conn: &mut DbConn,
    application_id: &str,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        webhook_subscriptions::table
            .filter(webhook_subscriptions::application_id.eq(application_id))
            .filter(webhook_subscriptions::paused_at.is_null()),
    )
    .set((
        webhook_subscriptions::paused_at.eq(now),
        webhook_subscriptions::pause_reason.eq(reason),
    ))
    .execute(conn)
}

/// How many subscriptions an application has.
pub fn count_of(conn: &mut DbConn, application_id: &str) -> QueryResult<i64> {
    webhook_subscriptions::table
        .filter(webhook_subscriptions::application_id.eq(application_id))
        .count()
        .get_result(conn)
}

/// How long a worker holds a delivery it claimed before another may take it.
const CLAIM_LEASE: chrono::Duration = chrono::Duration::seconds(60);

/// How many deliveries wait to leave, due or not (paused subscriptions' included), and
/// since when the oldest (metrics).
pub fn backlog(conn: &mut DbConn) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    webhook_deliveries::table
        .filter(webhook_deliveries::state.eq_any([state::PENDING, state::SENDING]))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::min(webhook_deliveries::created_at),
        ))
        .first(conn)
}

/// Claims up to `limit` due deliveries of live subscriptions, each leased for
/// `CLAIM_LEASE` (as the email outbox does): two workers never send one at once.
pub fn claim_due(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<Claimed>> {
    let leased: Vec<String> = match conn {
        // One statement, rows being leased by another replica skipped (see the outbox).
        DbConn::Pg(pg) => diesel::sql_query(
            "UPDATE webhook_deliveries SET state = $4, next_attempt_at = $2 WHERE id IN ( \
                SELECT d.id FROM webhook_deliveries d \
                JOIN webhook_subscriptions s ON s.id = d.subscription_id \
                WHERE d.state IN ($4, $5) AND d.next_attempt_at <= $1 AND s.paused_at IS NULL \
                ORDER BY d.next_attempt_at LIMIT $3 FOR UPDATE OF d SKIP LOCKED) \
             RETURNING id",
        )
        .bind::<Timestamp, _>(now)
        .bind::<Timestamp, _>(now + CLAIM_LEASE)
        .bind::<BigInt, _>(limit)
        .bind::<Text, _>(state::SENDING)
        .bind::<Text, _>(state::PENDING)
        .load::<crate::db::LeasedId>(pg)?
        .into_iter()
        .map(|row| row.id)
        .collect(),
        DbConn::Sqlite(_) => lease_one_by_one(conn, now, limit)?,
    };
    let rows = webhook_deliveries::table
        .filter(webhook_deliveries::id.eq_any(&leased))
        .inner_join(webhook_subscriptions::table)
        .inner_join(webhook_events::table)
        .order(webhook_deliveries::created_at.asc())
        .select((
            Delivery::as_select(),
            Subscription::as_select(),
            (webhook_events::kind, webhook_events::payload),
        ))
        .load::<(Delivery, Subscription, (String, String))>(conn)?;
    Ok(rows
        .into_iter()
        .map(|(delivery, subscription, (kind, payload))| Claimed {
            delivery,
            subscription,
            kind,
            payload,
        })
        .collect())
}

/// SQLite has one writer at a time: a conditional update per row is a lease.
fn lease_one_by_one(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<String>> {
    let due: Vec<String> = webhook_deliveries::table
        .inner_join(webhook_subscriptions::table)
        .filter(webhook_deliveries::state.eq_any([state::PENDING, state::SENDING]))
        .filter(webhook_deliveries::next_attempt_at.le(now))
        .filter(webhook_subscriptions::paused_at.is_null())
        .order(webhook_deliveries::next_attempt_at.asc())
        .limit(limit)
        .select(webhook_deliveries::id)
        .load(conn)?;
    let mut leased = Vec::with_capacity(due.len());
    for id in due {
        let rows = diesel::update(
            webhook_deliveries::table
                .find(&id)
                .filter(webhook_deliveries::state.eq_any([state::PENDING, state::SENDING]))
                .filter(webhook_deliveries::next_attempt_at.le(now)),
        )
        .set((
            webhook_deliveries::state.eq(state::SENDING),
            webhook_deliveries::next_attempt_at.eq(now + CLAIM_LEASE),
        ))
        .execute(conn)?;
        if rows == 1 {
            leased.push(id);
        }
    }
    Ok(leased)
}

/// Logs one attempt.
pub fn record_attempt(
    conn: &mut DbConn,
    delivery_id: &str,
    status_code: Option<i32>,
    error: Option<&str>,
    duration_ms: i32,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(webhook_attempts::table)
        .values((
            webhook_attempts::id.eq(new_id()),
            webhook_attempts::delivery_id.eq(delivery_id),
            webhook_attempts::at.eq(at),
            webhook_attempts::status_code.eq(status_code),
            webhook_attempts::error.eq(error),
            webhook_attempts::duration_ms.eq(duration_ms),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn mark_delivered(
    conn: &mut DbConn,
    delivery: &Delivery,
    status_code: i32,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(webhook_deliveries::table.find(&delivery.id))
        .set((
            webhook_deliveries::state.eq(state::DELIVERED),
            webhook_deliveries::attempts.eq(delivery.attempts + 1),
            webhook_deliveries::last_status.eq(status_code),
            webhook_deliveries::last_error.eq(None::<String>),
            webhook_deliveries::delivered_at.eq(now),
        ))
        .execute(conn)
}

/// A failed attempt: due again at `retry_at`, or given up (`None`).
pub fn mark_failed(
    conn: &mut DbConn,
    delivery: &Delivery,
    status_code: Option<i32>,
    error: &str,
    retry_at: Option<NaiveDateTime>,
) -> QueryResult<usize> {
    let error: String = error.chars().take(500).collect();
    let (next_state, next) = match retry_at {
        Some(at) => (state::PENDING, at),
        None => (state::GIVEN_UP, delivery.next_attempt_at),
    };
    diesel::update(webhook_deliveries::table.find(&delivery.id))
        .set((
            webhook_deliveries::state.eq(next_state),
            webhook_deliveries::attempts.eq(delivery.attempts + 1),
            webhook_deliveries::last_status.eq(status_code),
            webhook_deliveries::last_error.eq(error),
            webhook_deliveries::next_attempt_at.eq(next),
        ))
        .execute(conn)
}

/// A subscription's latest deliveries with their event's type, newest first.
pub fn deliveries(
    conn: &mut DbConn,
    subscription_id: &str,
    limit: i64,
) -> QueryResult<Vec<(Delivery, String)>> {
    webhook_deliveries::table
        .inner_join(webhook_events::table)
        .filter(webhook_deliveries::subscription_id.eq(subscription_id))
        .order(webhook_deliveries::created_at.desc())
        .limit(limit)
        .select((Delivery::as_select(), webhook_events::kind))
        .load(conn)
}

/// Sends delivery `id` of `subscription_id` again at once (« Rejouer »), whatever its
/// state; false if there is no such delivery.
pub fn replay(
    conn: &mut DbConn,
    subscription_id: &str,
    id: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        webhook_deliveries::table
            .find(id)
            .filter(webhook_deliveries::subscription_id.eq(subscription_id)),
    )
    .set((
        webhook_deliveries::state.eq(state::PENDING),
        webhook_deliveries::next_attempt_at.eq(now),
    ))
    .execute(conn)
    .map(|n| n == 1)
}
