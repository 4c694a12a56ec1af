//! Activités et inscriptions (issue 12): the public catalogue.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The kind of activité.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Categorie {
    Periscolaire,
    Extrascolaire,
    Sport,
    Sejour,
    Restauration,
}

/// How a free place is given.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ModeValidation {
    /// Confirmed at once when a place is free.
    Automatique,
    /// Held, then confirmed or refused by an agent.
    SurValidation,
}

/// How a période's places are given.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Attribution {
    /// *Premier arrivé* : each request takes a free place at once, in arrival order.
    #[default]
    PremierArrive,
    /// *Attribution équitable* : families rank their wishes until the close (`fermeture`),
    /// then one draw gives the places by the published rules and a seeded lottery.
    Equitable,
}

/// A type de pièce an activité requires.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PieceRequise {
    pub code: String,
    /// « Attestation d'assurance extrascolaire ».
    pub libelle: String,
}

/// A période as families see it, with the places left now.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PeriodeView {
    pub id: Uuid,
    /// « Semaine 1 : du 16 au 20 février 2026 ».
    pub libelle: String,
    pub premier_jour: NaiveDate,
    pub dernier_jour: NaiveDate,
    /// Days and times as the town words them.
    pub horaires: String,
    pub capacite: u32,
    /// Places neither confirmed, requested nor offered.
    pub places_restantes: u32,
    /// Children on the waiting list.
    pub en_liste_attente: u32,
    /// Whether a full période takes a waiting list.
    pub liste_attente: bool,
    /// When registrations open and close.
    pub ouverture: DateTime<Utc>,
    /// An earlier opening for households living in the town.
    pub ouverture_residents: Option<DateTime<Utc>>,
    pub fermeture: DateTime<Utc>,
    /// A family may cancel until this many days before the first day.
    pub annulation_jours: u32,
    /// How many of a family's children may hold a place.
    pub limite_famille: Option<u32>,
    pub mode_validation: ModeValidation,
    pub attribution: Attribution,
    /// *Attribution équitable*: when the draw ran (`None`: not yet).
    pub tirage_le: Option<DateTime<Utc>>,
}

/// A published activité and its périodes.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ActiviteView {
    pub id: Uuid,
    pub nom: String,
    /// The Markdown subset of news.
    pub description: String,
    pub categorie: Categorie,
    pub lieu: String,
    /// Age range, as reached on a période's first day.
    pub age_min: u8,
    pub age_max: u8,
    /// Prices as the town words them.
    pub tarifs: String,
    pub pieces_requises: Vec<PieceRequise>,
    pub periodes: Vec<PeriodeView>,
}

/// `GET /api/activites`: the published catalogue, by name.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ActiviteList {
    pub items: Vec<ActiviteView>,
}

/// `POST /api/inscriptions`: enrol one child of the family's dossier in one période.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, validator::Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InscriptionRequest {
    pub periode_id: Uuid,
    /// The child (a member of the family's dossier).
    pub enfant_id: Uuid,
}

/// Where an inscription stands.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InscriptionStatut {
    /// Waiting for an agent (mode sur validation); the place is held.
    Demandee,
    Confirmee,
    ListeAttente,
    /// A freed place, to accept before `offre_expire_at`.
    PlaceProposee,
    Annulee,
    Refusee,
}

/// An inscription as the family sees it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct InscriptionView {
    pub id: Uuid,
    pub periode_id: Uuid,
    pub enfant_id: Uuid,
    pub statut: InscriptionStatut,
    /// On the waiting list: the position (1 = next).
    pub position_liste_attente: Option<u32>,
}

/// One of the family's inscriptions, with what it is for (« Mes inscriptions »).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct InscriptionDetail {
    #[serde(flatten)]
    pub inscription: InscriptionView,
    /// The activité's name.
    pub activite: String,
    /// The période's label.
    pub periode: String,
    pub premier_jour: NaiveDate,
    pub dernier_jour: NaiveDate,
    /// The child's first name and name.
    pub enfant: String,
    /// Until when an offered place can be accepted.
    pub offre_expire_at: Option<DateTime<Utc>>,
    /// Why it was refused or cancelled by the town.
    pub motif: Option<String>,
    /// The family may cancel a place until the end of this day (Europe/Paris); leaving
    /// the waiting list is possible any time before the first day.
    pub annulable_jusqu_au: NaiveDate,
    /// Enrolled (or cancelled) by an agent on the family's behalf.
    pub par_agent: bool,
}

/// `GET /api/inscriptions`: the family's inscriptions, the most recent période first.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct InscriptionList {
    pub items: Vec<InscriptionDetail>,
}

/// `POST /api/inscriptions/{id}/reponse`: the family's answer to an offered place.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, validator::Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OffreReponse {
    /// `true`: the place is taken (*confirmée*); `false`: declined, it goes to the next.
    pub accepter: bool,
}

// ---------------------------------------------------------------------------------------
// Back office
// ---------------------------------------------------------------------------------------

/// Where a période stands for families.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PeriodeStatut {
    /// Not shown to families yet.
    Brouillon,
    /// In the catalogue.
    Publiee,
    /// Out of the catalogue; its inscriptions stay.
    Close,
}

/// Longest name and place, description and price text, in characters.
pub const NOM_MAX_CHARS: usize = 200;
pub const DESCRIPTION_MAX_CHARS: usize = 20_000;
/// Largest capacity of a période.
pub const CAPACITE_MAX: u32 = 10_000;

/// `POST /api/backoffice/activites`, `PUT /api/backoffice/activites/{id}`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, validator::Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "ages_in_order", skip_on_field_errors = false))]
pub struct ActiviteInput {
    #[validate(
        length(max = 200),
        custom(function = "crate::api::content::validate_text")
    )]
    pub nom: String,
    /// The Markdown subset of news.
    #[validate(
        length(max = 20000),
        custom(function = "crate::api::content::validate_text")
    )]
    pub description: String,
    pub categorie: Categorie,
    #[validate(
        length(max = 200),
        custom(function = "crate::api::content::validate_text")
    )]
    pub lieu: String,
    #[validate(range(max = 25))]
    pub age_min: u8,
    #[validate(range(max = 25))]
    pub age_max: u8,
    /// May be empty.
    #[validate(
        length(max = 2000),
        custom(function = "crate::api::content::validate_optional_text")
    )]
    pub tarifs: String,
    /// Codes of the catalogue's types de pièce.
    #[validate(length(max = 20))]
    pub pieces_requises: Vec<String>,
    /// Shown in the catalogue (with its published périodes).
    pub publiee: bool,
}

fn ages_in_order(input: &ActiviteInput) -> Result<(), validator::ValidationError> {
    if input.age_min > input.age_max {
        let mut error =
            validator::ValidationError::new(crate::validation::codes::DATE_OUT_OF_RANGE);
        error.add_param("field".into(), &"age_max");
        return Err(error);
    }
    Ok(())
}

/// `POST /api/backoffice/activites/{id}/periodes`, `PUT /api/backoffice/periodes/{id}`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, validator::Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "periode_in_order", skip_on_field_errors = false))]
pub struct PeriodeInput {
    #[validate(
        length(max = 200),
        custom(function = "crate::api::content::validate_text")
    )]
    pub libelle: String,
    pub premier_jour: NaiveDate,
    pub dernier_jour: NaiveDate,
    /// « Du lundi au vendredi, 9 h – 17 h ».
    #[validate(
        length(max = 500),
        custom(function = "crate::api::content::validate_text")
    )]
    pub horaires: String,
    /// Never below the places already held (409 otherwise).
    #[validate(range(min = 1, max = 10000))]
    pub capacite: u32,
    pub ouverture: DateTime<Utc>,
    pub ouverture_residents: Option<DateTime<Utc>>,
    pub fermeture: DateTime<Utc>,
    /// A family may cancel until this many days before the first day.
    #[validate(range(max = 365))]
    pub annulation_jours: u32,
    #[validate(range(min = 1, max = 20))]
    pub limite_famille: Option<u32>,
    pub liste_attente: bool,
    pub mode_validation: ModeValidation,
    /// A freed place is offered to the next in line for this many hours (`None`: given at
    /// once).
    #[validate(range(min = 1, max = 720))]
    pub offre_heures: Option<u32>,
    pub statut: PeriodeStatut,
    /// *Premier arrivé* when absent. The *équitable* périodes of one activité share one
    /// draw, so they close (`fermeture`) at the same instant.
    #[serde(default)]
    pub attribution: Attribution,
}

fn periode_in_order(input: &PeriodeInput) -> Result<(), validator::ValidationError> {
    let wrong = if input.dernier_jour < input.premier_jour {
        Some("dernier_jour")
    } else if input.fermeture <= input.ouverture {
        Some("fermeture")
    } else if input
        .ouverture_residents
        .is_some_and(|early| early > input.ouverture)
    {
        Some("ouverture_residents")
    } else {
        None
    };
    match wrong {
        Some(field) => {
            let mut error =
                validator::ValidationError::new(crate::validation::codes::DATE_OUT_OF_RANGE);
            error.add_param("field".into(), &field);
            Err(error)
        }
        None => Ok(()),
    }
}

/// A période as agents see it: what families see, and its counts.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PeriodeAgentView {
    #[serde(flatten)]
    pub periode: PeriodeView,
    pub statut: PeriodeStatut,
    pub offre_heures: Option<u32>,
    pub confirmees: u32,
    pub demandees: u32,
    pub proposees: u32,
    pub version: i32,
}

/// An activité as agents see it (published or not).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ActiviteAgentView {
    pub id: Uuid,
    pub nom: String,
    pub description: String,
    pub categorie: Categorie,
    pub lieu: String,
    pub age_min: u8,
    pub age_max: u8,
    pub tarifs: String,
    pub pieces_requises: Vec<PieceRequise>,
    pub publiee: bool,
    pub periodes: Vec<PeriodeAgentView>,
    /// Changes with every change of the activité (not of its périodes): `If-Match` for
    /// applications.
    pub version: i32,
}

/// `GET /api/backoffice/activites`: every activité, by name.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ActiviteAgentList {
    pub items: Vec<ActiviteAgentView>,
}

/// Someone to call about a child, from the dossier's links.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Contact {
    pub nom: String,
    pub telephone: Option<String>,
}

/// One child on a période's list.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct RosterEntry {
    #[serde(flatten)]
    pub inscription: InscriptionView,
    pub enfant: String,
    pub date_naissance: Option<NaiveDate>,
    /// Age on the période's first day.
    pub age: Option<i32>,
    pub dossier_numero: Option<String>,
    /// The responsables légaux, with their phones.
    pub responsables: Vec<Contact>,
    /// Authorised to pick the child up.
    pub autorises: Vec<Contact>,
    /// To call in an emergency.
    pub urgences: Vec<Contact>,
    pub motif: Option<String>,
    pub par_agent: bool,
    pub cree_le: DateTime<Utc>,
    pub offre_expire_at: Option<DateTime<Utc>>,
}

/// `GET /api/backoffice/periodes/{id}/inscriptions`: the période's children, confirmed
/// first, then requested, offered, waiting (in line order), then ended ones.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Roster {
    pub activite: String,
    pub periode: PeriodeAgentView,
    pub items: Vec<RosterEntry>,
}

/// A child an agent may enrol (`GET /api/backoffice/enfants?dossier=`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct EnfantDossier {
    pub id: Uuid,
    pub prenom: String,
    pub nom: String,
    pub date_naissance: Option<NaiveDate>,
}

/// The children of a validated dossier, found by its number.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct EnfantDossierList {
    pub dossier_numero: String,
    pub items: Vec<EnfantDossier>,
}

/// `POST /api/backoffice/periodes/{id}/inscriptions`: an agent enrols a child on the
/// family's behalf (the registration window does not apply; every other rule does).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, validator::Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AgentInscriptionRequest {
    pub enfant_id: Uuid,
}

/// `POST /api/backoffice/inscriptions/{id}/annulation`: an agent cancels, with the reason
/// the family will read.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, validator::Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AnnulationRequest {
    #[validate(
        length(max = 1000),
        custom(function = "crate::api::content::validate_text")
    )]
    pub motif: String,
}

/// An agent's decision on a request *sur validation*.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Confirmer,
    Refuser,
}

/// `POST /api/backoffice/inscriptions/{id}/decision`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, validator::Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "refusal_has_reason", skip_on_field_errors = false))]
pub struct DecisionRequest {
    pub decision: Decision,
    /// Required to refuse: the family reads it.
    #[validate(length(max = 1000))]
    pub motif: Option<String>,
}

fn refusal_has_reason(input: &DecisionRequest) -> Result<(), validator::ValidationError> {
    if input.decision == Decision::Refuser
        && input.motif.as_deref().is_none_or(|m| m.trim().is_empty())
    {
        let mut error = validator::ValidationError::new(crate::validation::codes::REQUIRED);
        error.add_param("field".into(), &"motif");
        return Err(error);
    }
    Ok(())
}

/// A request *sur validation* waiting for an agent (the « Inscription à une activité »
/// queue).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct DemandeInscription {
    #[serde(flatten)]
    pub entry: RosterEntry,
    pub activite: String,
    pub periode: String,
}

/// `GET /api/backoffice/inscriptions/a-valider`: oldest first.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct DemandeInscriptionList {
    pub items: Vec<DemandeInscription>,
}

/// One child of the family and one published période: every reason the child cannot be
/// enrolled now (empty: « Inscrire » is possible).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Eligibilite {
    pub enfant_id: Uuid,
    pub periode_id: Uuid,
    pub raisons: Vec<crate::eligibility::Reason>,
}

/// `GET /api/inscriptions/eligibilites`: the children of the family's dossier and, for each
/// of them and each published période, what stands in the way — with the server's clock,
/// so that a countdown to the opening follows it rather than the phone's.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct EligibiliteList {
    pub maintenant: DateTime<Utc>,
    pub enfants: Vec<EnfantDossier>,
    pub items: Vec<Eligibilite>,
}
