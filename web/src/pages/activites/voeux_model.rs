//! The model of « Mes vœux »: one activité's *équitable* périodes, the family's children
//! with the server's reasons for each période, and the wishes the server holds; which
//! périodes a child may still add (the server's reasons but `by_draw`, as
//! `shared::eligibility::wish_reasons` decides), and which it may not and why (a refused
//! `PUT /api/voeux` is said by [`super::voeux_refusal`]). Pure, tested natively; the
//! views are in [`super::voeux`] and [`super::voeux_child`].

use chrono::{DateTime, Utc};
use shared::api::activites::{
    ActiviteList, ActiviteView, EligibiliteList, EnfantDossier, PeriodeView,
};
use shared::api::voeux::{VoeuView, VoeuxList};
use shared::eligibility::Reason;
use uuid::Uuid;

use crate::pages::activites::attribution::{Phase, is_equitable, phase};
use crate::pages::activites::ranking::Ranking;
use crate::pages::activites::reasons::{ReasonContext, reason_text};

/// What « Mes vœux » shows for one activité.
#[derive(Clone, Debug, PartialEq)]
pub struct VoeuxOffer {
    /// The activité, with its équitable périodes only (at least one).
    pub activite: ActiviteView,
    /// The whole catalogue (a reason may name another activité's période).
    pub catalogue: Vec<ActiviteView>,
    /// The children, the server's reasons and its clock.
    pub eligibilites: EligibiliteList,
    /// The family's wishes for this activité.
    pub voeux: VoeuxList,
}

impl VoeuxOffer {
    /// The offer for `activite_id`, if it is published with équitable périodes.
    pub fn new(
        catalogue: ActiviteList,
        activite_id: Uuid,
        eligibilites: EligibiliteList,
        mut voeux: VoeuxList,
    ) -> Option<Self> {
        let mut activite = catalogue
            .items
            .iter()
            .find(|a| a.id == activite_id)?
            .clone();
        activite.periodes.retain(is_equitable);
        if activite.periodes.is_empty() {
            return None;
        }
        voeux.items.retain(|v| v.activite_id == activite_id);
        Some(Self {
            activite,
            catalogue: catalogue.items,
            eligibilites,
            voeux,
        })
    }

    /// The server's time when it answered.
    pub fn now(&self) -> DateTime<Utc> {
        self.eligibilites.maintenant
    }

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

    pub fn periode(&self, id: Uuid) -> Option<&PeriodeView> {
        self.activite.periodes.iter().find(|p| p.id == id)
    }

    /// Where the wishes stand. The équitable périodes of an activité close, and are drawn,
    /// together: the first one says it for all.
    pub fn phase(&self) -> Phase {
        self.activite
            .periodes
            .first()
            .map_or(Phase::Attente, |p| phase(p, self.now()))
    }

    /// Whether the family may change its wishes now.
    pub fn editable(&self) -> bool {
        self.phase() == Phase::Voeux
    }

    /// The wishes the server holds for a child, best first (as it sends them: sorting
    /// here would bring a sort into the bundle for nothing).
    pub fn saved(&self, child: Uuid) -> Vec<VoeuView> {
        self.voeux
            .items
            .iter()
            .filter(|v| v.enfant_id == child)
            .flat_map(|v| v.voeux.iter().cloned())
            .collect()
    }

    /// Why the child may not wish for the période (empty: it may; `None`: the server said
    /// nothing of it, e.g. a période published since the page was loaded).
    pub fn wish_reasons(&self, child: Uuid, periode: Uuid) -> Option<Vec<Reason>> {
        self.eligibilites
            .items
            .iter()
            .find(|e| e.enfant_id == child && e.periode_id == periode)
            .map(|e| {
                e.raisons
                    .iter()
                    .filter(|r| !matches!(r, Reason::ByDraw { .. }))
                    .cloned()
                    .collect()
            })
    }

    /// The périodes the child may still add, in the catalogue's order.
    ///
    /// A child's list belongs to one draw: the périodes that close (and are drawn) with
    /// the first wish's, if any (`PUT /api/voeux` refuses a list across draws).
    pub fn addable(&self, child: Uuid, ranking: &Ranking) -> Vec<&PeriodeView> {
        let draw = ranking
            .ids()
            .first()
            .and_then(|p| self.periode(*p))
            .map(|p| p.fermeture);
        self.activite
            .periodes
            .iter()
            .filter(|p| !ranking.contains(p.id))
            .filter(|p| draw.is_none_or(|closes| p.fermeture == closes))
            .filter(|p| self.wish_reasons(child, p.id).is_some_and(|r| r.is_empty()))
            .collect()
    }

    /// The périodes the child may not wish for, each with its reasons in French.
    pub fn blocked(&self, child: Uuid, ranking: &Ranking) -> Vec<(String, Vec<String>)> {
        let prenom = self.prenom(child);
        self.activite
            .periodes
            .iter()
            .filter(|p| !ranking.contains(p.id))
            .filter_map(|p| {
                let reasons = self.wish_reasons(child, p.id)?;
                (!reasons.is_empty()).then(|| {
                    let ctx = self.context(&prenom, p);
                    let said = reasons.iter().map(|r| reason_text(r, &ctx)).collect();
                    (p.libelle.clone(), said)
                })
            })
            .collect()
    }

    pub(super) fn context<'a>(
        &'a self,
        prenom: &'a str,
        periode: &'a PeriodeView,
    ) -> ReasonContext<'a> {
        ReasonContext {
            prenom,
            periode,
            activite: &self.activite,
            catalogue: &self.catalogue,
            now: self.now(),
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use chrono::{NaiveDate, TimeZone};
    use shared::api::activites::{Attribution, Categorie, Eligibilite, ModeValidation};
    use shared::api::voeux::VoeuxEnfant;

    use super::*;

    pub(in crate::pages::activites) fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, d, h, 0, 0)
            .single()
            .expect("instant")
    }

    pub(in crate::pages::activites) fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn periode(n: u128, attribution: Attribution) -> PeriodeView {
        let day = NaiveDate::from_ymd_opt(2026, 2, 16).expect("date");
        PeriodeView {
            id: id(n),
            libelle: format!("Semaine {n}"),
            premier_jour: day,
            dernier_jour: day,
            horaires: String::new(),
            capacite: 12,
            places_restantes: 12,
            en_liste_attente: 0,
            liste_attente: true,
            ouverture: at(5, 7),
            ouverture_residents: None,
            fermeture: at(19, 22),
            annulation_jours: 7,
            limite_famille: None,
            mode_validation: ModeValidation::Automatique,
            attribution,
            tirage_le: None,
        }
    }

    /// Activité 10: équitable périodes 1, 2, 3 and a first-come période 4. Léa (7) may
    /// wish for all; Noé (8) is too old for période 3.
    pub(in crate::pages::activites) fn offer(now: DateTime<Utc>) -> VoeuxOffer {
        let by_draw = Reason::ByDraw {
            closes_at: at(19, 22),
        };
        let mut items = Vec::new();
        for child in [7, 8] {
            for p in [1, 2, 3] {
                let mut raisons = vec![by_draw.clone()];
                if child == 8 && p == 3 {
                    raisons.push(Reason::Age {
                        age: 12,
                        min: 6,
                        max: 11,
                    });
                }
                items.push(Eligibilite {
                    enfant_id: id(child),
                    periode_id: id(p),
                    raisons,
                });
            }
        }
        let child = |n, prenom: &str| EnfantDossier {
            id: id(n),
            prenom: prenom.into(),
            nom: "Martin".into(),
            date_naissance: None,
        };
        let activite = ActiviteView {
            id: id(10),
            nom: "Séjour à la neige".into(),
            description: String::new(),
            categorie: Categorie::Sejour,
            lieu: String::new(),
            age_min: 6,
            age_max: 11,
            tarifs: String::new(),
            pieces_requises: vec![],
            periodes: vec![
                periode(1, Attribution::Equitable),
                periode(2, Attribution::Equitable),
                periode(3, Attribution::Equitable),
                periode(4, Attribution::PremierArrive),
            ],
        };
        let voeu = |p, rang| VoeuView {
            numero: id(100 + p),
            periode_id: id(p),
            rang,
            resultat: None,
            position: None,
        };
        VoeuxOffer::new(
            ActiviteList {
                items: vec![activite],
            },
            id(10),
            EligibiliteList {
                maintenant: now,
                enfants: vec![child(7, "Léa"), child(8, "Noé")],
                items,
            },
            VoeuxList {
                items: vec![
                    VoeuxEnfant {
                        activite_id: id(10),
                        enfant_id: id(7),
                        voeux: vec![voeu(1, 1), voeu(2, 2)],
                    },
                    VoeuxEnfant {
                        activite_id: id(99),
                        enfant_id: id(7),
                        voeux: vec![voeu(50, 1)],
                    },
                ],
            },
        )
        .expect("an équitable activité")
    }

    #[test]
    fn only_the_equitable_periodes_and_this_activites_wishes_best_first() {
        let open = offer(at(6, 12));
        assert_eq!(open.activite.periodes.len(), 3);
        let saved: Vec<u32> = open.saved(id(7)).iter().map(|v| v.rang).collect();
        assert_eq!(saved, vec![1, 2]);
        assert_eq!(open.saved(id(7))[0].periode_id, id(1));
        assert!(open.saved(id(8)).is_empty());
        assert!(open.editable());
        assert!(!offer(at(20, 0)).editable(), "closed");
        assert!(!offer(at(4, 0)).editable(), "not open yet");
    }

    #[test]
    fn a_child_may_add_what_it_may_wish_for_and_reads_why_not_the_others() {
        let offer = offer(at(6, 12));
        let ranking = Ranking::new([id(1)]);
        let addable: Vec<Uuid> = offer
            .addable(id(7), &ranking)
            .iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(
            addable,
            vec![id(2), id(3)],
            "by_draw alone does not keep it out"
        );
        let addable: Vec<Uuid> = offer
            .addable(id(8), &ranking)
            .iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(addable, vec![id(2)]);
        let blocked = offer.blocked(id(8), &ranking);
        assert_eq!(blocked.len(), 1);
        assert_eq!(blocked[0].0, "Semaine 3");
        assert_eq!(
            blocked[0].1,
            vec!["Noé aura 12 ans le 16 février ; l'activité est pour les 6 à 11 ans.".to_string()]
        );
        assert!(offer.blocked(id(7), &ranking).is_empty());
    }
}
