//! Families' rights over their data (RGPD art. 15, 17, 20): « Une copie de mes données »,
//! « Fermer mon compte », and the notices the portal publishes (« Données personnelles »,
//! « Accessibilité »). The notices' wording comes from the server, so the browser only
//! lays it out.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::Validate;

use crate::validation::validate_not_empty;

/// The password typed again: to download a copy of one's data, or to close one's account.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordConfirmation {
    #[validate(custom(function = "validate_not_empty"), length(max = 256))]
    #[cfg_attr(feature = "server", schema(min_length = 1, max_length = 256))]
    pub password: String,
}

/// Where a copy of one's data stands.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExportState {
    /// Being prepared: an email says when it is ready.
    EnPreparation,
    /// Downloadable until `expires_at`.
    Prete,
    /// Past `expires_at`: deleted.
    Expiree,
    /// Could not be prepared: ask again.
    Echec,
}

/// One copy of the account's data.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct DataExport {
    pub id: Uuid,
    pub state: ExportState,
    pub requested_at: DateTime<Utc>,
    pub ready_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    /// The ZIP's size in bytes, once ready.
    pub size_bytes: Option<u64>,
}

/// The account's copies, newest first.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct DataExportList {
    pub items: Vec<DataExport>,
    /// How many days a copy stays downloadable.
    pub kept_days: u32,
}

/// A one-time link to download a ready copy: valid a few minutes, for one download.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct DownloadLink {
    /// A path of this server (`/api/...`) carrying the one-time token.
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

/// A titled block of a notice: paragraphs of plain text.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct NoticeSection {
    pub titre: String,
    pub paragraphes: Vec<String>,
}

/// One line of the durations table: which data, how long, why.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct RetentionRule {
    pub donnees: String,
    pub duree: String,
    pub raison: String,
}

/// A notice of the portal: « Données personnelles » (the controller, the purposes and
/// legal bases, the recipients, how long each kind of data is kept — the server's settings
/// in force — and the rights) or « Accessibilité » (the déclaration d'accessibilité RGAA).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Notice {
    /// The accessibility statement's state of compliance: « non conforme »,
    /// « partiellement conforme » or « totalement conforme », as the footer says.
    pub etat: Option<String>,
    /// The sections before the durations table.
    pub sections: Vec<NoticeSection>,
    /// The durations table (empty in the accessibility statement).
    pub durees: Vec<RetentionRule>,
    /// The sections after it.
    pub suite: Vec<NoticeSection>,
}
