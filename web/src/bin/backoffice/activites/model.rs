//! What the agents' activités screens share: the activité form's choices and values read
//! into `ActiviteInput`, how numbers and Europe/Paris dates and times are read (the période
//! form's values are in [`super::periode_values`]), the French explanation of their
//! refusals, and a période's status. Pure, tested natively.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use shared::api::activites::{ActiviteAgentView, ActiviteInput, Categorie, PeriodeStatut};
use shared::error::FieldErrors;
use shared::validation::{codes, field_errors};
use validator::Validate;

use crate::components::field::add_error;
use crate::format::parse_iso_date;
use crate::forms::{NOT_A_NUMBER, SAID};

pub const CATEGORIES: &[(&str, &str)] = &[
    ("periscolaire", "Périscolaire"),
    ("extrascolaire", "Extrascolaire (accueil de loisirs)"),
    ("sport", "Sport"),
    ("sejour", "Séjour"),
    ("restauration", "Restauration scolaire"),
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

/// A whole number typed in `name` (`None` and an error when it is not one).
pub(super) fn number<T: std::str::FromStr>(
    fields: &mut FieldErrors,
    name: &str,
    value: &str,
) -> Option<T> {
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
pub(super) fn optional_number(fields: &mut FieldErrors, name: &str, value: &str) -> Option<u32> {
    if value.trim().is_empty() {
        None
    } else {
        number(fields, name, value)
    }
}

/// The shared rules (as the server applies them) on top of what could not be read.
pub(super) fn finish<T: Validate>(input: T, mut fields: FieldErrors) -> Result<T, FieldErrors> {
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
    use shared::api::activites::ModeValidation;

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
