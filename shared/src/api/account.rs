//! « Mon compte »: profile, password and email changes, consent, connection history.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::Validate;

use crate::validation::{validate_email, validate_not_empty, validate_password};

/// The signed-in account.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct MeResponse {
    pub id: Uuid,
    pub username: String,
    pub email: String,
    /// A new address waiting for confirmation from its own inbox.
    pub pending_email: Option<String>,
    /// Souscription: always « Famille » for family accounts.
    pub subscription: String,
    /// The linked dossier famille number, if the account was linked to one.
    pub dossier_numero: Option<String>,
    /// The account declared a new household (its dossier will be created online).
    pub new_household: bool,
    pub created_at: DateTime<Utc>,
    /// The CGU version this account accepted last, if any.
    pub terms_accepted_version: Option<i32>,
    /// Whether that is the current version.
    pub terms_accepted: bool,
    /// The account's rattachement to an existing dossier, while it is pending or after
    /// it was decided.
    pub rattachement: Option<crate::api::rattachement::RattachementView>,
    /// The accounts that see the same dossier (this one included), oldest first: each is
    /// told by email when another joins.
    pub comptes_rattaches: Vec<crate::api::rattachement::LinkedAccount>,
}

/// Change password: the current one is always required.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    #[validate(custom(function = "validate_not_empty"), length(max = 256))]
    #[cfg_attr(feature = "server", schema(min_length = 1, max_length = 256))]
    pub current_password: String,
    #[validate(custom(function = "validate_password"))]
    #[cfg_attr(feature = "server", schema(min_length = 12, max_length = 256))]
    pub new_password: String,
}

/// Change email: the password is asked again, and the new address must be confirmed.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangeEmailRequest {
    #[validate(custom(function = "validate_not_empty"), length(max = 256))]
    #[cfg_attr(feature = "server", schema(min_length = 1, max_length = 256))]
    pub password: String,
    #[validate(custom(function = "validate_email"))]
    #[cfg_attr(feature = "server", schema(format = Email, max_length = 254))]
    pub new_email: String,
}

/// Accept the CGU version the user was shown.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AcceptTermsRequest {
    #[validate(range(min = 1))]
    #[cfg_attr(feature = "server", schema(minimum = 1))]
    pub version: i32,
}

/// One entry of « Dernières connexions ».
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ConnectionEntry {
    pub at: DateTime<Utc>,
    pub ip: String,
    /// The browser's User-Agent, shortened.
    pub user_agent: String,
    pub success: bool,
}

/// A page of the connection history, newest first.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ConnectionPage {
    pub items: Vec<ConnectionEntry>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
    /// How long entries are kept, in days.
    pub retention_days: u32,
}

/// Where an email the portal wrote stands. Never its content.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EmailStatus {
    /// Waiting to leave (or being retried).
    EnAttente,
    Envoye,
    /// Given up: it could not be delivered (or its link expired first).
    Echec,
}

/// One email written to the account, as « Mon compte » lists them.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SentEmail {
    pub id: Uuid,
    /// `activation`, `password_reset`, `demande_received`…
    pub kind: String,
    /// What it was about, in French (« Lien d'activation »…).
    pub libelle: String,
    pub status: EmailStatus,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// Whether « Renvoyer » makes sense (a fresh link of a kind the account can still use).
    pub renvoi_possible: bool,
}

/// « E-mails envoyés », newest first (the last 50).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SentEmailList {
    pub items: Vec<SentEmail>,
}
