//! What the activités screens share (the public catalogue, « Inscrire », « Mes
//! inscriptions », « Mes démarches » and the back office): the French words for a
//! category, an age range, the places left, the registration window and an inscription's
//! status. Pure functions, tested natively.

use chrono::{DateTime, NaiveDate, Utc};
use shared::api::activites::{
    Categorie, InscriptionDetail, InscriptionStatut, InscriptionView, ModeValidation, PeriodeView,
};

use crate::format::{day, paris_when};

/// « Périscolaire », « Séjour »…
pub fn categorie_label(categorie: Categorie) -> &'static str {
    match categorie {
        Categorie::Periscolaire => "Périscolaire",
        Categorie::Extrascolaire => "Extrascolaire",
        Categorie::Sport => "Sport",
        Categorie::Sejour => "Séjour",
        Categorie::Restauration => "Restauration scolaire",
    }
}

/// « 1 an », « 6 ans ».
pub fn years(age: i32) -> String {
    if age.abs() == 1 {
        format!("{age} an")
    } else {
        format!("{age} ans")
    }
}

/// « de 6 à 11 ans », « 3 ans ».
pub fn ages(min: u8, max: u8) -> String {
    if min == max {
        years(i32::from(min))
    } else {
        format!("de {min} à {}", years(i32::from(max)))
    }
}

/// « du 16/02/2026 au 20/02/2026 », « le 16/02/2026 ».
pub fn dates(first: NaiveDate, last: NaiveDate) -> String {
    if first == last {
        format!("le {}", day(&first))
    } else {
        format!("du {} au {}", day(&first), day(&last))
    }
}

/// « 3 places restantes », « Complet — liste d'attente », « Complet ».
pub fn places(periode: &PeriodeView) -> String {
    match (periode.places_restantes, periode.liste_attente) {
        (0, true) => "Complet — liste d'attente".into(),
        (0, false) => "Complet".into(),
        (1, _) => "1 place restante".into(),
        (n, _) => format!("{n} places restantes"),
    }
}

/// Whether a child can still get a place or a spot on the waiting list.
pub fn takes_enrolments(periode: &PeriodeView) -> bool {
    periode.places_restantes > 0 || periode.liste_attente
}

/// Where the registration window stands at `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    /// Opens later (for everyone; residents may start earlier).
    NotOpen,
    Open,
    Closed,
}

/// The window at `now` for a household that does not live in the town.
pub fn window(periode: &PeriodeView, now: DateTime<Utc>) -> Window {
    if now >= periode.fermeture {
        Window::Closed
    } else if now < periode.ouverture {
        Window::NotOpen
    } else {
        Window::Open
    }
}

/// « Ouverture des inscriptions le lundi 5 janvier à 8 h 30 », « Inscriptions ouvertes
/// jusqu'au … », « Inscriptions closes ».
pub fn window_text(periode: &PeriodeView, now: DateTime<Utc>) -> String {
    match window(periode, now) {
        Window::NotOpen => {
            let mut text = format!(
                "Ouverture des inscriptions le {}",
                paris_when(periode.ouverture, now)
            );
            if let Some(early) = periode
                .ouverture_residents
                .filter(|e| *e < periode.ouverture && *e > now)
            {
                text.push_str(&format!(
                    " (habitants de la commune : dès le {})",
                    paris_when(early, now)
                ));
            }
            text
        }
        Window::Open => format!(
            "Inscriptions ouvertes jusqu'au {}",
            paris_when(periode.fermeture, now)
        ),
        Window::Closed => "Inscriptions closes".into(),
    }
}

/// What happens to a new request now: « Confirmée aussitôt », « Sur validation de la
/// mairie », « Liste d'attente ».
pub fn expected_outcome(periode: &PeriodeView) -> String {
    match (periode.places_restantes, periode.mode_validation) {
        (0, _) if periode.liste_attente => match periode.en_liste_attente {
            0 => {
                "Complet : votre enfant sera inscrit sur la liste d'attente, en première position."
                    .into()
            }
            n => format!(
                "Complet : votre enfant sera inscrit sur la liste d'attente, après {n} {}.",
                if n == 1 { "enfant" } else { "enfants" }
            ),
        },
        (0, _) => "Complet : il n'y a plus de place.".into(),
        (_, ModeValidation::Automatique) => {
            "Place disponible : l'inscription sera confirmée aussitôt.".into()
        }
        (_, ModeValidation::SurValidation) => {
            "Une place sera réservée ; la mairie confirmera la demande.".into()
        }
    }
}

/// The result of an enrolment: « Confirmée », « Demande enregistrée — en attente de
/// validation », « Liste d'attente — position 4 ».
pub fn result_text(view: &InscriptionView) -> String {
    match view.statut {
        InscriptionStatut::Confirmee => "Confirmée".into(),
        InscriptionStatut::Demandee => "Demande enregistrée — en attente de validation".into(),
        InscriptionStatut::ListeAttente => match view.position_liste_attente {
            Some(position) => format!("Liste d'attente — position {position}"),
            None => "Liste d'attente".into(),
        },
        InscriptionStatut::PlaceProposee => "Place proposée".into(),
        InscriptionStatut::Annulee => "Annulée".into(),
        InscriptionStatut::Refusee => "Refusée".into(),
    }
}

/// The badge of a status: « Confirmée », « Liste d'attente (position 3) », « Place
/// proposée — à accepter avant le … ».
pub fn statut_label(detail: &InscriptionDetail, now: DateTime<Utc>) -> String {
    statut_text(&detail.inscription, detail.offre_expire_at, now)
}

/// The same from an inscription and the end of its offer (the agents' lists).
pub fn statut_text(
    inscription: &InscriptionView,
    offre_expire_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> String {
    match inscription.statut {
        InscriptionStatut::Confirmee => "Confirmée".into(),
        InscriptionStatut::Demandee => "Demandée".into(),
        InscriptionStatut::ListeAttente => match inscription.position_liste_attente {
            Some(position) => format!("Liste d'attente (position {position})"),
            None => "Liste d'attente".into(),
        },
        InscriptionStatut::PlaceProposee => match offre_expire_at {
            Some(until) => format!(
                "Place proposée — à accepter avant le {}",
                paris_when(until, now)
            ),
            None => "Place proposée".into(),
        },
        InscriptionStatut::Annulee => "Annulée".into(),
        InscriptionStatut::Refusee => "Refusée".into(),
    }
}

/// The colour of a status's badge (`.badge-*` of the stylesheet).
pub fn statut_class(statut: InscriptionStatut) -> &'static str {
    match statut {
        InscriptionStatut::Confirmee => "badge badge-ok",
        InscriptionStatut::Demandee | InscriptionStatut::ListeAttente => "badge badge-waiting",
        InscriptionStatut::PlaceProposee => "badge badge-todo",
        InscriptionStatut::Annulee => "badge badge-draft",
        InscriptionStatut::Refusee => "badge badge-refused",
    }
}

/// Whether the family may cancel it on `today` (Paris): a place (or a request) until the
/// end of `annulable_jusqu_au`, a spot on the waiting list until the first day.
pub fn cancellable(detail: &InscriptionDetail, today: NaiveDate) -> bool {
    match detail.inscription.statut {
        InscriptionStatut::Confirmee | InscriptionStatut::Demandee => {
            today <= detail.annulable_jusqu_au
        }
        InscriptionStatut::ListeAttente => today < detail.premier_jour,
        _ => false,
    }
}

/// Whether it still matters (not cancelled nor refused).
pub fn current(statut: InscriptionStatut) -> bool {
    !matches!(
        statut,
        InscriptionStatut::Annulee | InscriptionStatut::Refusee
    )
}

/// « Mes démarches »: a line on the family's inscriptions, the offers to answer first.
pub fn summary(items: &[InscriptionDetail]) -> String {
    let count = |s: InscriptionStatut| items.iter().filter(|i| i.inscription.statut == s).count();
    let offers = count(InscriptionStatut::PlaceProposee);
    let confirmed = count(InscriptionStatut::Confirmee);
    let requested = count(InscriptionStatut::Demandee);
    let waiting = count(InscriptionStatut::ListeAttente);
    let mut parts = Vec::new();
    if offers > 0 {
        parts.push(plural(
            offers,
            "place proposée à accepter",
            "places proposées à accepter",
        ));
    }
    if confirmed > 0 {
        parts.push(plural(
            confirmed,
            "inscription confirmée",
            "inscriptions confirmées",
        ));
    }
    if requested > 0 {
        parts.push(plural(
            requested,
            "demande en attente de validation",
            "demandes en attente de validation",
        ));
    }
    if waiting > 0 {
        parts.push(plural(
            waiting,
            "enfant en liste d'attente",
            "enfants en liste d'attente",
        ));
    }
    if parts.is_empty() {
        "Aucune inscription en cours.".into()
    } else {
        format!("{}.", parts.join(", "))
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use shared::api::activites::Attribution;
    use uuid::Uuid;

    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .expect("instant")
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    fn periode() -> PeriodeView {
        PeriodeView {
            id: Uuid::from_u128(1),
            libelle: "Semaine 1 : du 16 au 20 février 2026".into(),
            premier_jour: date(2026, 2, 16),
            dernier_jour: date(2026, 2, 20),
            horaires: "Du lundi au vendredi, 9 h – 17 h".into(),
            capacite: 24,
            places_restantes: 3,
            en_liste_attente: 0,
            liste_attente: true,
            ouverture: at(2026, 1, 5, 7, 30),
            ouverture_residents: Some(at(2026, 1, 5, 7, 0)),
            fermeture: at(2026, 2, 9, 22, 59),
            annulation_jours: 7,
            limite_famille: Some(2),
            mode_validation: ModeValidation::Automatique,
            attribution: Attribution::PremierArrive,
            tirage_le: None,
        }
    }

    fn detail(statut: InscriptionStatut) -> InscriptionDetail {
        InscriptionDetail {
            inscription: InscriptionView {
                id: Uuid::from_u128(9),
                periode_id: Uuid::from_u128(1),
                enfant_id: Uuid::from_u128(7),
                statut,
                position_liste_attente: (statut == InscriptionStatut::ListeAttente).then_some(4),
            },
            activite: "Stage multisports".into(),
            periode: "Semaine 1".into(),
            premier_jour: date(2026, 2, 16),
            dernier_jour: date(2026, 2, 20),
            enfant: "Léa Martin".into(),
            offre_expire_at: (statut == InscriptionStatut::PlaceProposee)
                .then(|| at(2026, 2, 2, 11, 0)),
            motif: None,
            annulable_jusqu_au: date(2026, 2, 9),
            par_agent: false,
        }
    }

    #[test]
    fn ages_places_and_dates_in_french() {
        assert_eq!(ages(6, 11), "de 6 à 11 ans");
        assert_eq!(ages(1, 1), "1 an");
        let mut p = periode();
        assert_eq!(places(&p), "3 places restantes");
        p.places_restantes = 1;
        assert_eq!(places(&p), "1 place restante");
        p.places_restantes = 0;
        assert_eq!(places(&p), "Complet — liste d'attente");
        p.liste_attente = false;
        assert_eq!(places(&p), "Complet");
        assert!(!takes_enrolments(&p));
        assert_eq!(
            dates(p.premier_jour, p.dernier_jour),
            "du 16/02/2026 au 20/02/2026"
        );
    }

    #[test]
    fn the_window_is_announced_with_its_day_and_hour_in_paris() {
        let p = periode();
        let before = at(2026, 1, 2, 12, 0);
        assert_eq!(window(&p, before), Window::NotOpen);
        assert_eq!(
            window_text(&p, before),
            "Ouverture des inscriptions le lundi 5 janvier à 8 h 30 (habitants de la commune : dès le lundi 5 janvier à 8 h)"
        );
        let open = at(2026, 1, 5, 7, 30);
        assert_eq!(window(&p, open), Window::Open);
        assert_eq!(
            window_text(&p, open),
            "Inscriptions ouvertes jusqu'au lundi 9 février à 23 h 59"
        );
        assert_eq!(window(&p, at(2026, 2, 9, 22, 59)), Window::Closed);
    }

    #[test]
    fn results_and_statuses_say_the_waiting_position() {
        let waiting = detail(InscriptionStatut::ListeAttente);
        assert_eq!(
            result_text(&waiting.inscription),
            "Liste d'attente — position 4"
        );
        let now = at(2026, 1, 30, 12, 0);
        assert_eq!(statut_label(&waiting, now), "Liste d'attente (position 4)");
        assert_eq!(
            statut_label(&detail(InscriptionStatut::PlaceProposee), now),
            "Place proposée — à accepter avant le lundi 2 février à 12 h"
        );
        assert_eq!(
            result_text(&detail(InscriptionStatut::Demandee).inscription),
            "Demande enregistrée — en attente de validation"
        );
    }

    #[test]
    fn a_place_is_cancelled_until_the_deadline_a_waiting_spot_until_the_first_day() {
        let confirmed = detail(InscriptionStatut::Confirmee);
        assert!(cancellable(&confirmed, date(2026, 2, 9)));
        assert!(!cancellable(&confirmed, date(2026, 2, 10)));
        let waiting = detail(InscriptionStatut::ListeAttente);
        assert!(cancellable(&waiting, date(2026, 2, 15)));
        assert!(!cancellable(&waiting, date(2026, 2, 16)));
        assert!(!cancellable(
            &detail(InscriptionStatut::Annulee),
            date(2026, 1, 1)
        ));
    }

    #[test]
    fn the_summary_puts_offers_first() {
        let items = [
            detail(InscriptionStatut::Confirmee),
            detail(InscriptionStatut::Confirmee),
            detail(InscriptionStatut::PlaceProposee),
            detail(InscriptionStatut::Annulee),
        ];
        assert_eq!(
            summary(&items),
            "1 place proposée à accepter, 2 inscriptions confirmées."
        );
        assert_eq!(summary(&[]), "Aucune inscription en cours.");
    }

    #[test]
    fn what_happens_next_depends_on_places_and_mode() {
        let mut p = periode();
        assert_eq!(
            expected_outcome(&p),
            "Place disponible : l'inscription sera confirmée aussitôt."
        );
        p.places_restantes = 0;
        p.en_liste_attente = 3;
        assert_eq!(
            expected_outcome(&p),
            "Complet : votre enfant sera inscrit sur la liste d'attente, après 3 enfants."
        );
    }
}
