//! The catalogue written by an application (`activites:write`), as the back office writes
//! it: a creation may carry an `Idempotency-Key` (a retry answers the first result instead
//! of creating the activité twice), a replacement an `If-Match` naming the `version` the
//! application read (412 if an agent or another application changed it since).

use chrono::{DateTime, Utc};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use sha2::Digest;
use shared::api::activites::{ActiviteAgentView, ActiviteInput, PeriodeAgentView, PeriodeInput};

use crate::activities::admin;
use crate::db::DbConn;
use crate::db::models::{activite, idempotency, periode};
use crate::error::ApiError;
use crate::integrations::preconditions;
use crate::rattachement::Mailing;

/// A creation's answer: made now, or the key's first answer replayed.
pub struct Created {
    pub status: u16,
    pub json: String,
}

/// Creates an activité (its périodes come next).
pub fn create_activite(
    conn: &mut DbConn,
    application_id: &str,
    key: Option<&str>,
    input: &ActiviteInput,
    now: DateTime<Utc>,
) -> Result<Created, ApiError> {
    let fingerprint = fingerprint_of("activite", input)?;
    once(conn, application_id, key, &fingerprint, now, |conn| {
        let id = admin::create_activite(conn, input, now)?;
        json_of(&admin::agent_view(conn, &id)?)
    })
}

/// Adds a période to activité `activite_id`.
pub fn create_periode(
    conn: &mut DbConn,
    application_id: &str,
    key: Option<&str>,
    activite_id: &str,
    input: &PeriodeInput,
    now: DateTime<Utc>,
) -> Result<Created, ApiError> {
    let fingerprint = fingerprint_of(&format!("periode:{activite_id}"), input)?;
    once(conn, application_id, key, &fingerprint, now, |conn| {
        let id = admin::create_periode(conn, activite_id, input, now)?;
        json_of(&admin::periode_view(conn, &id)?)
    })
}

/// Replaces activité `id`, if it is still at the version `if_match` names.
pub fn update_activite(
    conn: &mut DbConn,
    id: &str,
    input: &ActiviteInput,
    if_match: Option<&str>,
    now: DateTime<Utc>,
) -> Result<ActiviteAgentView, ApiError> {
    let version = activite::lock_version(conn, id)?.ok_or(ApiError::NotFound)?;
    preconditions::check(if_match, &format!("\"{version}\""))?;
    admin::update_activite(conn, id, input, now)?;
    admin::agent_view(conn, id)
}

/// Replaces période `id`'s settings, if it is still at the version `if_match` names.
pub fn update_periode(
    conn: &mut DbConn,
    id: &str,
    input: &PeriodeInput,
    if_match: Option<&str>,
    mailing: &Mailing,
    now: DateTime<Utc>,
) -> Result<PeriodeAgentView, ApiError> {
    // The période's lock, as enrolments take it: its version cannot move after the check.
    let current = periode::lock(conn, id)?.ok_or(ApiError::NotFound)?;
    preconditions::check(if_match, &format!("\"{}\"", current.version))?;
    admin::update_periode(conn, id, input, mailing, now)?;
    admin::periode_view(conn, id)
}

/// Runs `create` once per `key`: a retry with the same key and request gets the first
/// answer, the same key with another request 422. Without a key, `create` runs.
fn once(
    conn: &mut DbConn,
    application_id: &str,
    key: Option<&str>,
    fingerprint: &str,
    now: DateTime<Utc>,
    create: impl FnOnce(&mut DbConn) -> Result<String, ApiError>,
) -> Result<Created, ApiError> {
    let Some(key) = key else {
        return Ok(Created {
            status: 201,
            json: create(conn)?,
        });
    };
    if let Some((print, status, json)) = idempotency::answered(conn, application_id, key)? {
        return if print == fingerprint {
            Ok(Created { status, json })
        } else {
            Err(ApiError::IdempotencyKeyReused)
        };
    }
    let json = create(conn)?;
    match idempotency::record(
        conn,
        application_id,
        key,
        fingerprint,
        (201, &json),
        now.naive_utc(),
    ) {
        Ok(()) => Ok(Created { status: 201, json }),
        // The same key sent twice at once: the first one's creation stands, this one's
        // rolls back; its retry gets the first answer.
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Err(
            ApiError::Conflict("Cette requête est déjà en cours : renvoyez-la dans un instant."),
        ),
        Err(other) => Err(other.into()),
    }
}

/// What a key's request was: its kind and its body, hashed.
fn fingerprint_of(kind: &str, input: &impl serde::Serialize) -> Result<String, ApiError> {
    let json = serde_json::to_vec(input).map_err(anyhow::Error::from)?;
    Ok(format!(
        "{kind}:{}",
        hex::encode(sha2::Sha256::digest(&json))
    ))
}

fn json_of(view: &impl serde::Serialize) -> Result<String, ApiError> {
    Ok(serde_json::to_string(view).map_err(anyhow::Error::from)?)
}
