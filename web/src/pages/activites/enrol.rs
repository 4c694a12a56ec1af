//! The model of « Inscrire »: what the family may choose (the catalogue and, for each child
//! and période, the server's reasons), the pairs chosen, the `Idempotency-Key` of each pair
//! and how a refusal is said. Pure, tested natively; the views are in [`super::wizard`].
//! Before a période opens the family may already choose it ([`Offer::readiness`]), and
//! « Confirmer » waits for its opening ([`Offer::gate`]).

use chrono::{DateTime, Utc};
use shared::api::activites::{
    ActiviteList, ActiviteView, EligibiliteList, EnfantDossier, InscriptionView, PeriodeView,
};
use shared::eligibility::Reason;
use shared::error::ErrorCode;
use uuid::Uuid;

use crate::api::ApiError;
use crate::format::paris_when;
use crate::i18n::problem_message;
use crate::pages::activites::model::takes_enrolments;
use crate::pages::activites::opening::{
    Readiness, busy_text, first_opening, opening_wait_text, readiness,
};
use crate::pages::activites::reasons::{ReasonContext, code_text, reason_text};

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

    /// Whether the child may be enrolled in the période now, only from its opening (the
    /// family may prepare it: issue 13), or not; a période without a place nor a waiting
    /// list left, or unknown to the server, is [`Readiness::Blocked`].
    pub fn readiness(&self, pair: Pair) -> Readiness {
        let takes = self
            .periode(pair.1)
            .is_some_and(|(_, p)| takes_enrolments(p));
        match self.reasons(pair) {
            Some(reasons) if takes => readiness(reasons.iter().map(|r| match r {
                Reason::NotOpenYet { opens_at } => (r.code(), Some(*opens_at)),
                _ => (r.code(), None),
            })),
            _ => Readiness::Blocked,
        }
    }

    /// When the pair opens, if only its opening stands in the way.
    pub fn opens_at(&self, pair: Pair) -> Option<DateTime<Utc>> {
        match self.readiness(pair) {
            Readiness::Opens(at) => Some(at),
            _ => None,
        }
    }

    /// The instant « Confirmer » waits for: the first opening among `pairs`, unless one of
    /// them could be sent when the server answered (see [`first_opening`]).
    pub fn gate(&self, pairs: &[Pair]) -> Option<DateTime<Utc>> {
        first_opening(
            pairs.iter().map(|p| self.readiness(*p)),
            self.eligibilites.maintenant,
        )
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
            if self.readiness(pair).selectable() && !pairs.contains(&pair) {
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
    /// Kept, to be sent again by itself: see [`Wait`].
    Waiting(Wait),
    Done(InscriptionView),
    Failed(String),
}

impl Outcome {
    /// Whether it is on its way (sent, or waiting to be sent again).
    pub fn pending(&self) -> bool {
        matches!(self, Self::Sending | Self::Waiting(_))
    }
}

/// A pause before sending an enrolment again (issue 13).
#[derive(Clone, Debug, PartialEq)]
pub struct Wait {
    /// The server is saturated (503), or the opening is still ahead (409).
    pub busy: bool,
    /// Until when (server time, ms since the epoch).
    pub until: f64,
    /// What is said aloud once, when the pause starts.
    pub said: String,
}

impl Wait {
    /// A pause of `ms` from server time `now`.
    pub fn new(busy: bool, now: f64, ms: f64) -> Self {
        let until = now + ms;
        Self {
            busy,
            until,
            said: Self::text_at(busy, until, now),
        }
    }

    /// « Forte affluence : votre demande est conservée, nouvel essai dans 4 s… » at server
    /// time `now`.
    pub fn text(&self, now: f64) -> String {
        Self::text_at(self.busy, self.until, now)
    }

    fn text_at(busy: bool, until: f64, now: f64) -> String {
        let secs = ((until - now) / 1_000.0).ceil() as i64;
        if busy {
            busy_text(secs)
        } else {
            opening_wait_text(secs)
        }
    }
}

/// Why an enrolment was refused, in French: every reason the server gave, in full when
/// `ctx` names the child and the période (else by their codes).
pub fn failure_text(error: &ApiError, ctx: Option<&ReasonContext<'_>>) -> String {
    if error.status() == 422 {
        let lines: Vec<String> = match ctx {
            Some(ctx) if !error.problem.raisons.is_empty() => error
                .problem
                .raisons
                .iter()
                .map(|r| reason_text(r, ctx))
                .collect(),
            _ => error
                .problem
                .field("_")
                .iter()
                .map(|c| code_text(c).to_string())
                .collect(),
        };
        if !lines.is_empty() {
            return lines.join(" ");
        }
    }
    match (error.code(), error.status(), error.problem.opens_at) {
        (ErrorCode::WindowNotOpen, _, Some(at)) => format!(
            "Les inscriptions à cette période ouvrent le {} : confirmez à ce moment-là.",
            paris_when(at, ctx.map_or(at, |c| c.now))
        ),
        (ErrorCode::RequestInProgress, _, _) => problem_message(error),
        (_, 409, _) => {
            "Cette période est complète : il n'y a plus de place ni de liste d'attente.".into()
        }
        (_, 404, _) => "Cette période n'est plus proposée.".into(),
        _ => problem_message(error),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};
    use shared::api::activites::{Attribution, Categorie, Eligibilite, ModeValidation};
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
            attribution: Attribution::PremierArrive,
            tirage_le: None,
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
        // Période 5 opens at 8 h 30 for both; période 6 too, but Léa lacks a pièce.
        for child in [7_u128, 8] {
            for (p, missing) in [(5, false), (6, child == 7)] {
                let mut raisons = vec![Reason::NotOpenYet {
                    opens_at: opening(),
                }];
                if missing {
                    raisons.push(Reason::MissingPiece {
                        type_code: "assurance".into(),
                    });
                }
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
                    activite(
                        20,
                        vec![
                            periode(4, 5, false),
                            periode(5, 5, false),
                            periode(6, 5, false),
                        ],
                    ),
                ],
            },
            eligibilites: EligibiliteList {
                maintenant: opening() - chrono::Duration::minutes(3),
                enfants: vec![child(7, "Léa"), child(8, "Tom")],
                items,
            },
            pieces_href: "/demarches".into(),
        }
    }

    /// 5 January 2026, 8 h 30 in Paris.
    fn opening() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 5, 7, 30, 0)
            .single()
            .expect("instant")
    }

    /// Whether the child may be enrolled now: no reason, and a place or a waiting list left.
    fn available(offer: &Offer, pair: Pair) -> bool {
        offer.readiness(pair) == Readiness::Now
    }

    fn pair(child: u128, periode: u128) -> Pair {
        (Uuid::from_u128(child), Uuid::from_u128(periode))
    }

    #[test]
    fn a_pair_is_available_without_reason_with_a_place_or_a_waiting_list() {
        let offer = offer();
        assert!(available(&offer, pair(7, 1)));
        assert!(available(&offer, pair(7, 2)));
        assert!(
            !available(&offer, pair(7, 3)),
            "full without a waiting list"
        );
        assert!(!available(&offer, pair(8, 1)), "too old");
        assert!(!available(&offer, pair(7, 99)), "unknown to the server");
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
            failure_text(
                &error(
                    422,
                    ErrorCode::ValidationFailed,
                    &["closed", "family_limit"]
                ),
                None
            ),
            "Les inscriptions sont closes. Votre famille a atteint le nombre d'enfants permis pour cette période."
        );
        assert_eq!(
            failure_text(&error(409, ErrorCode::Conflict, &[]), None),
            "Cette période est complète : il n'y a plus de place ni de liste d'attente."
        );
        assert_ne!(
            failure_text(&error(409, ErrorCode::RequestInProgress, &[]), None),
            failure_text(&error(409, ErrorCode::Conflict, &[]), None)
        );
    }

    #[test]
    fn a_periode_that_only_waits_for_its_opening_may_be_prepared() {
        let offer = offer();
        assert_eq!(offer.readiness(pair(7, 5)), Readiness::Opens(opening()));
        assert_eq!(offer.opens_at(pair(8, 5)), Some(opening()));
        assert!(!available(&offer, pair(7, 5)), "not yet");
        assert_eq!(
            offer.readiness(pair(7, 6)),
            Readiness::Blocked,
            "a pièce too"
        );
        assert_eq!(offer.readiness(pair(8, 6)), Readiness::Opens(opening()));
        assert_eq!(offer.readiness(pair(7, 3)), Readiness::Blocked, "full");
        // « Inscrire » on période 5 ticks it for both; on 6, only for Noé.
        let children = [Uuid::from_u128(7), Uuid::from_u128(8)];
        let mut pairs = vec![];
        offer.preselect(&children, Some(Uuid::from_u128(5)), &mut pairs);
        offer.preselect(&children, Some(Uuid::from_u128(6)), &mut pairs);
        assert_eq!(pairs, vec![pair(7, 5), pair(8, 5), pair(8, 6)]);
    }

    #[test]
    fn confirmer_waits_for_the_opening_unless_a_choice_is_open_already() {
        let offer = offer();
        assert_eq!(offer.gate(&[pair(7, 5), pair(8, 6)]), Some(opening()));
        assert_eq!(offer.gate(&[pair(7, 5), pair(7, 1)]), None);
        assert_eq!(offer.gate(&[]), None);
    }

    #[test]
    fn a_refusal_says_each_reason_in_full_when_the_child_and_periode_are_known() {
        let offer = offer();
        let (activite, periode) = offer.periode(Uuid::from_u128(1)).expect("période");
        let ctx = ReasonContext {
            prenom: "Tom",
            periode,
            activite,
            catalogue: &offer.catalogue.items,
            now: offer.eligibilites.maintenant,
        };
        let mut refused = error(422, ErrorCode::ValidationFailed, &["age", "closed"]);
        refused.problem.raisons = vec![
            Reason::Age {
                age: 12,
                min: 6,
                max: 11,
            },
            Reason::Closed,
        ];
        let text = failure_text(&refused, Some(&ctx));
        assert!(
            text.starts_with("Tom aura 12 ans le 16 février ; l'activité est pour les 6 à 11 ans."),
            "{text}"
        );
        assert!(
            text.contains("Les inscriptions sont closes depuis le"),
            "{text}"
        );
        // Without the raisons (an older server), by their codes.
        refused.problem.raisons.clear();
        assert_eq!(
            failure_text(&refused, Some(&ctx)),
            "L'enfant n'a pas l'âge demandé pour cette activité. Les inscriptions sont closes."
        );
        // Before the opening, too far to wait on the page: when to come back.
        let mut early = error(409, ErrorCode::WindowNotOpen, &[]);
        early.problem.opens_at = Some(opening());
        assert_eq!(
            failure_text(&early, Some(&ctx)),
            "Les inscriptions à cette période ouvrent le lundi 5 janvier à 8 h 30 : confirmez à ce moment-là."
        );
    }

    #[test]
    fn a_pause_counts_its_seconds_down_and_is_said_once() {
        let wait = Wait::new(true, 10_000.0, 4_300.0);
        assert_eq!(
            wait.said,
            "Forte affluence : votre demande est conservée, nouvel essai dans 5 s…"
        );
        assert_eq!(
            wait.text(11_000.0),
            "Forte affluence : votre demande est conservée, nouvel essai dans 4 s…"
        );
        assert_eq!(
            wait.text(20_000.0),
            "Forte affluence : votre demande est conservée, nouvel essai dans 1 s…"
        );
        assert!(Outcome::Waiting(wait).pending());
        assert!(Outcome::Sending.pending());
        assert!(!Outcome::Failed(String::new()).pending());
        let opening = Wait::new(false, 0.0, 12_000.0);
        assert!(
            opening
                .said
                .starts_with("Les inscriptions ne sont pas encore ouvertes"),
            "{}",
            opening.said
        );
    }
}
