//! *Attribution équitable* (issue 13) in words, for every screen that shows it — the
//! catalogue, « Mes vœux », the public draw page and the back office: where each lives,
//! what a période's window says (« vœux jusqu'au …, puis tirage au sort »), a wish's rank
//! (« 2e vœu »), its public number and what the draw gave it. Pure, tested natively.

use chrono::{DateTime, Utc};
use shared::api::activites::{Attribution, PeriodeView};
use shared::api::voeux::ResultatVoeu;
use uuid::Uuid;

use crate::format::paris_when;

/// « Mes vœux » for an activité. Under `/inscriptions`, the signed-in area
/// (`shared::routes`): a direct load, or a link from the public pages' bundle, gets the
/// full app that has this screen.
pub fn voeux_path(activite_id: Uuid) -> String {
    format!("/inscriptions/voeux/{activite_id}")
}

/// The public page of the draw a période belongs to.
pub fn tirage_path(periode_id: Uuid) -> String {
    format!("/activites/tirage/{periode_id}")
}

/// Whether the période's places are given by a draw among wishes.
pub fn is_equitable(periode: &PeriodeView) -> bool {
    periode.attribution == Attribution::Equitable
}

/// Where the wishes of an équitable période stand at `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Wishes open later.
    Avant,
    /// Families rank their wishes.
    Voeux,
    /// Closed, the draw not run yet.
    Attente,
    /// Drawn on that instant.
    Tire(DateTime<Utc>),
}

/// The phase of an équitable période at `now` (by the server's clock).
pub fn phase(periode: &PeriodeView, now: DateTime<Utc>) -> Phase {
    match periode.tirage_le {
        Some(at) => Phase::Tire(at),
        None if now < periode.ouverture => Phase::Avant,
        None if now < periode.fermeture => Phase::Voeux,
        None => Phase::Attente,
    }
}

/// The window line of an équitable période: « Attribution équitable : vœux jusqu'au lundi
/// 9 février à 23 h 59, puis tirage au sort », « Tirage effectué le … ».
pub fn attribution_text(periode: &PeriodeView, now: DateTime<Utc>) -> String {
    let fermeture = paris_when(periode.fermeture, now);
    match phase(periode, now) {
        Phase::Avant => format!(
            "Attribution équitable : vœux du {} au {fermeture}, puis tirage au sort",
            paris_when(periode.ouverture, now)
        ),
        Phase::Voeux => {
            format!("Attribution équitable : vœux jusqu'au {fermeture}, puis tirage au sort")
        }
        Phase::Attente => {
            format!("Attribution équitable : vœux clos le {fermeture}, tirage au sort à venir")
        }
        Phase::Tire(at) => format!("Tirage effectué le {}", paris_when(at, now)),
    }
}

/// « 1er vœu », « 2e vœu ».
pub fn rang_label(rang: u32) -> String {
    match rang {
        1 => "1er vœu".into(),
        n => format!("{n}e vœu"),
    }
}

/// « 1A2B3C4D »: a wish's number as a family reads it (its first 8 characters).
pub fn short_numero(numero: Uuid) -> String {
    // ASCII only: `to_uppercase` would bring Unicode's case tables into the bundle.
    numero.simple().to_string()[..8].to_ascii_uppercase()
}

/// What the draw gave a wish: « Place attribuée », « Liste d'attente (position 3) »,
/// « Non retenu : … », « Sans objet : place obtenue sur un vœu mieux classé ».
pub fn resultat_text(resultat: ResultatVoeu, position: Option<u32>) -> String {
    match (resultat, position) {
        (ResultatVoeu::Place, _) => "Place attribuée".into(),
        (ResultatVoeu::ListeAttente, Some(n)) => format!("Liste d'attente (position {n})"),
        (ResultatVoeu::ListeAttente, None) => "Liste d'attente".into(),
        (ResultatVoeu::NonRetenu, _) => {
            "Non retenu : pas de place, et pas de liste d'attente".into()
        }
        (ResultatVoeu::SansObjet, _) => "Sans objet : place obtenue sur un vœu mieux classé".into(),
    }
}

/// The colour of a result's badge (`.badge-*` of the stylesheet).
pub fn resultat_class(resultat: ResultatVoeu) -> &'static str {
    match resultat {
        ResultatVoeu::Place => "badge badge-ok",
        ResultatVoeu::ListeAttente => "badge badge-waiting",
        ResultatVoeu::NonRetenu => "badge badge-refused",
        ResultatVoeu::SansObjet => "badge badge-draft",
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};
    use shared::api::activites::ModeValidation;

    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .expect("instant")
    }

    fn periode() -> PeriodeView {
        let day = NaiveDate::from_ymd_opt(2026, 2, 16).expect("date");
        PeriodeView {
            id: Uuid::from_u128(1),
            libelle: "Semaine 1".into(),
            premier_jour: day,
            dernier_jour: day,
            horaires: String::new(),
            capacite: 12,
            places_restantes: 12,
            en_liste_attente: 0,
            liste_attente: true,
            ouverture: at(2026, 1, 5, 7, 30),
            ouverture_residents: None,
            fermeture: at(2026, 1, 19, 22, 59),
            annulation_jours: 7,
            limite_famille: None,
            mode_validation: ModeValidation::Automatique,
            attribution: Attribution::Equitable,
            tirage_le: None,
        }
    }

    #[test]
    fn the_window_says_until_when_wishes_are_ranked_then_when_the_draw_ran() {
        let mut p = periode();
        assert!(is_equitable(&p));
        assert_eq!(
            attribution_text(&p, at(2026, 1, 2, 12, 0)),
            "Attribution équitable : vœux du lundi 5 janvier à 8 h 30 au lundi 19 janvier à 23 h 59, puis tirage au sort"
        );
        assert_eq!(
            attribution_text(&p, at(2026, 1, 6, 12, 0)),
            "Attribution équitable : vœux jusqu'au lundi 19 janvier à 23 h 59, puis tirage au sort"
        );
        let closed = at(2026, 1, 19, 22, 59);
        assert_eq!(phase(&p, closed), Phase::Attente);
        p.tirage_le = Some(at(2026, 1, 19, 23, 0));
        assert_eq!(
            attribution_text(&p, closed),
            "Tirage effectué le mardi 20 janvier à 0 h"
        );
        p.attribution = Attribution::PremierArrive;
        assert!(!is_equitable(&p));
    }

    #[test]
    fn ranks_numbers_and_results_in_french() {
        assert_eq!(rang_label(1), "1er vœu");
        assert_eq!(rang_label(2), "2e vœu");
        let numero = Uuid::parse_str("1a2b3c4d-0000-4000-8000-000000000000").expect("uuid");
        assert_eq!(short_numero(numero), "1A2B3C4D");
        assert_eq!(
            resultat_text(ResultatVoeu::ListeAttente, Some(3)),
            "Liste d'attente (position 3)"
        );
        assert_eq!(resultat_text(ResultatVoeu::Place, None), "Place attribuée");
        assert_eq!(
            resultat_text(ResultatVoeu::SansObjet, None),
            "Sans objet : place obtenue sur un vœu mieux classé"
        );
        assert_eq!(
            tirage_path(Uuid::from_u128(1)),
            "/activites/tirage/00000000-0000-0000-0000-000000000001"
        );
    }
}
