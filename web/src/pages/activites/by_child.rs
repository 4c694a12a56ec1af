//! « Pour : Tous mes enfants / Léa / Noé » on the catalogue (issue 12): which of the signed-in
//! family's children may join each période, from `GET /api/inscriptions/eligibilites`. For a
//! child, only the périodes it may join (now, or at their opening); for all, each période
//! says who may join and, briefly, why not the others.
//!
//! Only the full app has it. The public pages' bundle (`/activites` loaded directly, or
//! reloaded) knows a family is signed in (the refresh cookie, at start), but this filter
//! cost it about 6 KB gzipped more (measured: the eligibilities' decoder, the control, the
//! lines) against a budget with none left; it compiles `web/src/bin/public/by_child.rs`
//! instead, and the signed-in family finds the same answer, child by child with every
//! reason, through « Inscrire un enfant ». A family signed in reaches « Activités » from
//! the full app's menu, where this module is.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::activites::{ActiviteList, EligibiliteList, PeriodeView};
use shared::eligibility::Reason;
use uuid::Uuid;

use crate::api;
use crate::pages::activites::countdown::{monotonic_ms, set_clock};
use crate::pages::activites::model::takes_enrolments;
use crate::pages::activites::opening::{Readiness, ServerClock, millis, readiness};
use crate::pages::activites::reasons::code_text;
use crate::pages::public::Loading;
use crate::state::Session;

/// Whom the catalogue is shown for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pour {
    /// Every période, each with which children may join it.
    Tous,
    /// Only the périodes this child may join.
    Enfant(Uuid),
}

/// The opening of a reason, if it is `not_open_yet`.
fn opens_at(reason: &Reason) -> Option<DateTime<Utc>> {
    match reason {
        Reason::NotOpenYet { opens_at } => Some(*opens_at),
        _ => None,
    }
}

/// Whether `child` may join `periode` now, at its opening, or not (`None`: the server said
/// nothing of it, e.g. a période published since). A période given by draw (`by_draw`)
/// is joined through the family's wishes: that reason alone does not keep the child out.
pub fn child_readiness(family: &EligibiliteList, child: Uuid, periode: Uuid) -> Option<Readiness> {
    family
        .items
        .iter()
        .find(|i| i.enfant_id == child && i.periode_id == periode)
        .map(|i| {
            readiness(
                i.raisons
                    .iter()
                    .filter(|r| !matches!(r, Reason::ByDraw { .. }))
                    .map(|r| (r.code(), opens_at(r))),
            )
        })
}

/// Whether the catalogue shows `periode` for `pour`: every période for « Tous », only those
/// the child may join (with a place or the waiting list left) for a child.
pub fn shows(family: &EligibiliteList, pour: Pour, periode: &PeriodeView) -> bool {
    match pour {
        Pour::Tous => true,
        Pour::Enfant(child) => {
            takes_enrolments(periode)
                && child_readiness(family, child, periode.id).is_some_and(Readiness::selectable)
        }
    }
}

/// For « Tous »: « Peuvent s'inscrire : Léa et Noé », then for each other child briefly why
/// not (« Noé : L'enfant n'a pas l'âge demandé… »). The window is left out: the période
/// says when it opens.
pub fn who(family: &EligibiliteList, periode: Uuid) -> Vec<String> {
    let mut may = Vec::new();
    let mut not = Vec::new();
    for child in &family.enfants {
        let Some(item) = family
            .items
            .iter()
            .find(|i| i.enfant_id == child.id && i.periode_id == periode)
        else {
            continue;
        };
        match child_readiness(family, child.id, periode) {
            Some(Readiness::Blocked) => {
                let mut why: Vec<&str> = item
                    .raisons
                    .iter()
                    .filter(|r| opens_at(r).is_none() && !matches!(r, Reason::ByDraw { .. }))
                    .map(|r| code_text(r.code()))
                    .collect();
                why.dedup();
                not.push(format!("{} : {}", child.prenom, why.join(" ")));
            }
            _ => may.push(child.prenom.clone()),
        }
    }
    may_text(&may).into_iter().chain(not).collect()
}

/// « Peut s'inscrire : Léa », « Peuvent s'inscrire : Léa et Noé ».
fn may_text(names: &[String]) -> Option<String> {
    match names {
        [] => None,
        [one] => Some(format!("Peut s'inscrire : {one}")),
        [rest @ .., last] => Some(format!(
            "Peuvent s'inscrire : {} et {last}",
            rest.join(", ")
        )),
    }
}

/// When registrations to `periode` open for this household (the residents' earlier
/// opening included), if they had not opened when the server answered.
pub fn household_opening(family: &EligibiliteList, periode: Uuid) -> Option<DateTime<Utc>> {
    family
        .items
        .iter()
        .filter(|i| i.periode_id == periode)
        .flat_map(|i| i.raisons.iter())
        .find_map(opens_at)
}

/// « 3 périodes pour Léa. », « Aucune période n'est ouverte à Léa pour le moment. »
pub fn summary(prenom: &str, shown: usize) -> String {
    match shown {
        0 => format!("Aucune période n'est ouverte à {prenom} pour le moment."),
        1 => format!("1 période pour {prenom}."),
        n => format!("{n} périodes pour {prenom}."),
    }
}

/// The catalogue's filter: the family's eligibilities once signed in, and the choice.
#[derive(Clone, Copy)]
pub struct ByChild {
    /// One signal for both (fewer signal types, a smaller bundle).
    state: RwSignal<(Option<EligibiliteList>, Pour)>,
}

impl ByChild {
    /// Loads the family's eligibilities whenever someone is signed in (and records the
    /// server's clock they carry).
    pub fn new(session: Session) -> Self {
        let by = Self {
            state: RwSignal::new((None, Pour::Tous)),
        };
        Effect::new(move |_| {
            by.state.set((None, Pour::Tous));
            if !session.is_authenticated() {
                return;
            }
            spawn_local(async move {
                let sent = monotonic_ms();
                let answer = api::authed(session).eligibilites().await;
                // A family without a dossier yet (or a refusal) keeps the whole catalogue.
                if let Ok(found) = answer {
                    set_clock(ServerClock::from_exchange(
                        millis(found.maintenant),
                        sent,
                        monotonic_ms(),
                    ));
                    by.state.try_update(|s| s.0 = Some(found));
                }
            });
        });
        by
    }

    /// Whether `periode` is shown (tracked).
    pub fn shows(self, periode: &PeriodeView) -> bool {
        self.state
            .with(|(f, pour)| f.as_ref().is_none_or(|f| shows(f, *pour, periode)))
    }

    /// Who may join `periode`, for « Tous » (tracked).
    pub fn who_view(self, periode: Uuid) -> impl IntoView + use<> {
        let lines = self.state.with(|(f, pour)| match (f, pour) {
            (Some(f), Pour::Tous) => who(f, periode),
            _ => Vec::new(),
        });
        lines
            .into_iter()
            .map(|line| view! { <p class="who">{line}</p> })
            .collect_view()
    }

    /// When `periode` opens for this household.
    pub fn opening(self, periode: &PeriodeView) -> DateTime<Utc> {
        self.state
            .with_untracked(|(f, _)| f.as_ref().and_then(|f| household_opening(f, periode.id)))
            .unwrap_or(periode.ouverture)
    }

    /// Whether a child is chosen (the list may then be empty).
    pub fn for_a_child(self) -> bool {
        self.state.with(|(_, pour)| *pour != Pour::Tous)
    }
}

/// « Pour : Tous mes enfants / Léa / Noé », once the family's children are known, and the
/// number of périodes shown for a child (said when it changes).
#[component]
pub fn PourQui(by: ByChild, catalogue: Loading<ActiviteList>) -> impl IntoView {
    let choose = move |ev: leptos::ev::Event| {
        let index = event_target_value(&ev).parse::<usize>().ok();
        by.state.update(|(f, pour)| {
            // 0: « Tous mes enfants »; n: the n-th child.
            let child = index
                .and_then(|i| i.checked_sub(1))
                .and_then(|i| f.as_ref()?.enfants.get(i))
                .map(|c| c.id);
            *pour = child.map_or(Pour::Tous, Pour::Enfant);
        });
    };
    let status = move || {
        by.state.with(|(f, pour)| {
            let (f, pour) = (f.as_ref()?, *pour);
            let Pour::Enfant(id) = pour else { return None };
            let prenom = &f.enfants.iter().find(|c| c.id == id)?.prenom;
            let shown = catalogue.with(|c| {
                c.as_ref().and_then(|c| c.as_ref().ok()).map_or(0, |list| {
                    list.items
                        .iter()
                        .flat_map(|a| &a.periodes)
                        .filter(|p| shows(f, pour, p))
                        .count()
                })
            });
            Some(summary(prenom, shown))
        })
    };
    let names = move || {
        by.state
            .with(|(f, _)| {
                f.as_ref().map(|f| {
                    f.enfants
                        .iter()
                        .map(|c| c.prenom.clone())
                        .collect::<Vec<_>>()
                })
            })
            .filter(|n| !n.is_empty())
    };
    view! {
        {move || names().map(|names| view! {
            <div class="field pour-qui">
                <label for="pour-qui">"Pour"</label>
                <select id="pour-qui" on:change=choose>
                    <option value="0">"Tous mes enfants"</option>
                    {names.into_iter().enumerate().map(|(i, name)| view! {
                        <option value=(i + 1).to_string()>{name}</option>
                    }).collect_view()}
                </select>
            </div>
        })}
        <p role="status" class="pour-qui-status">{status}</p>
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};
    use shared::api::activites::{Attribution, Eligibilite, EnfantDossier, ModeValidation};

    use super::*;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, 5, h, m, 0)
            .single()
            .expect("instant")
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn periode(n: u128, places: u32, liste: bool) -> PeriodeView {
        let day = NaiveDate::from_ymd_opt(2027, 2, 15).expect("date");
        PeriodeView {
            id: id(n),
            libelle: format!("Semaine {n}"),
            premier_jour: day,
            dernier_jour: day,
            horaires: String::new(),
            capacite: 24,
            places_restantes: places,
            en_liste_attente: 0,
            liste_attente: liste,
            ouverture: at(7, 30),
            ouverture_residents: None,
            fermeture: at(20, 0),
            annulation_jours: 7,
            limite_famille: None,
            mode_validation: ModeValidation::Automatique,
            attribution: Attribution::PremierArrive,
            tirage_le: None,
        }
    }

    /// Léa (7) and Noé (8): période 1 open to both, période 2 opening at 8 h 30 (Paris) to
    /// both, période 3 too young for Noé and missing a pièce.
    fn family() -> EligibiliteList {
        let opening = Reason::NotOpenYet {
            opens_at: at(7, 30),
        };
        let item = |child, periode, raisons| Eligibilite {
            enfant_id: id(child),
            periode_id: id(periode),
            raisons,
        };
        let child = |n, prenom: &str| EnfantDossier {
            id: id(n),
            prenom: prenom.into(),
            nom: "Martin".into(),
            date_naissance: None,
        };
        EligibiliteList {
            maintenant: at(7, 0),
            enfants: vec![child(7, "Léa"), child(8, "Noé")],
            items: vec![
                item(7, 1, vec![]),
                item(8, 1, vec![]),
                item(7, 2, vec![opening.clone()]),
                item(8, 2, vec![opening.clone()]),
                item(7, 3, vec![]),
                item(
                    8,
                    3,
                    vec![
                        Reason::Age {
                            age: 5,
                            min: 6,
                            max: 11,
                        },
                        Reason::MissingPiece {
                            type_code: "assurance".into(),
                        },
                        opening,
                    ],
                ),
            ],
        }
    }

    #[test]
    fn each_pair_is_open_opens_later_or_is_blocked() {
        let family = family();
        assert_eq!(child_readiness(&family, id(7), id(1)), Some(Readiness::Now));
        assert_eq!(
            child_readiness(&family, id(7), id(2)),
            Some(Readiness::Opens(at(7, 30)))
        );
        assert_eq!(
            child_readiness(&family, id(8), id(3)),
            Some(Readiness::Blocked)
        );
        assert_eq!(child_readiness(&family, id(8), id(99)), None);
        assert_eq!(household_opening(&family, id(2)), Some(at(7, 30)));
        assert_eq!(household_opening(&family, id(1)), None);
    }

    #[test]
    fn a_child_sees_only_what_it_may_join_now_or_at_the_opening() {
        let family = family();
        let noe = Pour::Enfant(id(8));
        assert!(shows(&family, noe, &periode(1, 3, false)));
        assert!(shows(&family, noe, &periode(2, 3, false)), "opens later");
        assert!(!shows(&family, noe, &periode(3, 3, false)), "too young");
        assert!(
            !shows(&family, noe, &periode(1, 0, false)),
            "full without a waiting list"
        );
        assert!(shows(&family, noe, &periode(1, 0, true)), "waiting list");
        assert!(!shows(&family, noe, &periode(99, 3, true)), "unknown");
        assert!(shows(&family, Pour::Tous, &periode(3, 0, false)));
    }

    #[test]
    fn a_periode_given_by_draw_is_joined_through_wishes() {
        let mut family = family();
        let by_draw = Reason::ByDraw {
            closes_at: at(20, 0),
        };
        let limit = Reason::FamilyLimit { limit: 1 };
        for (child, raisons) in [(7, vec![by_draw.clone()]), (8, vec![by_draw, limit])] {
            family.items.push(Eligibilite {
                enfant_id: id(child),
                periode_id: id(4),
                raisons,
            });
        }
        assert_eq!(child_readiness(&family, id(7), id(4)), Some(Readiness::Now));
        assert_eq!(
            who(&family, id(4)),
            vec![
                "Peut s'inscrire : Léa".to_string(),
                format!("Noé : {}", code_text("family_limit"))
            ]
        );
    }

    #[test]
    fn everyone_sees_who_may_join_and_briefly_why_not() {
        let family = family();
        assert_eq!(
            who(&family, id(3)),
            vec![
                "Peut s'inscrire : Léa".to_string(),
                "Noé : L'enfant n'a pas l'âge demandé pour cette activité. Une pièce justificative demandée manque ou n'est pas encore validée.".to_string()
            ]
        );
        assert_eq!(
            who(&family, id(2)),
            vec!["Peuvent s'inscrire : Léa et Noé".to_string()]
        );
        assert!(who(&family, id(99)).is_empty());
        assert_eq!(
            may_text(&["A".into(), "B".into(), "C".into()]).as_deref(),
            Some("Peuvent s'inscrire : A, B et C")
        );
        assert_eq!(summary("Léa", 3), "3 périodes pour Léa.");
        assert_eq!(summary("Léa", 1), "1 période pour Léa.");
        assert_eq!(
            summary("Léa", 0),
            "Aucune période n'est ouverte à Léa pour le moment."
        );
    }
}
