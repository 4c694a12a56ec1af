//! The période form's values as typed (Europe/Paris dates and times), read into
//! `PeriodeInput` with every problem at once, and the choices it offers — among them how
//! the places are given (*premier arrivé* or *attribution équitable*, issue 13). Pure,
//! tested natively; the form is [`super::periode_form`].

use chrono::NaiveDate;
use shared::api::activites::{
    Attribution, ModeValidation, PeriodeAgentView, PeriodeInput, PeriodeStatut,
};
use shared::error::FieldErrors;
use shared::validation::codes;

use super::model::{
    code_of, finish, number, optional_number, paris_input, parse_code, parse_paris_input,
};
use crate::components::field::add_error;
use crate::format::{iso_date, parse_iso_date};

pub const MODES: &[(&str, &str)] = &[
    (
        "automatique",
        "Automatique : une place libre est confirmée aussitôt",
    ),
    (
        "sur_validation",
        "Sur validation : un agent confirme chaque demande",
    ),
];

pub const STATUTS: &[(&str, &str)] = &[
    ("brouillon", "Brouillon (non visible des familles)"),
    ("publiee", "Publiée (visible dans le catalogue)"),
    (
        "close",
        "Close (retirée du catalogue, inscriptions conservées)",
    ),
];

pub const ATTRIBUTIONS: &[(&str, &str)] = &[
    (
        "premier_arrive",
        "Premier arrivé : chaque demande prend une place libre dès l'ouverture",
    ),
    (
        "equitable",
        "Attribution équitable (vœux puis tirage au sort)",
    ),
];

/// The période form's values, as typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PeriodeValues {
    pub libelle: String,
    /// `type=date` values.
    pub premier_jour: String,
    pub dernier_jour: String,
    pub horaires: String,
    pub capacite: String,
    /// `type=datetime-local` values, Paris time.
    pub ouverture: String,
    pub ouverture_residents: String,
    pub fermeture: String,
    pub annulation_jours: String,
    pub limite_famille: String,
    /// `"true"` or empty.
    pub liste_attente: String,
    pub mode_validation: String,
    pub offre_heures: String,
    pub statut: String,
    /// `premier_arrive` or `equitable`.
    pub attribution: String,
}

impl PeriodeValues {
    /// The form of a new période, or of `periode`.
    pub fn of(periode: Option<&PeriodeAgentView>) -> Self {
        let Some(agent) = periode else {
            return Self {
                annulation_jours: "7".into(),
                liste_attente: "true".into(),
                mode_validation: "automatique".into(),
                statut: "brouillon".into(),
                attribution: "premier_arrive".into(),
                ..Self::default()
            };
        };
        let p = &agent.periode;
        let optional = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
        Self {
            libelle: p.libelle.clone(),
            premier_jour: iso_date(&p.premier_jour),
            dernier_jour: iso_date(&p.dernier_jour),
            horaires: p.horaires.clone(),
            capacite: p.capacite.to_string(),
            ouverture: paris_input(&p.ouverture),
            ouverture_residents: p
                .ouverture_residents
                .as_ref()
                .map(paris_input)
                .unwrap_or_default(),
            fermeture: paris_input(&p.fermeture),
            annulation_jours: p.annulation_jours.to_string(),
            limite_famille: optional(p.limite_famille),
            liste_attente: if p.liste_attente {
                "true".into()
            } else {
                String::new()
            },
            mode_validation: code_of(&p.mode_validation),
            offre_heures: optional(agent.offre_heures),
            statut: code_of(&agent.statut),
            attribution: code_of(&p.attribution),
        }
    }

    /// The request, or every problem at once (keyed by the input's field names).
    pub fn input(&self) -> Result<PeriodeInput, FieldErrors> {
        let mut fields = FieldErrors::new();
        let day = |fields: &mut FieldErrors, name: &str, value: &str| {
            let parsed = parse_iso_date(value);
            if parsed.is_none() {
                add_error(fields, name, codes::REQUIRED);
            }
            parsed.unwrap_or(NaiveDate::MIN)
        };
        let premier_jour = day(&mut fields, "premier_jour", &self.premier_jour);
        let dernier_jour = day(&mut fields, "dernier_jour", &self.dernier_jour);
        let instant = |fields: &mut FieldErrors, name: &str, value: &str| {
            let parsed = parse_paris_input(value);
            if parsed.is_none() {
                add_error(fields, name, codes::REQUIRED);
            }
            parsed.unwrap_or_default()
        };
        let ouverture = instant(&mut fields, "ouverture", &self.ouverture);
        let fermeture = instant(&mut fields, "fermeture", &self.fermeture);
        let ouverture_residents = if self.ouverture_residents.trim().is_empty() {
            None
        } else {
            Some(instant(
                &mut fields,
                "ouverture_residents",
                &self.ouverture_residents,
            ))
        };
        let capacite = number::<u32>(&mut fields, "capacite", &self.capacite);
        let annulation_jours =
            number::<u32>(&mut fields, "annulation_jours", &self.annulation_jours);
        let limite_famille = optional_number(&mut fields, "limite_famille", &self.limite_famille);
        let offre_heures = optional_number(&mut fields, "offre_heures", &self.offre_heures);
        let mode_validation = parse_code::<ModeValidation>(&self.mode_validation);
        let statut = parse_code::<PeriodeStatut>(&self.statut);
        let attribution = parse_code::<Attribution>(&self.attribution);
        if attribution.is_none() {
            add_error(&mut fields, "attribution", codes::REQUIRED);
        }
        if mode_validation.is_none() {
            add_error(&mut fields, "mode_validation", codes::REQUIRED);
        }
        if statut.is_none() {
            add_error(&mut fields, "statut", codes::REQUIRED);
        }
        let input = PeriodeInput {
            libelle: self.libelle.trim().to_string(),
            premier_jour,
            dernier_jour,
            horaires: self.horaires.trim().to_string(),
            capacite: capacite.unwrap_or_default(),
            ouverture,
            ouverture_residents,
            fermeture,
            annulation_jours: annulation_jours.unwrap_or_default(),
            limite_famille,
            liste_attente: !self.liste_attente.is_empty(),
            mode_validation: mode_validation.unwrap_or(ModeValidation::Automatique),
            offre_heures,
            statut: statut.unwrap_or(PeriodeStatut::Brouillon),
            attribution: attribution.unwrap_or_default(),
        };
        finish(input, fields)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeZone, Utc};

    use super::*;
    use crate::forms::{NOT_A_NUMBER, SAID};

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .expect("instant")
    }

    fn periode() -> PeriodeValues {
        PeriodeValues {
            libelle: "Semaine 1".into(),
            premier_jour: "2026-02-16".into(),
            dernier_jour: "2026-02-20".into(),
            horaires: "9 h – 17 h".into(),
            capacite: "24".into(),
            ouverture: "2026-01-05T08:30".into(),
            fermeture: "2026-02-09T23:59".into(),
            ..PeriodeValues::of(None)
        }
    }

    #[test]
    fn a_periode_is_read_in_paris_time() {
        let input = periode().input().expect("valid");
        assert_eq!(input.ouverture, at(2026, 1, 5, 7, 30));
        assert_eq!(input.fermeture, at(2026, 2, 9, 22, 59));
        assert_eq!(input.limite_famille, None);
        assert!(input.liste_attente);
        assert_eq!(input.statut, PeriodeStatut::Brouillon);
    }

    #[test]
    fn every_problem_of_a_periode_is_said_at_once_in_its_fields_terms() {
        let mut values = periode();
        values.capacite = "douze".into();
        values.dernier_jour = "2026-02-10".into();
        values.fermeture = "2026-01-01T08:00".into();
        values.limite_famille = "0".into();
        let fields = values.input().expect_err("refused");
        assert_eq!(fields["capacite"], vec![NOT_A_NUMBER.to_string()]);
        assert_eq!(
            fields["limite_famille"],
            vec![format!(
                "{SAID}Saisissez une limite de 1 à 20 enfants, ou laissez vide."
            )]
        );
        // The struct-level rule names the first field out of order.
        assert_eq!(
            fields["dernier_jour"],
            vec![format!(
                "{SAID}Le dernier jour ne peut pas précéder le premier jour."
            )]
        );
    }

    #[test]
    fn the_attribution_is_first_come_unless_the_agent_chooses_the_draw() {
        let input = periode().input().expect("valid");
        assert_eq!(input.attribution, Attribution::PremierArrive);
        let mut values = periode();
        values.attribution = "equitable".into();
        assert_eq!(
            values.input().expect("valid").attribution,
            Attribution::Equitable
        );
        values.attribution = "au_hasard".into();
        let fields = values.input().expect_err("refused");
        assert_eq!(fields["attribution"], vec![codes::REQUIRED.to_string()]);
    }
}
