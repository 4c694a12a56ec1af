//! An agent's decision on a request waiting for validation (the review's « Valider »,
//! « Demander un complément », « Refuser »): recorded once — of two agents deciding at
//! once, one wins and the other gets 409 (SECURITY.md H-06) — with what must follow.
//!
//! - A « création de dossier famille » validated: its waiting pieces are validated, the
//!   dossier gets its number, and the address of the account that built it becomes the
//!   dossier's address on record for codes of rattachement. Whatever the verdict, the
//!   family is emailed.
//! - A « demande de rattachement » validated links the account, refused tells it why
//!   ([`crate::rattachement::decide`]); « à compléter » makes no sense there.

use chrono::NaiveDateTime;
use shared::api::backoffice::{DemandeDecisionRequest, DemandeVerdict};
use shared::api::dossier::{DemandeKind, DemandeStatus};
use shared::validation::codes;

use crate::db::DbConn;
use crate::db::models::{demande, dossier, outbox, piece};
use crate::email::templates;
use crate::enum_text::to_text;
use crate::error::ApiError;
use crate::rattachement::Mailing;

/// Longest message or comment to a family.
const MAX_MESSAGE_CHARS: usize = 1000;

/// A message or comment to a family, trimmed: at most 1,000 characters, no control
/// characters but line breaks and tabs; `required` when the decision needs one.
pub fn message_field(
    text: Option<&str>,
    field: &str,
    required: bool,
) -> Result<Option<String>, ApiError> {
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    match text {
        None if required => Err(ApiError::field(field, codes::REQUIRED)),
        Some(t) if t.chars().count() > MAX_MESSAGE_CHARS => {
            Err(ApiError::field(field, codes::TOO_LONG))
        }
        Some(t)
            if t.chars()
                .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') =>
        {
            Err(ApiError::field(field, codes::INVALID_CHARACTERS))
        }
        other => Ok(other.map(str::to_string)),
    }
}

/// What a decision asks for: the request's new status and the message to the family
/// (required unless the request is validated).
pub fn verdict(
    request: &DemandeDecisionRequest,
) -> Result<(DemandeStatus, Option<String>), ApiError> {
    let message = message_field(
        request.message.as_deref(),
        "message",
        request.decision != DemandeVerdict::Validee,
    )?;
    let status = match request.decision {
        DemandeVerdict::ACompleter => DemandeStatus::ACompleter,
        DemandeVerdict::Validee => DemandeStatus::Validee,
        DemandeVerdict::Refusee => DemandeStatus::Refusee,
    };
    Ok((status, message))
}

/// Decides request `id` with `status` (and the agent's message to the family).
pub fn decide(
    conn: &mut DbConn,
    agent_id: &str,
    id: &str,
    status: DemandeStatus,
    message: Option<&str>,
    mailing: &Mailing,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let found = demande::find(conn, id)?;
    let rattachement = found.kind == to_text(&DemandeKind::RattachementDossier);
    if rattachement && status == DemandeStatus::ACompleter {
        // The family has nothing to complete: the agent links the account or not.
        return Err(ApiError::field("decision", codes::INVALID_TYPE));
    }
    if !demande::decide(conn, id, status, agent_id, message, now)? {
        return Err(ApiError::Conflict(
            "Une décision a déjà été prise sur cette demande : rechargez-la.",
        ));
    }
    if rattachement {
        let validated = status == DemandeStatus::Validee;
        return crate::rattachement::decide(conn, id, validated, message, mailing, now);
    }
    let outcome = match status {
        DemandeStatus::Validee => {
            let numero = validate_creation(conn, agent_id, &found.dossier_id, now)?;
            format!("validée — votre numéro de dossier famille est le {numero}")
        }
        DemandeStatus::ACompleter => "à compléter".to_string(),
        _ => "refusée".to_string(),
    };
    let link = format!("{}/demarches/demande/{id}", mailing.public_url);
    let (name, pdf) = crate::documents::receipt::for_demande(conn, &mailing.town, id, now)?;
    for (email, username) in dossier::account_emails(conn, &found.dossier_id)? {
        let decided =
            templates::demande_decided(&email, &username, &mailing.town, &outcome, message, &link)
                .with_attachment(name.clone(), pdf.clone());
        outbox::enqueue(conn, &decided, now)?;
    }
    Ok(())
}

/// What validating a new dossier does; answers its number.
fn validate_creation(
    conn: &mut DbConn,
    agent_id: &str,
    dossier_id: &str,
    now: NaiveDateTime,
) -> Result<String, ApiError> {
    piece::validate_waiting(conn, dossier_id, agent_id, now)?;
    let current = dossier::find(conn, dossier_id)?;
    let numero = match current.numero {
        Some(numero) => numero,
        None => dossier::assign_numero(conn, dossier_id)?,
    };
    // Codes of rattachement for this dossier go to the address of the account that built
    // it, until the town records another.
    if current.contact_email.is_none()
        && let Some((email, _)) = dossier::account_emails(conn, dossier_id)?
            .into_iter()
            .next()
    {
        dossier::set_contact_email(conn, dossier_id, Some(&email))?;
    }
    Ok(numero)
}
