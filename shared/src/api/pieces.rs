//! Pièces justificatives: the catalogue of document types, the pieces a dossier must
//! provide, and the pieces provided with their files (Étape 2/3 of the seed).
//!
//! The rules (what is required, validity, dates, limits) are in [`crate::pieces`].

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::api::dossier::Role;

/// Whether a type of piece concerns the whole household or one person.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Cible {
    /// « Lié à : Dossier ».
    Dossier,
    /// Linked to one member whose role is in the type's `roles`.
    Personne,
}

/// A file format, decided from the file's content (never from its name).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Pdf,
    Jpeg,
    Png,
}

impl Format {
    /// The media type sent with the file on download.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }

    /// How the format is named to families.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pdf => "PDF",
            Self::Jpeg => "JPEG",
            Self::Png => "PNG",
        }
    }

    /// The canonical text form, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Jpeg => "jpeg",
            Self::Png => "png",
        }
    }

    /// Parses the stored text form.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pdf" => Some(Self::Pdf),
            "jpeg" => Some(Self::Jpeg),
            "png" => Some(Self::Png),
            _ => None,
        }
    }
}

/// How long a piece stays valid after its date of issue.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "regle")]
pub enum Validite {
    /// No end of validity (livret de famille).
    Aucune,
    /// Valid `mois` months from the date of issue.
    Mois { mois: u32 },
    /// Valid until the end of the school year of its date of issue (31 August).
    FinAnneeScolaire,
}

/// When a type of piece is required for the dossier.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Exigence {
    /// Always required (once for the dossier, or once per person of the `roles`).
    Toujours,
    /// Required when a responsable, responsable légal or conjoint is séparé·e or divorcé·e.
    SiSepareOuDivorce,
    /// Never required; the family may still provide it.
    Facultative,
}

/// A type of piece (« type de pièce ») of the town's catalogue.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PieceType {
    /// Stable identifier, e.g. `justificatif_domicile`.
    pub code: String,
    /// What families read, e.g. « Justificatif de Domicile de moins de 3 mois ».
    pub libelle: String,
    pub cible: Cible,
    /// For `personne` types: the roles of the members it concerns.
    #[serde(default)]
    pub roles: Vec<Role>,
    /// Accepted formats (PDF unless the type allows images).
    pub formats: Vec<Format>,
    pub validite: Validite,
    /// The piece must have been issued at most this many months before it is presented.
    #[serde(default)]
    pub emis_depuis_moins_de_mois: Option<u32>,
    pub exigence: Exigence,
    /// Shown under the type in the upload dialog.
    #[serde(default)]
    pub aide: Option<String>,
    /// Order in lists.
    pub position: i32,
}

/// The catalogue, in display order (its rules are checked by the server as a whole).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, validator::Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PieceTypeList {
    pub items: Vec<PieceType>,
}

/// Where a piece stands.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PieceStatus {
    /// « Non fournie »: required, nothing uploaded yet.
    NonFournie,
    /// « En attente de validation »: uploaded, not yet checked by an agent.
    EnAttenteValidation,
    /// « Validée » by an agent.
    Validee,
    /// « Refusée » by an agent, with a reason: provide it again.
    Refusee,
    /// « Expirée »: its end of validity has passed: provide a newer one.
    Expiree,
}

impl PieceStatus {
    /// Whether a piece in this state counts as provided for a submission.
    pub fn counts_as_provided(self) -> bool {
        matches!(self, Self::EnAttenteValidation | Self::Validee)
    }
}

/// What a piece is linked to: the dossier, or one member.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct LieA {
    /// `None` for the dossier.
    pub member_id: Option<Uuid>,
    /// « Dossier », or the member's prénom and nom.
    pub libelle: String,
}

/// One stored file of a piece.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PieceFile {
    pub id: Uuid,
    /// The name the family's file had, cleaned for display only (never used on disk).
    pub nom: String,
    pub format: Format,
    /// Size in bytes.
    pub taille: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// Where it stands with the antivirus; absent when the town runs none. A file is
    /// served only once found clean.
    pub analyse: Option<Analyse>,
}

/// The antivirus's verdict on a stored file (SECURITY.md E-07).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Analyse {
    /// « En cours d'analyse »: not downloadable yet.
    EnCours,
    /// Found clean: downloadable.
    Saine,
    /// Infected: set aside for good, never served; the piece must be provided again.
    Quarantaine,
}

/// A piece provided by the family (« Pièces justificatives fournies »).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Piece {
    pub id: Uuid,
    pub type_code: String,
    pub type_libelle: String,
    pub lie_a: LieA,
    pub status: PieceStatus,
    /// The agent's reason when `refusee`.
    pub motif_refus: Option<String>,
    /// « Présenté le »: the day it was uploaded.
    pub presente_le: NaiveDate,
    /// « Emis le »: the date of issue the family gave.
    pub emis_le: NaiveDate,
    /// « Fin de validité », computed from the type's rule (`None`: no end).
    pub fin_validite: Option<NaiveDate>,
    pub fichiers: Vec<PieceFile>,
    /// Whether the family may replace or delete it now (draft or « à compléter »).
    pub modifiable: bool,
    pub created_at: DateTime<Utc>,
    /// When the town's services checked it (validated or refused).
    pub verifiee_le: Option<DateTime<Utc>>,
    /// When its files were deleted at the end of their retention period: the piece stays
    /// on the dossier, checked, without its files.
    pub fichiers_supprimes_le: Option<DateTime<Utc>>,
}

/// A piece the dossier must provide (« Pièces justificatives à fournir »).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PieceRequirement {
    pub type_code: String,
    pub type_libelle: String,
    pub lie_a: LieA,
    /// `non_fournie`, or the status of the latest piece provided for it.
    pub status: PieceStatus,
    /// That latest piece, once provided.
    pub piece_id: Option<Uuid>,
}

/// The upload limits (SECURITY.md E-01) and how much of the family's quota is used.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UploadLimits {
    /// Largest file, in bytes.
    pub taille_max_fichier: u64,
    pub fichiers_max_par_piece: u32,
    /// Files the whole dossier may hold.
    pub fichiers_max_par_dossier: u32,
    /// Bytes the whole dossier may hold.
    pub taille_max_dossier: u64,
    pub fichiers_utilises: u32,
    pub octets_utilises: u64,
}

/// Everything Étape 2/3 shows.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PiecesResponse {
    /// The required pieces, computed from the dossier and the catalogue.
    pub a_fournir: Vec<PieceRequirement>,
    /// The pieces provided, newest first.
    pub fournies: Vec<Piece>,
    /// The types the family may add (the whole catalogue), with what each can be linked to.
    pub types: Vec<PieceType>,
    /// The members a `personne` piece can be linked to.
    pub personnes: Vec<Personne>,
    pub limites: UploadLimits,
    /// Whether pieces can be added, replaced or deleted now.
    pub modifiable: bool,
}

/// A member a piece can be linked to.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Personne {
    pub member_id: Uuid,
    pub role: Role,
    pub libelle: String,
}

/// The multipart form of an upload, documented for OpenAPI. Text fields come first, then
/// one to five `fichier` parts.
#[derive(Deserialize, Debug)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PieceUploadForm {
    /// A code of the catalogue.
    pub type_code: String,
    /// The member the piece is about; absent or empty for the dossier.
    pub member_id: Option<Uuid>,
    /// Date of issue, `YYYY-MM-DD` (not in the future).
    pub emis_le: NaiveDate,
    /// The files (PDF, or JPEG/PNG where the type allows it).
    #[cfg_attr(feature = "server", schema(value_type = Vec<String>, format = Binary))]
    pub fichier: Vec<String>,
}
