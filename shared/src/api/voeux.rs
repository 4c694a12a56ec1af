//! *Attribution équitable* (issue 13): a family's ranked wishes (« Mes vœux ») and the
//! public draw of an activité's périodes (« Tirage »).
//!
//! The unit of a draw is an activité: its *équitable* périodes close together and are
//! alternatives for a child, who gets at most one place among them. Each wish has a public
//! number (its id) so that the draw is published by number, never by name.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Most wishes a child may rank for one activité.
pub const VOEUX_MAX: usize = 10;

/// `PUT /api/voeux`: a child's wishes for one activité, in the family's order of
/// preference (the first is the first wish). An empty list withdraws them all. Allowed
/// from the périodes' opening until their close; the previous list is replaced.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, validator::Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VoeuxRequest {
    pub activite_id: Uuid,
    /// The child (a member of the family's dossier).
    pub enfant_id: Uuid,
    /// Périodes of the activité, best first, each once.
    #[validate(length(max = 10), custom(function = "distinct_periodes"))]
    pub periodes: Vec<Uuid>,
}

fn distinct_periodes(periodes: &[Uuid]) -> Result<(), validator::ValidationError> {
    let mut seen = std::collections::HashSet::new();
    if periodes.iter().all(|p| seen.insert(*p)) {
        Ok(())
    } else {
        Err(validator::ValidationError::new(
            crate::validation::codes::DUPLICATE,
        ))
    }
}

/// What the draw gave a wish.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ResultatVoeu {
    /// A place (its inscription is in « Mes inscriptions »).
    Place,
    /// On the période's waiting list, in draw order.
    ListeAttente,
    /// Not placed, and the période keeps no waiting list.
    NonRetenu,
    /// The child got a place through a better-ranked wish.
    SansObjet,
}

/// One wish of a child.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct VoeuView {
    /// The wish's public number in the draw.
    pub numero: Uuid,
    pub periode_id: Uuid,
    /// 1 = the first wish.
    pub rang: u32,
    /// After the draw.
    pub resultat: Option<ResultatVoeu>,
    /// On the waiting list after the draw: the position it was given (1 = next).
    pub position: Option<u32>,
}

/// A child's wishes for one activité.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct VoeuxEnfant {
    pub activite_id: Uuid,
    pub enfant_id: Uuid,
    /// Best first.
    pub voeux: Vec<VoeuView>,
}

/// `GET /api/voeux`: every wish of the family's children, by activité and child.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct VoeuxList {
    pub items: Vec<VoeuxEnfant>,
}

/// A période of a draw and the places it gave.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TiragePeriode {
    pub id: Uuid,
    pub libelle: String,
    /// Places free when the draw ran (or now, before it).
    pub places: u32,
    /// Wishes for this période, all ranks.
    pub demandes: u32,
}

/// One wish in a published draw: pseudonymous, never a name.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TirageLigne {
    /// The wish's number (the family finds its own in « Mes vœux »).
    pub numero: Uuid,
    /// The household and the child, as pseudonyms valid in this draw only (siblings share
    /// a household; a child placed once is not placed again).
    pub foyer: String,
    pub enfant: String,
    pub periode_id: Uuid,
    pub rang: u32,
    /// The household lived in the town when the draw ran.
    pub resident: bool,
    /// The lottery number of the wish's group: SHA-256(seed ":" first number), hex.
    pub tirage: String,
    pub resultat: ResultatVoeu,
    pub position: Option<u32>,
}

/// `GET /api/tirages/{periode_id}`: the draw of the période's activité, public. Before the
/// draw: the rules, the published seed and the counts; after it, every wish by number in
/// the order the rules gave — enough for anyone to re-run it with
/// `portail-famille attribution verifier`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TirageView {
    pub activite_id: Uuid,
    pub activite: String,
    /// The période the page was asked for.
    pub periode_id: Uuid,
    /// The rules, in order, as the town publishes them.
    pub regles: Vec<String>,
    /// Published with the période, before any wish: it cannot be chosen after seeing them.
    pub graine: String,
    /// Wishes close (and the draw runs) at this instant.
    pub fermeture: DateTime<Utc>,
    pub tirage_le: Option<DateTime<Utc>>,
    /// The seed of the lottery: SHA-256(graine ":" the wishes' numbers, sorted, joined by
    /// ","), hex — known only once the wishes are.
    pub graine_tirage: Option<String>,
    pub periodes: Vec<TiragePeriode>,
    /// After the draw: every wish, in the order the rules served them.
    pub lignes: Vec<TirageLigne>,
}
