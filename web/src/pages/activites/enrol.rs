//! The model of « Inscrire »: what the family may choose (the catalogue and, for each child
//! and période, the server's reasons), the pairs chosen, the `Idempotency-Key` of each pair
//! and how a refusal is said. Pure, tested natively; the views are in [`super::wizard`].

use shared::api::activites::{
    ActiviteList, ActiviteView, EligibiliteList, EnfantDossier, InscriptionView, PeriodeView,
};
use shared::eligibility::Reason;
use shared::error::ErrorCode;
use uuid::Uuid;

use crate::api::ApiError;
use crate::i18n::problem_message;
use crate::pages::activites::model::takes_enrolments;
use crate::pages::activites::reasons::code_text;

/// One child and one période: (enfant, période).
pub type Pair = (Uuid, Uuid);

/// What the wizard offers: the published catalogue and the family's eligibilities.
#[derive(Clone, Debug, PartialEq)]
pub struct Offer {
    pub catalogue: ActiviteList,
    pub eligibilites: EligibiliteList,
    /// Where the family adds a pièce justificative (the dossier's step 2 while it can be
    /// changed, « Mes démarches » otherwise).
    pub pieces_href: String,
}

impl Offer {
    /// The children of the family's dossier.
    pub fn children(&self) -> &[EnfantDossier] {
        &self.eligibilites.enfants
    }

    /// « Léa », or « cet enfant » for an unknown id.
    pub fn prenom(&self, child: Uuid) -> String {
        self.children()
            .iter()
            .find(|c| c.id == child)
            .map_or_else(|| "Cet enfant".into(), |c| c.prenom.clone())
    }

    /// The server's reasons for a pair (`None`: the server said nothing of it, e.g. a
    /// période published after the page was loaded).
    pub fn reasons(&self, (child, periode): Pair) -> Option<&[Reason]> {
        self.eligibilites
            .items
            .iter()
            .find(|e| e.enfant_id == child && e.periode_id == periode)
            .map(|e| e.raisons.as_slice())
    }

    /// Whether the child may be enrolled in the période now: no reason, and a place or a
    /// waiting list left.
    pub fn available(&self, pair: Pair) -> bool {
        self.reasons(pair).is_some_and(<[Reason]>::is_empty)
            && self
                .periode(pair.1)
                .is_some_and(|(_, p)| takes_enrolments(p))
    }

    /// A période and its activité.
    pub fn periode(&self, id: Uuid) -> Option<(&ActiviteView, &PeriodeView)> {
        self.catalogue
            .items
            .iter()
            .find_map(|a| a.periodes.iter().find(|p| p.id == id).map(|p| (a, p)))
    }

    /// The activités to show on step 2: only the one of `focus` (the période « Inscrire »
    /// was clicked on) unless `all`.
    pub fn activites(&self, focus: Option<Uuid>, all: bool) -> Vec<&ActiviteView> {
        let focused = focus
            .filter(|_| !all)
            .and_then(|id| self.periode(id))
            .map(|(a, _)| a.id);
        self.catalogue
            .items
            .iter()
            .filter(|a| !a.periodes.is_empty() && focused.is_none_or(|f| f == a.id))
            .collect()
    }

    /// The chosen pairs still available, in the order of the page: by child as listed,
    /// then by activité and période as in the catalogue.
    pub fn ordered(&self, children: &[Uuid], pairs: &[Pair]) -> Vec<Pair> {
        let mut ordered = Vec::new();
        for child in self.children().iter().filter(|c| children.contains(&c.id)) {
            for activite in &self.catalogue.items {
                for periode in &activite.periodes {
                    let pair = (child.id, periode.id);
                    if pairs.contains(&pair) {
                        ordered.push(pair);
                    }
                }
            }
        }
        ordered
    }

    /// The période « Inscrire » was clicked on, ticked for each chosen child who may join
    /// it (added to what is already ticked).
    pub fn preselect(&self, children: &[Uuid], focus: Option<Uuid>, pairs: &mut Vec<Pair>) {
        let Some(periode) = focus else { return };
        for child in children {
            let pair = (*child, periode);
            if self.available(pair) && !pairs.contains(&pair) {
                pairs.push(pair);
            }
        }
    }
}

/// The `Idempotency-Key` of a pair: made once (random), then the same for every retry of
/// that pair, so a double click or a retry after a lost answer never enrols twice.
pub fn key_for(keys: &mut Vec<(Pair, String)>, pair: Pair) -> String {
    if let Some((_, key)) = keys.iter().find(|(p, _)| *p == pair) {
        return key.clone();
    }
    let key = Uuid::new_v4().to_string();
    keys.push((pair, key.clone()));
    key
}

/// Where one enrolment stands on the recap.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Sending,
    Done(InscriptionView),
    Failed(String),
}

/// Why an enrolment was refused, in French.
pub fn failure_text(error: &ApiError) -> String {
    let reasons = error.problem.field("_");
    if error.status() == 422 && !reasons.is_empty() {
        let lines: Vec<&str> = reasons.iter().map(|c| code_text(c)).collect();
        return lines.join(" ");
    }
    match (error.code(), error.status()) {
        (ErrorCode::RequestInProgress, _) => problem_message(error),
        (_, 409) => {
            "Cette période est complète : il n'y a plus de place ni de liste d'attente.".into()
        }
        (_, 404) => "Cette période n'est plus proposée.".into(),
        _ => problem_message(error),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};
    use shared::api::activites::{Categorie, Eligibilite, ModeValidation};
    use shared::error::Problem;

    use super::*;

    fn periode(id: u128, places: u32, liste: bool) -> PeriodeView {
        let day = NaiveDate::from_ymd_opt(2026, 2, 16).expect("date");
        let at = Utc
            .with_ymd_and_hms(2026, 1, 5, 7, 30, 0)
            .single()
            .expect("instant");
        PeriodeView {
            id: Uuid::from_u128(id),
            libelle: format!("Semaine {id}"),
            premier_jour: day,
            dernier_jour: day,
            horaires: String::new(),
            capacite: 24,
            places_restantes: places,
            en_liste_attente: 0,
            liste_attente: liste,
            ouverture: at,
            ouverture_residents: None,
            fermeture: at,
            annulation_jours: 7,
            limite_famille: None,
            mode_validation: ModeValidation::Automatique,
        }
    }

    fn activite(id: u128, periodes: Vec<PeriodeView>) -> ActiviteView {
        ActiviteView {
            id: Uuid::from_u128(id),
            nom: format!("Activité {id}"),
            description: String::new(),
            categorie: Categorie::Sport,
            lieu: String::new(),
            age_min: 6,
            age_max: 11,
            tarifs: String::new(),
            pieces_requises: vec![],
            periodes,
        }
    }

    fn child(id: u128, prenom: &str) -> EnfantDossier {
        EnfantDossier {
            id: Uuid::from_u128(id),
            prenom: prenom.into(),
            nom: "Martin".into(),
            date_naissance: None,
        }
    }

    /// Léa (7) and Tom (8); périodes 1 (3 places), 2 (full, waiting list), 3 (full, no
    /// list) of activité 10, période 4 of activité 20; Tom is too old for période 1.
    fn offer() -> Offer {
        let ids = [1, 2, 3, 4];
        let mut items = Vec::new();
        for child in [7_u128, 8] {
            for p in ids {
                let raisons = if child == 8 && p == 1 {
                    vec![Reason::Age {
                        age: 12,
                        min: 6,
                        max: 11,
                    }]
                } else {
                    vec![]
                };
                items.push(Eligibilite {
                    enfant_id: Uuid::from_u128(child),
                    periode_id: Uuid::from_u128(p),
                    raisons,
                });
            }
        }
        Offer {
            catalogue: ActiviteList {
                items: vec![
                    activite(
                        10,
                        vec![
                            periode(1, 3, true),
                            periode(2, 0, true),
                            periode(3, 0, false),
                        ],
                    ),
                    activite(20, vec![periode(4, 5, false)]),
                ],
            },
            eligibilites: EligibiliteList {
                maintenant: Utc::now(),
                enfants: vec![child(7, "Léa"), child(8, "Tom")],
                items,
            },
            pieces_href: "/demarches".into(),
        }
    }

    fn pair(child: u128, periode: u128) -> Pair {
        (Uuid::from_u128(child), Uuid::from_u128(periode))
    }

    #[test]
    fn a_pair_is_available_without_reason_with_a_place_or_a_waiting_list() {
        let offer = offer();
        assert!(offer.available(pair(7, 1)));
        assert!(offer.available(pair(7, 2)));
        assert!(!offer.available(pair(7, 3)), "full without a waiting list");
        assert!(!offer.available(pair(8, 1)), "too old");
        assert!(!offer.available(pair(7, 99)), "unknown to the server");
    }

    #[test]
    fn the_clicked_periode_is_ticked_for_the_children_who_may_join_it() {
        let offer = offer();
        let children = [Uuid::from_u128(7), Uuid::from_u128(8)];
        let mut pairs = vec![];
        offer.preselect(&children, Some(Uuid::from_u128(1)), &mut pairs);
        assert_eq!(pairs, vec![pair(7, 1)]);
        offer.preselect(&children, Some(Uuid::from_u128(1)), &mut pairs);
        assert_eq!(pairs, vec![pair(7, 1)], "not twice");
        assert_eq!(offer.activites(Some(Uuid::from_u128(4)), false).len(), 1);
        assert_eq!(offer.activites(Some(Uuid::from_u128(4)), true).len(), 2);
    }

    #[test]
    fn pairs_are_listed_by_child_then_catalogue_order_and_unchosen_children_dropped() {
        let offer = offer();
        let pairs = [pair(8, 4), pair(7, 4), pair(7, 1), pair(8, 2)];
        assert_eq!(
            offer.ordered(&[Uuid::from_u128(7), Uuid::from_u128(8)], &pairs),
            vec![pair(7, 1), pair(7, 4), pair(8, 2), pair(8, 4)]
        );
        assert_eq!(
            offer.ordered(&[Uuid::from_u128(8)], &pairs),
            vec![pair(8, 2), pair(8, 4)]
        );
    }

    #[test]
    fn each_pair_keeps_its_own_key_across_retries() {
        let mut keys = vec![];
        let first = key_for(&mut keys, pair(7, 1));
        let other = key_for(&mut keys, pair(8, 1));
        assert_ne!(first, other);
        assert_eq!(key_for(&mut keys, pair(7, 1)), first);
        assert_eq!(keys.len(), 2);
    }

    fn error(status: u16, code: ErrorCode, reasons: &[&str]) -> ApiError {
        let mut fields = shared::error::FieldErrors::new();
        if !reasons.is_empty() {
            fields.insert("_".into(), reasons.iter().map(|r| r.to_string()).collect());
        }
        ApiError {
            problem: Problem {
                problem_type: "about:blank".into(),
                title: String::new(),
                status,
                detail: None,
                code,
                fields,
                opens_at: None,
                raisons: Vec::new(),
            },
            retry_after: None,
        }
    }

    #[test]
    fn refusals_say_every_reason_the_server_gave() {
        assert_eq!(
            failure_text(&error(
                422,
                ErrorCode::ValidationFailed,
                &["closed", "family_limit"]
            )),
            "Les inscriptions sont closes. Votre famille a atteint le nombre d'enfants permis pour cette période."
        );
        assert_eq!(
            failure_text(&error(409, ErrorCode::Conflict, &[])),
            "Cette période est complète : il n'y a plus de place ni de liste d'attente."
        );
        assert_ne!(
            failure_text(&error(409, ErrorCode::RequestInProgress, &[])),
            failure_text(&error(409, ErrorCode::Conflict, &[]))
        );
    }
}
