//! What applications do on the town's behalf — decide a request, enrol or cancel on a
//! family's behalf, record the town's own ids —, each written to the audit log under the
//! application's name, as agents' actions are under theirs.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use shared::api::activites::InscriptionView;
use shared::api::backoffice::DemandeDecisionRequest;
use shared::api::integration::{IntegrationDemande, IntegrationDossier};

use crate::activities::enrolment::{self, Answer, Idempotency};
use crate::activities::{family, lifecycle};
use crate::db::DbConn;
use crate::db::models::audit::{self, action};
use crate::db::models::inscription::NewInscription;
use crate::db::models::member;
use crate::db::schema::{dossiers, members};
use crate::error::ApiError;
use crate::integrations::sync::APPLICATION_ROLE;
use crate::integrations::{feeds, preconditions};
use crate::rattachement::Mailing;

/// Records what application `application_id` did on dossier `dossier_id`.
fn record(
    conn: &mut DbConn,
    application_id: &str,
    dossier_id: &str,
    object_id: &str,
    detail: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    audit::record(
        conn,
        &audit::Entry {
            actor_account_id: application_id,
            actor_role: APPLICATION_ROLE,
            // The log's actions are the agents'; what was done is in the detail.
            action: action::DECISION_DEMANDE,
            dossier_id,
            object_id: Some(object_id),
            detail: Some(detail),
        },
        now,
    )?;
    Ok(())
}

/// Decides a submitted request as an agent would (`demandes:write`): the family is emailed,
/// a validated dossier gets its number. 412 if it changed since the application read it
/// (`if_match`), 409 if it no longer waits for a decision.
pub fn decide(
    conn: &mut DbConn,
    application_id: &str,
    demande_id: &str,
    request: &DemandeDecisionRequest,
    if_match: Option<&str>,
    mailing: &Mailing,
    now: NaiveDateTime,
) -> Result<IntegrationDemande, ApiError> {
    let (status, message) = crate::decisions::verdict(request)?;
    let read = feeds::demandes::current(conn, demande_id)?.ok_or(ApiError::NotFound)?;
    preconditions::check(if_match, &preconditions::tag_of(&read)?)?;
    crate::decisions::decide(
        conn,
        application_id,
        demande_id,
        status,
        message.as_deref(),
        mailing,
        now,
    )?;
    let detail = format!("Décision : {}", crate::enum_text::to_text(&status));
    let dossier_id = read.summary.dossier_id.to_string();
    record(conn, application_id, &dossier_id, demande_id, &detail, now)?;
    // The answer is the action's, already in the log: not a consultation besides.
    feeds::demandes::current(conn, demande_id)?.ok_or(ApiError::NotFound)
}

/// Enrols a child on its family's behalf (`inscriptions:write`), as an agent would: outside
/// the registration window too, every other rule holding; the family is emailed. The
/// `Idempotency-Key` is the application's: a retry answers the first result.
pub fn enrol(
    conn: &mut DbConn,
    application_id: &str,
    key: &str,
    periode_id: &str,
    enfant_id: &str,
    mailing: &Mailing,
) -> Result<Answer, ApiError> {
    let dossier_id = member::dossier_of_child(conn, enfant_id)?.ok_or(ApiError::NotFound)?;
    let request = NewInscription {
        periode_id,
        member_id: enfant_id,
        dossier_id: &dossier_id,
        demandeur_id: None,
        par_agent: true,
    };
    let idempotency = Idempotency {
        owner_id: application_id,
        key,
        fingerprint: format!("{periode_id}:{enfant_id}"),
    };
    let now = Utc::now();
    let answer = enrolment::enrol_once(conn, &request, &idempotency, mailing, now)?;
    if let Answer::Fresh(enrolled) = &answer {
        let row = enrolled.inscription();
        let detail = "Inscription par une application connectée";
        record(
            conn,
            application_id,
            &row.dossier_id,
            &row.id,
            detail,
            now.naive_utc(),
        )?;
    }
    Ok(answer)
}

/// Cancels an inscription with the reason the family reads (`inscriptions:write`); a freed
/// place goes to the next in line.
pub fn cancel(
    conn: &mut DbConn,
    application_id: &str,
    id: &str,
    motif: &str,
    mailing: &Mailing,
) -> Result<InscriptionView, ApiError> {
    let now = Utc::now();
    let row = lifecycle::cancel_by_agent(conn, id, motif.trim(), mailing, now)?;
    let detail = "Inscription annulée par une application connectée";
    record(
        conn,
        application_id,
        &row.dossier_id,
        &row.id,
        detail,
        now.naive_utc(),
    )?;
    Ok(family::view(conn, &row)?)
}

/// Records (or removes) the town's own id for a validated dossier (`dossiers:write`).
pub fn reference_dossier(
    conn: &mut DbConn,
    application_id: &str,
    dossier_id: &str,
    reference: Option<&str>,
    if_match: Option<&str>,
    now: NaiveDateTime,
) -> Result<IntegrationDossier, ApiError> {
    let read = feeds::dossiers::current(conn, dossier_id)?.ok_or(ApiError::NotFound)?;
    preconditions::check(if_match, &preconditions::tag_of(&read)?)?;
    diesel::update(dossiers::table.find(dossier_id))
        .set(dossiers::reference_externe.eq(reference.map(str::trim)))
        .execute(conn)?;
    record(
        conn,
        application_id,
        dossier_id,
        dossier_id,
        "Référence externe du dossier",
        now,
    )?;
    feeds::dossiers::current(conn, dossier_id)?.ok_or(ApiError::NotFound)
}

/// Records (or removes) the town's own id for a person of a validated dossier
/// (`dossiers:write`).
pub fn reference_member(
    conn: &mut DbConn,
    application_id: &str,
    dossier_id: &str,
    member_id: &str,
    reference: Option<&str>,
    if_match: Option<&str>,
    now: NaiveDateTime,
) -> Result<IntegrationDossier, ApiError> {
    let read = feeds::dossiers::current(conn, dossier_id)?.ok_or(ApiError::NotFound)?;
    preconditions::check(if_match, &preconditions::tag_of(&read)?)?;
    let updated = diesel::update(
        members::table
            .filter(members::id.eq(member_id))
            .filter(members::dossier_id.eq(dossier_id)),
    )
    .set(members::reference_externe.eq(reference.map(str::trim)))
    .execute(conn)?;
    if updated == 0 {
        return Err(ApiError::NotFound);
    }
    record(
        conn,
        application_id,
        dossier_id,
        member_id,
        "Référence externe d'une personne",
        now,
    )?;
    feeds::dossiers::current(conn, dossier_id)?.ok_or(ApiError::NotFound)
}
