//! What was sent, as people see it: the family's « E-mails envoyés » in « Mon compte »
//! (kind, date, status — never the body) and the administrators' alert on emails given up.

use shared::api::account::{EmailStatus, SentEmail, SentEmailList};
use shared::api::backoffice::{FailedEmail, FailedEmails};

use crate::db::DbConn;
use crate::db::models::outbox::{self, OutboxEntry, status};
use crate::error::ApiError;

/// The kinds a family may ask to receive again from « Mon compte »: a fresh link replaces
/// the one that did not arrive. (An activation link is resent from the login page, before
/// the account can sign in; a code of rattachement from « Mes démarches ».)
pub const RESENDABLE: [&str; 2] = ["password_reset", "email_change_confirm"];

/// An email kind in French.
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "activation" => "Lien d'activation du compte",
        "account_exists" => "Un compte existe déjà pour cette adresse",
        "password_reset" => "Lien de réinitialisation du mot de passe",
        "password_changed" => "Mot de passe modifié",
        "email_change_confirm" => "Confirmation de la nouvelle adresse e-mail",
        "email_change_notice" => "Changement d'adresse e-mail demandé",
        "demande_received" => "Demande bien reçue",
        "demande_decided" => "Décision sur votre demande",
        "staff_welcome" => "Ouverture du compte agent",
        "bulk_download_alert" => "Alerte : téléchargements inhabituels",
        "rattachement_code" => "Code de rattachement à un dossier",
        "rattachement_notice" => "Nouveau compte rattaché au dossier",
        "rattachement_decided" => "Décision sur la demande de rattachement",
        "inscription" => "Inscription à une activité",
        "malware_found" => "Fichier mis en quarantaine",
        "inactivity_warning" => "Avertissement : compte inutilisé",
        "draft_warning" => "Avertissement : brouillon non transmis",
        "data_export_ready" => "Copie de vos données prête",
        _ => "Message du portail",
    }
}

fn status_of(entry: &OutboxEntry) -> EmailStatus {
    match entry.status.as_str() {
        status::SENT => EmailStatus::Envoye,
        status::FAILED => EmailStatus::Echec,
        _ => EmailStatus::EnAttente,
    }
}

fn uuid(id: &str) -> Result<uuid::Uuid, ApiError> {
    Ok(id.parse().map_err(anyhow::Error::from)?)
}

/// The last 50 emails written to the account, newest first.
pub fn of_account(conn: &mut DbConn, account_id: &str) -> Result<SentEmailList, ApiError> {
    let items = outbox::of_account(conn, account_id, 50)?
        .into_iter()
        .map(|entry| {
            let status = status_of(&entry);
            Ok(SentEmail {
                id: uuid(&entry.id)?,
                libelle: kind_label(&entry.kind).to_string(),
                renvoi_possible: RESENDABLE.contains(&entry.kind.as_str())
                    && status != EmailStatus::Envoye,
                kind: entry.kind,
                status,
                created_at: entry.created_at.and_utc(),
                sent_at: entry.sent_at.map(|t| t.and_utc()),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(SentEmailList { items })
}

/// The emails given up, for the administrators' banner.
pub fn failed(conn: &mut DbConn) -> Result<FailedEmails, ApiError> {
    let (total, entries) = outbox::failed(conn, 100)?;
    let items = entries
        .into_iter()
        .map(|entry| {
            Ok(FailedEmail {
                id: uuid(&entry.id)?,
                libelle: kind_label(&entry.kind).to_string(),
                kind: entry.kind,
                to: entry.to_address,
                created_at: entry.created_at.and_utc(),
                failed_at: entry.failed_at.map(|t| t.and_utc()),
                attempts: entry.attempts,
                last_error: entry.last_error,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(FailedEmails {
        total: u64::try_from(total).unwrap_or_default(),
        items,
    })
}
