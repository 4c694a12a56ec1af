//! Dossier famille: the household, its members, parental links and the « création de
//! dossier famille » request (demande) that carries it through validation.
//!
//! Drafts accept incomplete members (everything typed is saved as it goes); the rules of
//! a complete dossier are checked at submission (`DossierProblems`), all at once.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::{Validate, ValidationError};

use crate::validation::{codes, validate_email, validate_person_name};

/// Most members a dossier may hold (SECURITY.md D-03: absurd counts are refused).
pub const MAX_MEMBERS: usize = 20;
/// Longest free text (observation, address lines).
pub const TEXT_MAX_CHARS: usize = 2000;

/// A member's place in the household.
#[derive(
    Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default,
)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The holder of the dossier (exactly one).
    Responsable,
    /// A second legal guardian who does not live in the household (at most one).
    ResponsableLegal,
    /// The spouse or partner living in the household (at most one).
    Conjoint,
    #[default]
    Enfant,
    /// A person allowed to be called or to pick children up.
    Contact,
}

impl Role {
    /// Adults of the household can hold parental links.
    pub fn is_adult_of_household(self) -> bool {
        matches!(
            self,
            Self::Responsable | Self::ResponsableLegal | Self::Conjoint
        )
    }
}

/// Sexe, as in the seed (« Féminin », « Masculin »).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Sexe {
    Feminin,
    Masculin,
}

/// Situation familiale.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SituationFamiliale {
    Celibataire,
    Marie,
    Pacse,
    VieMaritale,
    Separe,
    Divorce,
    Veuf,
}

/// How an adult is related to a child.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    Pere,
    Mere,
    Tuteur,
    BeauParent,
    GrandParent,
    Autre,
}

/// Where a request stands.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DemandeStatus {
    /// Being filled in by the family.
    Brouillon,
    /// Submitted; the family's edits are frozen until an agent decides.
    EnAttenteValidation,
    /// An agent asked for corrections: the family can edit and submit again.
    ACompleter,
    Validee,
    Refusee,
}

impl DemandeStatus {
    /// Whether the family may change the dossier in this state.
    pub fn family_can_edit(self) -> bool {
        matches!(self, Self::Brouillon | Self::ACompleter)
    }
}

/// What a request is for.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DemandeKind {
    /// « Ma demande de création de dossier famille ».
    CreationDossier,
    /// « Demande de rattachement à un dossier »: an account asks to join an existing
    /// dossier that has no address on record for a code (SECURITY.md A-15).
    RattachementDossier,
}

impl DemandeKind {
    /// Its name in « Mes démarches » and in the agents' « Type de demande » filter.
    pub fn label(self) -> &'static str {
        match self {
            Self::CreationDossier => "Création de dossier famille",
            Self::RattachementDossier => "Demande de rattachement à un dossier",
        }
    }
}

fn validate_optional_text(value: &str) -> Result<(), ValidationError> {
    if value.chars().count() > 100 {
        Err(ValidationError::new(codes::TOO_LONG))
    } else if value.chars().any(char::is_control) {
        Err(ValidationError::new(codes::INVALID_CHARACTERS))
    } else {
        Ok(())
    }
}

fn validate_phone(value: &str) -> Result<(), ValidationError> {
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let allowed = value
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-' | '+' | '(' | ')'));
    if allowed && (6..=15).contains(&digits) && value.chars().count() <= 20 {
        Ok(())
    } else {
        Err(ValidationError::new(codes::INVALID_PHONE))
    }
}

/// A member as the family types it. In a draft every field may be empty; what a complete
/// dossier needs is checked at submission.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Validate, Default)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    pub role: Role,
    pub sexe: Option<Sexe>,
    #[validate(custom(function = "validate_person_name"))]
    #[cfg_attr(feature = "server", schema(min_length = 1, max_length = 100))]
    pub nom: Option<String>,
    #[validate(custom(function = "validate_person_name"))]
    #[cfg_attr(feature = "server", schema(min_length = 1, max_length = 100))]
    pub nom_naissance: Option<String>,
    #[validate(custom(function = "validate_person_name"))]
    #[cfg_attr(feature = "server", schema(min_length = 1, max_length = 100))]
    pub prenom: Option<String>,
    #[validate(custom(function = "validate_optional_text"))]
    #[cfg_attr(
        feature = "server",
        schema(max_length = 100, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")
    )]
    pub autres_prenoms: Option<String>,
    /// « Enfant à naître »: then `date_naissance_prevue` replaces `date_naissance`, and no
    /// first name or sex is needed.
    #[serde(default)]
    pub a_naitre: bool,
    pub date_naissance: Option<NaiveDate>,
    pub date_naissance_prevue: Option<NaiveDate>,
    #[validate(custom(function = "validate_optional_text"))]
    #[cfg_attr(
        feature = "server",
        schema(max_length = 100, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")
    )]
    pub pays_naissance: Option<String>,
    #[validate(custom(function = "validate_optional_text"))]
    #[cfg_attr(
        feature = "server",
        schema(max_length = 100, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")
    )]
    pub commune_naissance: Option<String>,
    pub situation_familiale: Option<SituationFamiliale>,
    pub situation_depuis: Option<NaiveDate>,
    #[validate(custom(function = "validate_phone"))]
    #[cfg_attr(
        feature = "server",
        schema(max_length = 20, pattern = r"^[ .()+-]*([0-9][ .()+-]*){6,15}$")
    )]
    pub telephone_mobile: Option<String>,
    #[validate(custom(function = "validate_phone"))]
    #[cfg_attr(
        feature = "server",
        schema(max_length = 20, pattern = r"^[ .()+-]*([0-9][ .()+-]*){6,15}$")
    )]
    pub telephone_fixe: Option<String>,
    #[validate(custom(function = "validate_email"))]
    #[cfg_attr(feature = "server", schema(format = Email, max_length = 254))]
    pub email: Option<String>,
    #[validate(custom(function = "validate_optional_text"))]
    #[cfg_attr(
        feature = "server",
        schema(max_length = 100, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")
    )]
    pub profession: Option<String>,
    #[validate(custom(function = "validate_optional_text"))]
    #[cfg_attr(
        feature = "server",
        schema(max_length = 100, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")
    )]
    pub employeur: Option<String>,
}

/// A member as stored.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Member {
    pub id: Uuid,
    #[serde(flatten)]
    pub fields: MemberInput,
}

/// One adult's link to one child (« Liens de parenté »).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    /// The adult (responsable, responsable légal or conjoint).
    pub adult_id: Uuid,
    pub relation: Relation,
    pub autorite_parentale: bool,
    pub contact_urgence: bool,
    pub autorise_recuperer: bool,
}

/// Replaces all the links of one child.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetLinksRequest {
    #[validate(length(max = 10), nested)]
    #[cfg_attr(feature = "server", schema(max_items = 10))]
    pub links: Vec<LinkInput>,
}

/// A stored link.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Link {
    pub child_id: Uuid,
    #[serde(flatten)]
    pub link: LinkInput,
}

/// The household's address.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Validate, Default)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddressInput {
    #[validate(length(max = 200), custom(function = "validate_optional_text_long"))]
    #[cfg_attr(
        feature = "server",
        schema(max_length = 200, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")
    )]
    pub adresse: Option<String>,
    #[validate(custom(function = "validate_postal_code"))]
    #[cfg_attr(feature = "server", schema(pattern = "^[0-9]{5}$"))]
    pub code_postal: Option<String>,
    #[validate(custom(function = "validate_optional_text"))]
    #[cfg_attr(
        feature = "server",
        schema(max_length = 100, pattern = r"^[^\x00-\x1F\x7F-\x9F]*$")
    )]
    pub commune: Option<String>,
}

fn validate_optional_text_long(value: &str) -> Result<(), ValidationError> {
    if value.chars().any(char::is_control) {
        Err(ValidationError::new(codes::INVALID_CHARACTERS))
    } else {
        Ok(())
    }
}

fn validate_postal_code(value: &str) -> Result<(), ValidationError> {
    if value.len() == 5 && value.chars().all(|c| c.is_ascii_digit()) {
        Ok(())
    } else {
        Err(ValidationError::new(codes::INVALID_POSTAL_CODE))
    }
}

/// A request (démarche) as listed in « Mes démarches ».
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct DemandeSummary {
    pub id: Uuid,
    pub dossier_id: Uuid,
    pub kind: DemandeKind,
    pub status: DemandeStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
}

/// The dossier, with its version (also sent as the `ETag` header).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct DossierResponse {
    pub id: Uuid,
    /// Numéro du dossier famille, given by the town when it validates the dossier.
    pub numero: Option<String>,
    pub version: i32,
    #[serde(flatten)]
    pub address: AddressInput,
    pub members: Vec<Member>,
    pub links: Vec<Link>,
    /// The current request on this dossier.
    pub demande: DemandeSummary,
    /// Whether the family may change it now (draft or « à compléter »).
    pub editable: bool,
}

/// « Mes démarches ».
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct DemandeList {
    pub items: Vec<DemandeSummary>,
}

/// One step of a request's history.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct DemandeEvent {
    pub at: DateTime<Utc>,
    pub status: DemandeStatus,
    /// « famille » or « agent ».
    pub actor: String,
    pub message: Option<String>,
}

/// « Consulter ma demande »: the request, its history and the dossier — as submitted once
/// submitted, as it stands while it is a draft.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct DemandeDetail {
    #[serde(flatten)]
    pub summary: DemandeSummary,
    pub observation: Option<String>,
    /// The agent's message when the request is « à compléter » or refused.
    pub agent_message: Option<String>,
    pub history: Vec<DemandeEvent>,
    /// The dossier; absent from a « demande de rattachement » for the account that asks
    /// (it sees nothing of the dossier until an agent validates).
    pub dossier: Option<DossierResponse>,
}

/// The free-text OBSERVATION of the recap step.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateDemandeRequest {
    #[validate(length(max = 2000), custom(function = "validate_optional_text_long"))]
    pub observation: Option<String>,
}
