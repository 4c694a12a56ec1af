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
}

/// `GET /api/inscriptions`: the family's inscriptions, the most recent période first.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct InscriptionList {
    pub items: Vec<InscriptionDetail>,
}
