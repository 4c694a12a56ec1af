//! The back office: town agents and administrators.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::Validate;

use crate::api::dossier::{DemandeKind, DemandeStatus};

/// The signed-in staff member.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct StaffProfile {
    pub username: String,
    pub email: String,
    /// `agent` or `administrateur`.
    pub role: String,
    /// False once an administrator deactivated the account: it can no longer log in.
    pub actif: bool,
}

/// An administrator changes a staff member: their role, and whether they may still log in
/// (an agent who leaves is deactivated, never deleted: the audit log keeps naming them).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StaffUpdate {
    pub role: StaffRole,
    pub actif: bool,
}

/// One request in the agents' queue.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct QueueItem {
    pub demande_id: Uuid,
    pub dossier_id: Uuid,
    pub kind: DemandeKind,
    pub status: DemandeStatus,
    /// The dossier number, once the town gave one.
    pub numero: Option<String>,
    /// The responsable's prénom and nom.
    pub famille: String,
    pub submitted_at: Option<DateTime<Utc>>,
}

/// A page of the queue, oldest submission first.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Queue {
    pub items: Vec<QueueItem>,
    /// Requests matching the filters, over all pages.
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
    /// Requests waiting for validation, and the median time they have waited (hours).
    pub en_attente: u64,
    pub attente_mediane_heures: Option<f64>,
}

/// Why an agent refuses a piece (the list the family reads).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MotifRefus {
    Illisible,
    Incomplet,
    Perime,
    NeCorrespondPas,
    Autre,
}

impl MotifRefus {
    /// What the family reads.
    pub fn label(self) -> &'static str {
        match self {
            Self::Illisible => "Illisible",
            Self::Incomplet => "Incomplet",
            Self::Perime => "Périmé",
            Self::NeCorrespondPas => "Ne correspond pas à la pièce demandée",
            Self::Autre => "Autre",
        }
    }
}

/// An agent's decision on a piece.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PieceVerdict {
    Validee,
    Refusee,
}

/// « Valider » or « Refuser » a piece; a refusal needs a reason.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PieceDecisionRequest {
    pub decision: PieceVerdict,
    #[serde(default)]
    pub motif: Option<MotifRefus>,
    /// Optional, shown to the family (at most 1,000 characters).
    #[serde(default)]
    #[validate(length(max = 1000))]
    pub commentaire: Option<String>,
}

/// An agent's decision on a request.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DemandeVerdict {
    /// Back to the family with a message: they fix it and submit again.
    ACompleter,
    /// The dossier gets its number; its waiting pieces become « validée ».
    Validee,
    Refusee,
}

/// A decision on a request; « à compléter » and « refusée » need a message to the family.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DemandeDecisionRequest {
    pub decision: DemandeVerdict,
    /// At most 1,000 characters.
    #[serde(default)]
    #[validate(length(max = 1000))]
    pub message: Option<String>,
}

/// What an agent reviews: the request (dossier as submitted, history) and its pieces.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Review {
    pub demande: crate::api::dossier::DemandeDetail,
    pub pieces: Vec<crate::api::pieces::Piece>,
    /// The address on record for codes of rattachement (never shown to families).
    pub contact_email: Option<String>,
    /// For a « demande de rattachement à un dossier »: what the family typed and who asks.
    pub rattachement: Option<RattachementReview>,
}

/// What an agent compares before linking an account to a dossier: the reference the
/// family typed, and the account that asks.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct RattachementReview {
    /// Numéro du dossier famille, nom and prénom as typed at « Mes références dossier ».
    pub numero: String,
    pub nom: String,
    pub prenom: String,
    /// The account that asks: its username, address and creation date.
    pub username: String,
    pub email: String,
    pub compte_cree_le: DateTime<Utc>,
}

/// An agent sets (or clears) the address on record of a validated dossier, where codes of
/// rattachement are sent.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactEmailRequest {
    #[validate(custom(function = "crate::validation::validate_email"))]
    #[cfg_attr(
        feature = "server",
        schema(example = "parent@exemple.fr", max_length = 254)
    )]
    pub email: Option<String>,
}

/// « Consultations de mon dossier »: when the town's services looked at it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Consultation {
    pub at: DateTime<Utc>,
    /// `consultation`, `telechargement`, `decision_piece` or `decision_demande`.
    pub action: String,
    /// The service, not the person: « Service famille de la mairie ».
    pub service: String,
}

/// The consultations of a dossier, newest first.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ConsultationList {
    pub items: Vec<Consultation>,
}

/// An administrator adds a staff member; they receive an email to choose their password,
/// then enrol their authenticator at first login.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewStaffRequest {
    #[validate(custom(function = "crate::validation::validate_username"))]
    pub username: String,
    #[validate(custom(function = "crate::validation::validate_email"))]
    pub email: String,
    /// `agent` or `administrateur`.
    pub role: StaffRole,
}

/// A staff role.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    Agent,
    Administrateur,
}

/// The town's staff.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct StaffList {
    pub items: Vec<StaffProfile>,
}

/// « Délai de traitement »: what « Consulter ma demande » shows of the queue.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct WaitingTime {
    pub en_attente: u64,
    /// Median time the waiting requests have waited, in hours.
    pub attente_mediane_heures: Option<f64>,
}

/// An email the portal gave up on, for the administrators' alert.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct FailedEmail {
    pub id: Uuid,
    pub kind: String,
    /// What it was about, in French.
    pub libelle: String,
    pub to: String,
    pub created_at: DateTime<Utc>,
    pub failed_at: Option<DateTime<Utc>>,
    pub attempts: i32,
    /// The last delivery error (SMTP's answer), shortened.
    pub last_error: Option<String>,
}

/// « N e-mails n'ont pas pu être envoyés »: how many, and the latest 100.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct FailedEmails {
    pub total: u64,
    pub items: Vec<FailedEmail>,
}

/// The answer of « Renvoyer » on failed emails.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct RequeuedEmails {
    /// Emails queued again (those whose link had expired cannot be).
    pub requeued: u64,
}
