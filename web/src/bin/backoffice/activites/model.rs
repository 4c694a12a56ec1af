//! What the agents' activités screens share: the choices of the forms, the form values
//! read into `ActiviteInput` and `PeriodeInput` (Europe/Paris dates and times), the French
//! explanation of their refusals, and a période's status. Pure, tested natively.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::api::activites::{
    ActiviteAgentView, ActiviteInput, Categorie, ModeValidation, PeriodeAgentView, PeriodeInput,
    PeriodeStatut,
};
use shared::error::FieldErrors;
use shared::validation::{codes, field_errors};
use validator::Validate;

use crate::components::field::add_error;
use crate::format::{iso_date, parse_iso_date};
use crate::forms::{NOT_A_NUMBER, SAID};

pub const CATEGORIES: &[(&str, &str)] = &[
    ("periscolaire", "Périscolaire"),
    ("extrascolaire", "Extrascolaire (accueil de loisirs)"),
    ("sport", "Sport"),
    ("sejour", "Séjour"),
    ("restauration", "Restauration scolaire"),
];

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

/// « Brouillon », « Publiée », « Close ».
pub fn periode_statut_label(statut: PeriodeStatut) -> &'static str {
    match statut {
        PeriodeStatut::Brouillon => "Brouillon",
        PeriodeStatut::Publiee => "Publiée",
        PeriodeStatut::Close => "Close",
    }
}

/// The value of an enum as serialised (« sur_validation »).
pub fn code_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(code)) => code,
        _ => String::new(),
    }
}

/// An enum from its serialised value.
pub fn parse_code<T: DeserializeOwned>(code: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(code.to_string())).ok()
}

/// « 05/01/2026 08:30 »: an instant in Europe/Paris time.
pub fn paris_date_time(at: &DateTime<Utc>) -> String {
    shared::paris::local(*at)
        .format("%d/%m/%Y %H:%M")
        .to_string()
}

/// The value a `type=datetime-local` input holds for `at` in Paris time
/// ("YYYY-MM-DDTHH:MM").
pub fn paris_input(at: &DateTime<Utc>) -> String {
    shared::paris::local(*at)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// A `type=datetime-local` value ("YYYY-MM-DDTHH:MM", seconds allowed) read as a Paris
/// wall-clock time, by hand like the dates.
pub fn parse_paris_input(value: &str) -> Option<DateTime<Utc>> {
    let (date, time) = value.trim().split_once('T')?;
    let date = parse_iso_date(date)?;
    let mut parts = time.split(':').map(str::parse::<u32>);
    let (h, m) = (parts.next()?.ok()?, parts.next()?.ok()?);
    let time = chrono::NaiveTime::from_hms_opt(h, m, 0)?;
    Some(shared::paris::to_utc(date.and_time(time)))
}

/// The activité form's values, as typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ActiviteValues {
    pub nom: String,
    pub description: String,
    pub categorie: String,
    pub lieu: String,
    pub age_min: String,
    pub age_max: String,
    pub tarifs: String,
    /// Codes of the types de pièce, comma-separated.
    pub pieces: String,
    /// `"true"` or empty.
    pub publiee: String,
}

impl ActiviteValues {
    /// The form of a new activité, or of `activite`.
    pub fn of(activite: Option<&ActiviteAgentView>) -> Self {
        let Some(a) = activite else {
            return Self {
                categorie: "extrascolaire".into(),
                ..Self::default()
            };
        };
        Self {
            nom: a.nom.clone(),
            description: a.description.clone(),
            categorie: code_of(&a.categorie),
            lieu: a.lieu.clone(),
            age_min: a.age_min.to_string(),
            age_max: a.age_max.to_string(),
            tarifs: a.tarifs.clone(),
            pieces: a
                .pieces_requises
                .iter()
                .map(|p| p.code.as_str())
                .collect::<Vec<_>>()
                .join(","),
            publiee: if a.publiee {
                "true".into()
            } else {
                String::new()
            },
        }
    }

    /// The request, or every problem at once (keyed by the input's field names).
    pub fn input(&self) -> Result<ActiviteInput, FieldErrors> {
        let mut fields = FieldErrors::new();
        let age_min = number::<u8>(&mut fields, "age_min", &self.age_min);
        let age_max = number::<u8>(&mut fields, "age_max", &self.age_max);
        let categorie = parse_code::<Categorie>(&self.categorie);
        if categorie.is_none() {
            add_error(&mut fields, "categorie", codes::REQUIRED);
        }
        let input = ActiviteInput {
            nom: self.nom.trim().to_string(),
            description: self.description.clone(),
            categorie: categorie.unwrap_or(Categorie::Extrascolaire),
            lieu: self.lieu.trim().to_string(),
            age_min: age_min.unwrap_or_default(),
            age_max: age_max.unwrap_or_default(),
            tarifs: self.tarifs.trim().to_string(),
            pieces_requises: self
                .pieces
                .split(',')
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect(),
            publiee: !self.publiee.is_empty(),
        };
        finish(input, fields)
    }
}

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
        };
        finish(input, fields)
    }
}

/// A whole number typed in `name` (`None` and an error when it is not one).
fn number<T: std::str::FromStr>(fields: &mut FieldErrors, name: &str, value: &str) -> Option<T> {
    let parsed = value.trim().parse::<T>().ok();
    if parsed.is_none() {
        add_error(
            fields,
            name,
            if value.trim().is_empty() {
                codes::REQUIRED
            } else {
                NOT_A_NUMBER
            },
        );
    }
    parsed
}

/// A whole number that may be left empty.
fn optional_number(fields: &mut FieldErrors, name: &str, value: &str) -> Option<u32> {
    if value.trim().is_empty() {
        None
    } else {
        number(fields, name, value)
    }
}

/// The shared rules (as the server applies them) on top of what could not be read.
fn finish<T: Validate>(input: T, mut fields: FieldErrors) -> Result<T, FieldErrors> {
    if let Err(errors) = input.validate() {
        for (name, list) in field_errors(&errors) {
            // A value that could not be read is already said once.
            fields.entry(name).or_insert(list);
        }
    }
    if fields.is_empty() {
        Ok(input)
    } else {
        Err(explain(fields))
    }
}

/// The refusals whose generic sentence would mislead (« date de naissance prévue »,
/// « n'est pas valide »), said in the terms of the field.
pub fn explain(mut fields: FieldErrors) -> FieldErrors {
    for (name, list) in fields.iter_mut() {
        for code in list.iter_mut() {
            let sentence = match (name.as_str(), code.as_str()) {
                ("age_max", codes::DATE_OUT_OF_RANGE) => {
                    "L'âge maximum doit être égal ou supérieur à l'âge minimum."
                }
                ("dernier_jour", codes::DATE_OUT_OF_RANGE) => {
                    "Le dernier jour ne peut pas précéder le premier jour."
                }
                ("fermeture", codes::DATE_OUT_OF_RANGE) => {
                    "La fermeture des inscriptions doit suivre leur ouverture."
                }
                ("ouverture_residents", codes::DATE_OUT_OF_RANGE) => {
                    "L'ouverture pour les habitants ne peut pas suivre l'ouverture pour tous."
                }
                ("age_min" | "age_max", "range") => "Saisissez un âge de 0 à 25 ans.",
                ("capacite", "range") => "Saisissez une capacité de 1 à 10 000 places.",
                ("annulation_jours", "range") => "Saisissez un nombre de jours de 0 à 365.",
                ("limite_famille", "range") => {
                    "Saisissez une limite de 1 à 20 enfants, ou laissez vide."
                }
                ("offre_heures", "range") => {
                    "Saisissez un délai de 1 à 720 heures, ou laissez vide."
                }
                ("pieces_requises", "length") => "Cochez 20 types de pièce au plus.",
                (_, "length") => "Ce texte est trop long.",
                _ => continue,
            };
            *code = format!("{SAID}{sentence}");
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .expect("instant")
    }

    #[test]
    fn datetime_local_inputs_are_paris_wall_clock_times() {
        let opening = at(2026, 1, 5, 7, 30);
        assert_eq!(paris_input(&opening), "2026-01-05T08:30");
        assert_eq!(parse_paris_input("2026-01-05T08:30"), Some(opening));
        assert_eq!(
            parse_paris_input("2026-07-01T08:30:00"),
            Some(at(2026, 7, 1, 6, 30))
        );
        assert_eq!(parse_paris_input("2026-01-05"), None);
        assert_eq!(parse_paris_input("2026-01-05T25:00"), None);
        assert_eq!(paris_date_time(&opening), "05/01/2026 08:30");
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
    fn an_activite_round_trips_through_its_form() {
        let values = ActiviteValues {
            nom: "Stage multisports".into(),
            description: "Du sport.".into(),
            lieu: "Gymnase".into(),
            age_min: "6".into(),
            age_max: "11".into(),
            pieces: "assurance,certificat".into(),
            publiee: "true".into(),
            ..ActiviteValues::of(None)
        };
        let input = values.input().expect("valid");
        assert_eq!(input.categorie, Categorie::Extrascolaire);
        assert_eq!(input.pieces_requises, vec!["assurance", "certificat"]);
        let mut wrong = values.clone();
        wrong.age_min = "12".into();
        let fields = wrong.input().expect_err("refused");
        assert_eq!(
            fields["age_max"],
            vec![format!(
                "{SAID}L'âge maximum doit être égal ou supérieur à l'âge minimum."
            )]
        );
        assert_eq!(code_of(&ModeValidation::SurValidation), "sur_validation");
        assert_eq!(
            parse_code::<PeriodeStatut>("close"),
            Some(PeriodeStatut::Close)
        );
    }
}
