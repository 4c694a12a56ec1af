//! Idempotency keys (draft-ietf-httpapi-idempotency-key-header, SECURITY.md H-02).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::idempotency_keys;

/// What a key already holds when a request arrives with it.
#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    /// The key was free: it is now taken by this request.
    Taken,
    /// Another request with this key is still running.
    InProgress,
    /// A request with this key succeeded: its fingerprint and response.
    Done {
        fingerprint: String,
        status: u16,
        body: String,
    },
}

/// Takes `key` for a new request, unless it is held. A request that started more than
/// `stale_before` and never finished (the process died) no longer holds its key.
pub fn claim(
    conn: &mut DbConn,
    owner_id: &str,
    key: &str,
    now: NaiveDateTime,
    stale_before: NaiveDateTime,
) -> QueryResult<Claim> {
    type Row = (Option<String>, Option<i32>, Option<String>, NaiveDateTime);
    let found: Option<Row> = idempotency_keys::table
        .find((owner_id, key))
        .select((
            idempotency_keys::fingerprint,
            idempotency_keys::response_status,
            idempotency_keys::response_body,
            idempotency_keys::created_at,
        ))
        .first(conn)
        .optional()?;
    match found {
        Some((Some(fingerprint), Some(status), Some(body), _)) => Ok(Claim::Done {
            fingerprint,
            status: u16::try_from(status).unwrap_or(500),
            body,
        }),
        Some((_, _, _, started)) if started > stale_before => Ok(Claim::InProgress),
        Some(_) => {
            diesel::update(idempotency_keys::table.find((owner_id, key)))
                .set(idempotency_keys::created_at.eq(now))
                .execute(conn)?;
            Ok(Claim::Taken)
        }
        None => {
            diesel::insert_into(idempotency_keys::table)
                .values((
                    idempotency_keys::owner_id.eq(owner_id),
                    idempotency_keys::idem_key.eq(key),
                    idempotency_keys::created_at.eq(now),
                ))
                .execute(conn)?;
            Ok(Claim::Taken)
        }
    }
}

/// Stores the successful response of the request holding `key`, for replays.
pub fn complete(
    conn: &mut DbConn,
    owner_id: &str,
    key: &str,
    fingerprint: &str,
    status: u16,
    body: &str,
) -> QueryResult<()> {
    diesel::update(idempotency_keys::table.find((owner_id, key)))
        .set((
            idempotency_keys::fingerprint.eq(fingerprint),
            idempotency_keys::response_status.eq(i32::from(status)),
            idempotency_keys::response_body.eq(body),
        ))
        .execute(conn)?;
    Ok(())
}

/// Frees `key` after its request failed, so that the request can be tried again.
pub fn release(conn: &mut DbConn, owner_id: &str, key: &str) -> QueryResult<()> {
    diesel::delete(idempotency_keys::table.find((owner_id, key)))
        .filter(idempotency_keys::response_status.is_null())
        .execute(conn)?;
    Ok(())
}

/// Deletes keys older than `before`.
pub fn purge(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(before)))
        .execute(conn)
}

/// What a finished request with `key` answered: (fingerprint, status, body).
pub fn answered(
    conn: &mut DbConn,
    owner_id: &str,
    key: &str,
) -> QueryResult<Option<(String, u16, String)>> {
    type Row = (Option<String>, Option<i32>, Option<String>);
    let found: Option<Row> = idempotency_keys::table
        .find((owner_id, key))
        .select((
            idempotency_keys::fingerprint,
            idempotency_keys::response_status,
            idempotency_keys::response_body,
        ))
        .first(conn)
        .optional()?;
    Ok(match found {
        Some((Some(print), Some(status), Some(body))) => {
            Some((print, u16::try_from(status).unwrap_or(500), body))
        }
        _ => None,
    })
}

/// Records a finished request and its answer in one go, inside the transaction that did
/// the work: the key and the effect commit (or roll back) together.
pub fn record(
    conn: &mut DbConn,
    owner_id: &str,
    key: &str,
    fingerprint: &str,
    answer: (u16, &str),
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::owner_id.eq(owner_id),
            idempotency_keys::idem_key.eq(key),
            idempotency_keys::fingerprint.eq(fingerprint),
            idempotency_keys::response_status.eq(i32::from(answer.0)),
            idempotency_keys::response_body.eq(answer.1),
            idempotency_keys::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}
