//! The transactional email outbox (SECURITY.md L-06).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::outbox_emails;
use crate::db::{DbConn, new_id};

/// An email to send, as composed by `email::templates`.
#[derive(Clone, Debug, PartialEq)]
pub struct OutgoingEmail {
    /// What kind of message this is (`activation`, `account_exists`…): used for
    /// per-address rate limits and in logs, never for content.
    pub kind: &'static str,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A row of `outbox_emails`.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = outbox_emails)]
pub struct OutboxEmail {
    pub id: String,
    pub kind: String,
    pub to_address: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub attempts: i32,
}

/// How long a worker may hold a claimed email before another may retry it.
pub const CLAIM_LEASE: chrono::Duration = chrono::Duration::minutes(5);
/// After this many failed attempts an email is given up (status `failed`).
pub const MAX_ATTEMPTS: i32 = 12;

/// Queues `email` (call inside the transaction of the change that causes it).
pub fn enqueue(conn: &mut DbConn, email: &OutgoingEmail, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::insert_into(outbox_emails::table)
        .values((
            outbox_emails::id.eq(new_id()),
            outbox_emails::kind.eq(email.kind),
            outbox_emails::to_address.eq(&email.to),
            outbox_emails::subject.eq(&email.subject),
            outbox_emails::text_body.eq(&email.text),
            outbox_emails::html_body.eq(&email.html),
            outbox_emails::status.eq("pending"),
            outbox_emails::attempts.eq(0),
            outbox_emails::next_attempt_at.eq(now),
            outbox_emails::created_at.eq(now),
        ))
        .execute(conn)
}

/// Whether an email of `kind` was queued for `to` since `since` (per-address limits).
pub fn queued_since(
    conn: &mut DbConn,
    to: &str,
    kind: &str,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    outbox_emails::table
        .filter(outbox_emails::to_address.eq(to))
        .filter(outbox_emails::kind.eq(kind))
        .filter(outbox_emails::created_at.ge(since))
        .count()
        .get_result(conn)
}

/// Claims up to `limit` due emails: each is leased with a conditional UPDATE, so two
/// workers never send the same one, and one whose worker died is retried after the lease.
pub fn claim_due(
    conn: &mut DbConn,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<OutboxEmail>> {
    let due: Vec<String> = outbox_emails::table
        .filter(outbox_emails::status.eq_any(["pending", "sending"]))
        .filter(outbox_emails::next_attempt_at.le(now))
        .order(outbox_emails::next_attempt_at.asc())
        .limit(limit)
        .select(outbox_emails::id)
        .load(conn)?;
    let mut claimed = Vec::with_capacity(due.len());
    for id in due {
        let rows = diesel::update(
            outbox_emails::table
                .find(&id)
                .filter(outbox_emails::status.eq_any(["pending", "sending"]))
                .filter(outbox_emails::next_attempt_at.le(now)),
        )
        .set((
            outbox_emails::status.eq("sending"),
            outbox_emails::next_attempt_at.eq(now + CLAIM_LEASE),
        ))
        .execute(conn)?;
        if rows == 1 {
            claimed.push(
                outbox_emails::table
                    .find(&id)
                    .select(OutboxEmail::as_select())
                    .first(conn)?,
            );
        }
    }
    Ok(claimed)
}

/// Marks an email sent and erases its bodies: they may hold a one-time link, which must
/// not outlive its delivery in the database.
pub fn mark_sent(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(outbox_emails::table.find(id))
        .set((
            outbox_emails::status.eq("sent"),
            outbox_emails::sent_at.eq(now),
            outbox_emails::text_body.eq(""),
            outbox_emails::html_body.eq(""),
            outbox_emails::last_error.eq(None::<String>),
        ))
        .execute(conn)
}

/// Schedules a retry with exponential backoff, or gives up after [`MAX_ATTEMPTS`].
pub fn mark_failed(
    conn: &mut DbConn,
    email: &OutboxEmail,
    error: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let attempts = email.attempts + 1;
    let backoff =
        chrono::Duration::seconds(1_i64 << attempts.clamp(0, 12)).min(chrono::Duration::hours(1));
    let status = if attempts >= MAX_ATTEMPTS {
        "failed"
    } else {
        "pending"
    };
    diesel::update(outbox_emails::table.find(&email.id))
        .set((
            outbox_emails::status.eq(status),
            outbox_emails::attempts.eq(attempts),
            outbox_emails::next_attempt_at.eq(now + backoff),
            outbox_emails::last_error.eq(error.chars().take(500).collect::<String>()),
        ))
        .execute(conn)
}

/// Deletes sent emails older than `before`.
pub fn purge(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        outbox_emails::table
            .filter(outbox_emails::status.eq("sent"))
            .filter(outbox_emails::created_at.lt(before)),
    )
    .execute(conn)
}
