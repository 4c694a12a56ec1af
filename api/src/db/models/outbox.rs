//! The transactional email outbox (SECURITY.md L-06, L-07): messages are queued in the
//! transaction of the change that causes them, delivered by the worker with capped
//! backoff for a day or more, and never given up in silence.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

use crate::db::schema::{accounts, outbox_emails};
use crate::db::{DbConn, new_id};
use crate::domain::normalize::email_key;

/// An email to send, as composed by `email::templates`.
#[derive(Clone, Debug, PartialEq)]
pub struct OutgoingEmail {
    /// What kind of message this is (`activation`, `account_exists`…): used for
    /// per-address rate limits, in logs and in « Mon compte », never for content.
    pub kind: &'static str,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// When the one-time link (or code) the message carries stops working: its bodies are
    /// erased then, sent or not.
    pub link_expires_at: Option<NaiveDateTime>,
    /// The account it is written to, when the address is not (yet) the account's own: the
    /// confirmation of a new address. Otherwise found from the address.
    pub account_id: Option<String>,
    /// A file sent with it: the récépissé of a request.
    pub attachment: Option<Attachment>,
}

/// A PDF sent with an email.
#[derive(Clone, Debug, PartialEq)]
pub struct Attachment {
    /// The file name the family sees.
    pub name: String,
    pub content: Vec<u8>,
}

impl OutgoingEmail {
    /// Files the message under `account_id` in « Mon compte ».
    pub fn for_account(mut self, account_id: &str) -> Self {
        self.account_id = Some(account_id.to_string());
        self
    }

    /// Attaches a PDF.
    pub fn with_attachment(mut self, name: String, content: Vec<u8>) -> Self {
        self.attachment = Some(Attachment { name, content });
        self
    }

    /// Marks the message as carrying a one-time link valid until `at`.
    pub fn with_link_until(mut self, at: NaiveDateTime) -> Self {
        self.link_expires_at = Some(at);
        self
    }
}

/// When a link issued at `now` for `ttl` stops working (for [`OutgoingEmail::with_link_until`]).
pub fn link_expiry(now: NaiveDateTime, ttl: std::time::Duration) -> NaiveDateTime {
    now + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::days(365))
}

/// `outbox_emails.status`.
pub mod status {
    pub const PENDING: &str = "pending";
    pub const SENDING: &str = "sending";
    pub const SENT: &str = "sent";
    pub const FAILED: &str = "failed";
}

/// A row of `outbox_emails`, as the worker needs it.
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
    pub created_at: NaiveDateTime,
    pub attachment_name: Option<String>,
    pub attachment: Option<Vec<u8>>,
}

/// What « Mon compte » and the administrators see of a message: never its body.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = outbox_emails)]
pub struct OutboxEntry {
    pub id: String,
    pub kind: String,
    pub to_address: String,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    pub failed_at: Option<NaiveDateTime>,
}

/// How long a worker may hold a claimed email before another may retry it.
pub const CLAIM_LEASE: chrono::Duration = chrono::Duration::minutes(5);
/// The longest wait between two attempts.
pub const MAX_BACKOFF: chrono::Duration = chrono::Duration::hours(1);
/// Why a message whose link expired before it could leave was given up.
pub const LINK_EXPIRED: &str = "le lien qu'il contenait a expiré avant l'envoi";

/// Queues `email` (call inside the transaction of the change that causes it). The account
/// whose address it is, if any, will see it in « Mon compte ».
pub fn enqueue(conn: &mut DbConn, email: &OutgoingEmail, now: NaiveDateTime) -> QueryResult<usize> {
    let account_id: Option<String> = match &email.account_id {
        Some(id) => Some(id.clone()),
        None => accounts::table
            .filter(accounts::email_normalized.eq(email_key(&email.to)))
            .select(accounts::id)
            .first(conn)
            .optional()?,
    };
    diesel::insert_into(outbox_emails::table)
        .values((
            outbox_emails::id.eq(new_id()),
            outbox_emails::kind.eq(email.kind),
            outbox_emails::to_address.eq(&email.to),
            outbox_emails::subject.eq(&email.subject),
            outbox_emails::text_body.eq(&email.text),
            outbox_emails::html_body.eq(&email.html),
            outbox_emails::status.eq(status::PENDING),
            outbox_emails::attempts.eq(0),
            outbox_emails::next_attempt_at.eq(now),
            outbox_emails::created_at.eq(now),
            outbox_emails::account_id.eq(account_id),
            outbox_emails::erase_after.eq(email.link_expires_at),
            outbox_emails::attachment_name.eq(email.attachment.as_ref().map(|a| &a.name)),
            outbox_emails::attachment.eq(email.attachment.as_ref().map(|a| &a.content)),
        ))
        .execute(conn)
}

/// How many emails wait to leave, due or not, and since when the oldest (metrics).
pub fn backlog(conn: &mut DbConn) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    outbox_emails::table
        .filter(outbox_emails::status.eq_any([status::PENDING, status::SENDING]))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::min(outbox_emails::created_at),
        ))
        .first(conn)
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

/// Claims up to `limit` due emails, each leased for [`CLAIM_LEASE`] so that two workers
/// never send the same one, and one whose worker died is retried after the lease. `now` is
/// the database's clock ([`crate::clock::Clock`]).
pub fn claim_due(
    conn: &mut DbConn,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<OutboxEmail>> {
    let leased = match conn {
        // One statement; rows another replica is leasing right now are skipped, not waited
        // for, so N workers take disjoint batches at once.
        DbConn::Pg(pg) => diesel::sql_query(
            "UPDATE outbox_emails SET status = $4, next_attempt_at = $2 WHERE id IN ( \
                SELECT id FROM outbox_emails \
                WHERE status IN ($4, $5) AND next_attempt_at <= $1 \
                ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) \
             RETURNING id",
        )
        .bind::<Timestamp, _>(now)
        .bind::<Timestamp, _>(now + CLAIM_LEASE)
        .bind::<BigInt, _>(limit)
        .bind::<Text, _>(status::SENDING)
        .bind::<Text, _>(status::PENDING)
        .load::<crate::db::LeasedId>(pg)?
        .into_iter()
        .map(|row| row.id)
        .collect(),
        // SQLite has one writer at a time: a conditional update per row is a lease.
        DbConn::Sqlite(_) => lease_one_by_one(conn, now, limit)?,
    };
    outbox_emails::table
        .filter(outbox_emails::id.eq_any(&leased))
        .order(outbox_emails::created_at.asc())
        .select(OutboxEmail::as_select())
        .load(conn)
}

fn lease_one_by_one(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<String>> {
    let due: Vec<String> = outbox_emails::table
        .filter(outbox_emails::status.eq_any([status::PENDING, status::SENDING]))
        .filter(outbox_emails::next_attempt_at.le(now))
        .order(outbox_emails::next_attempt_at.asc())
        .limit(limit)
        .select(outbox_emails::id)
        .load(conn)?;
    let mut leased = Vec::with_capacity(due.len());
    for id in due {
        let rows = diesel::update(
            outbox_emails::table
                .find(&id)
                .filter(outbox_emails::status.eq_any([status::PENDING, status::SENDING]))
                .filter(outbox_emails::next_attempt_at.le(now)),
        )
        .set((
            outbox_emails::status.eq(status::SENDING),
            outbox_emails::next_attempt_at.eq(now + CLAIM_LEASE),
        ))
        .execute(conn)?;
        if rows == 1 {
            leased.push(id);
        }
    }
    Ok(leased)
}

/// Marks an email sent and erases its bodies: they may hold a one-time link, which must
/// not outlive its delivery in the database.
pub fn mark_sent(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(outbox_emails::table.find(id))
        .set((
            outbox_emails::status.eq(status::SENT),
            outbox_emails::sent_at.eq(now),
            outbox_emails::text_body.eq(""),
            outbox_emails::html_body.eq(""),
            outbox_emails::attachment.eq(None::<Vec<u8>>),
            outbox_emails::last_error.eq(None::<String>),
        ))
        .execute(conn)
}

/// The wait before attempt `attempts + 1`: 2, 4, 8… seconds, at most an hour.
pub fn backoff(attempts: i32) -> chrono::Duration {
    chrono::Duration::seconds(1_i64 << attempts.clamp(1, 12)).min(MAX_BACKOFF)
}

/// Schedules a retry with capped backoff, or — once `give_up_after` has passed since it
/// was queued — marks the email failed. Answers whether it was given up.
pub fn mark_failed(
    conn: &mut DbConn,
    email: &OutboxEmail,
    error: &str,
    now: NaiveDateTime,
    give_up_after: chrono::Duration,
) -> QueryResult<bool> {
    let attempts = email.attempts + 1;
    let give_up = now - email.created_at >= give_up_after;
    let error: String = error.chars().take(500).collect();
    let changes = diesel::update(outbox_emails::table.find(&email.id));
    if give_up {
        changes
            .set((
                outbox_emails::status.eq(status::FAILED),
                outbox_emails::attempts.eq(attempts),
                outbox_emails::failed_at.eq(now),
                outbox_emails::last_error.eq(error),
            ))
            .execute(conn)?;
    } else {
        changes
            .set((
                outbox_emails::status.eq(status::PENDING),
                outbox_emails::attempts.eq(attempts),
                outbox_emails::next_attempt_at.eq(now + backoff(attempts)),
                outbox_emails::last_error.eq(error),
            ))
            .execute(conn)?;
    }
    Ok(give_up)
}

/// Erases the bodies of messages whose link expired, sent or not: one still waiting is
/// given up (its link would not work). Answers the ids given up this way.
pub fn erase_expired_links(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Vec<String>> {
    let expired = outbox_emails::table
        .filter(outbox_emails::erase_after.le(now))
        .filter(outbox_emails::text_body.ne(""));
    let given_up: Vec<String> = expired
        .filter(outbox_emails::status.eq_any([status::PENDING, status::SENDING]))
        .select(outbox_emails::id)
        .load(conn)?;
    if !given_up.is_empty() {
        diesel::update(outbox_emails::table.filter(outbox_emails::id.eq_any(&given_up)))
            .set((
                outbox_emails::status.eq(status::FAILED),
                outbox_emails::failed_at.eq(now),
                outbox_emails::last_error.eq(LINK_EXPIRED),
            ))
            .execute(conn)?;
    }
    diesel::update(expired)
        .set((
            outbox_emails::text_body.eq(""),
            outbox_emails::html_body.eq(""),
        ))
        .execute(conn)?;
    Ok(given_up)
}

/// The messages written to an account, newest first.
pub fn of_account(
    conn: &mut DbConn,
    account_id: &str,
    limit: i64,
) -> QueryResult<Vec<OutboxEntry>> {
    outbox_emails::table
        .filter(outbox_emails::account_id.eq(account_id))
        .order((outbox_emails::created_at.desc(), outbox_emails::id.asc()))
        .limit(limit)
        .select(OutboxEntry::as_select())
        .load(conn)
}

/// One message written to `account_id`.
pub fn find_for_account(conn: &mut DbConn, id: &str, account_id: &str) -> QueryResult<OutboxEntry> {
    outbox_emails::table
        .find(id)
        .filter(outbox_emails::account_id.eq(account_id))
        .select(OutboxEntry::as_select())
        .first(conn)
}

/// Messages given up, newest first, and how many there are.
pub fn failed(conn: &mut DbConn, limit: i64) -> QueryResult<(i64, Vec<OutboxEntry>)> {
    let count = outbox_emails::table
        .filter(outbox_emails::status.eq(status::FAILED))
        .count()
        .get_result(conn)?;
    let items = outbox_emails::table
        .filter(outbox_emails::status.eq(status::FAILED))
        .order((outbox_emails::failed_at.desc(), outbox_emails::id.asc()))
        .limit(limit)
        .select(OutboxEntry::as_select())
        .load(conn)?;
    Ok((count, items))
}

/// Queues again, as if new, every failed message that can still be sent (its body was not
/// erased: no link in it, or a link still valid). Answers how many.
pub fn retry_failed(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        outbox_emails::table
            .filter(outbox_emails::status.eq(status::FAILED))
            .filter(outbox_emails::text_body.ne("")),
    )
    .set((
        outbox_emails::status.eq(status::PENDING),
        outbox_emails::attempts.eq(0),
        outbox_emails::next_attempt_at.eq(now),
        outbox_emails::created_at.eq(now),
        outbox_emails::failed_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)
}

/// Deletes sent emails older than `before`.
pub fn purge(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(
        outbox_emails::table
            .filter(outbox_emails::status.eq(status::SENT))
            .filter(outbox_emails::created_at.lt(before)),
    )
    .execute(conn)
}

/// Deletes the emails written to account `account_id`, sent or not: its account is being
/// erased, and with it the record of what it was told.
pub fn forget_account(conn: &mut DbConn, account_id: &str) -> QueryResult<usize> {
    diesel::delete(outbox_emails::table.filter(outbox_emails::account_id.eq(account_id)))
        .execute(conn)
}
