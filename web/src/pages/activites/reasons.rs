//! Why a child cannot be enrolled, in French: one sentence per `shared::eligibility::Reason`,
//! with what the family can do about it (a link to add a pièce, to « Mes démarches »).
//! The server refuses with the very same reasons (`POST /api/inscriptions` answers their
//! codes as field `_`), so [`code_text`] says those when no detail is at hand.

use chrono::{DateTime, Utc};
use shared::api::activites::{ActiviteView, PeriodeView};
use shared::eligibility::Reason;
use uuid::Uuid;

use crate::format::{day, day_month, paris_when};
use crate::pages::activites::model::{ages, years};

/// What a reason's sentence needs to name things.
pub struct ReasonContext<'a> {
    /// The child's first name.
    pub prenom: &'a str,
    /// The période asked for.
    pub periode: &'a PeriodeView,
    /// The activité it belongs to (age range, required pièces).
    pub activite: &'a ActiviteView,
    /// Every published activité, to name an overlapping période.
    pub catalogue: &'a [ActiviteView],
    /// The server's clock (the year is said only when it is not this one).
    pub now: DateTime<Utc>,
}

impl ReasonContext<'_> {
    fn this_year(&self) -> i32 {
        use chrono::Datelike;
        shared::paris::local(self.now).year()
    }

    /// « Attestation d'assurance extrascolaire », from the catalogue's libellés.
    fn piece_label(&self, code: &str) -> String {
        std::iter::once(self.activite)
            .chain(self.catalogue.iter())
            .flat_map(|a| a.pieces_requises.iter())
            .find(|p| p.code == code)
            .map_or_else(|| code.replace('_', " "), |p| p.libelle.clone())
    }

    /// « Stage multisports — Semaine 2 », when that période is published.
    fn periode_label(&self, id: Uuid) -> Option<String> {
        self.catalogue.iter().find_map(|a| {
            a.periodes
                .iter()
                .find(|p| p.id == id)
                .map(|p| format!("{} — {}", a.nom, p.libelle))
        })
    }
}

/// The sentence for one reason.
pub fn reason_text(reason: &Reason, ctx: &ReasonContext<'_>) -> String {
    let prenom = ctx.prenom;
    match reason {
        Reason::NotInDossier => {
            format!("{prenom} ne fait pas partie de votre dossier famille.")
        }
        Reason::DossierNotValidated => {
            "Votre dossier famille n'est pas encore validé par la mairie.".into()
        }
        Reason::BirthDateUnknown => format!(
            "La date de naissance de {prenom} manque à votre dossier : demandez à la mairie de la compléter."
        ),
        Reason::Age { age, min, max } => format!(
            "{prenom} aura {} le {} ; l'activité est pour les {}.",
            years(*age),
            day_month(ctx.periode.premier_jour, ctx.this_year()),
            ages(*min, *max).trim_start_matches("de ")
        ),
        Reason::MissingPiece { type_code } => format!(
            "Pièce manquante : {} (validée par la mairie).",
            ctx.piece_label(type_code)
        ),
        Reason::ExpiringPiece {
            type_code,
            valid_until,
        } => format!(
            "{} : valable jusqu'au {} seulement, la période finit le {}. Ajoutez un justificatif à jour.",
            ctx.piece_label(type_code),
            day(valid_until),
            day(&ctx.periode.dernier_jour)
        ),
        Reason::NotOpenYet { opens_at } => format!(
            "Les inscriptions ouvrent le {}.",
            paris_when(*opens_at, ctx.now)
        ),
        Reason::Closed => format!(
            "Les inscriptions sont closes depuis le {}.",
            paris_when(ctx.periode.fermeture, ctx.now)
        ),
        Reason::AlreadyEnrolled => {
            format!("{prenom} a déjà une inscription à cette période (voir « Mes inscriptions »).")
        }
        Reason::Overlap { period_id } => match ctx.periode_label(*period_id) {
            Some(other) => format!(
                "{prenom} a déjà une inscription sur une partie des mêmes jours : « {other} »."
            ),
            None => format!(
                "{prenom} a déjà une inscription à une autre période sur une partie des mêmes jours."
            ),
        },
        Reason::FamilyLimit { limit } => format!(
            "Votre famille a atteint la limite de cette période : {}.",
            match limit {
                1 => "1 enfant par famille".to_string(),
                n => format!("{n} enfants par famille"),
            }
        ),
        Reason::ByDraw { closes_at } => format!(
            "Les places de cette période sont attribuées par tirage au sort : classez vos vœux avant le {}.",
            paris_when(*closes_at, ctx.now)
        ),
    }
}

/// Where a family fixes what a reason says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Remedy {
    /// Add or renew a pièce justificative in the dossier.
    Pieces,
    /// The dossier and its requests (« Mes démarches »).
    Demarches,
    /// « Mes inscriptions ».
    Inscriptions,
    /// « Mes vœux » for the période's activité (*attribution équitable*).
    Voeux,
}

/// The link that goes with a reason, if the family can act on it: (text, where).
pub fn remedy(reason: &Reason) -> Option<(&'static str, Remedy)> {
    match reason {
        Reason::MissingPiece { .. } => Some(("Ajouter ce justificatif", Remedy::Pieces)),
        Reason::ExpiringPiece { .. } => Some(("Ajouter un justificatif à jour", Remedy::Pieces)),
        Reason::DossierNotValidated => {
            Some(("Voir mon dossier dans « Mes démarches »", Remedy::Demarches))
        }
        Reason::AlreadyEnrolled | Reason::Overlap { .. } => {
            Some(("Voir mes inscriptions", Remedy::Inscriptions))
        }
        Reason::ByDraw { .. } => Some(("Classer mes vœux", Remedy::Voeux)),
        _ => None,
    }
}

/// The sentence for a reason known only by its code (a refusal of the server).
pub fn code_text(code: &str) -> &'static str {
    match code {
        "not_in_dossier" => "Cet enfant ne fait pas partie de votre dossier famille.",
        "dossier_not_validated" => "Votre dossier famille n'est pas encore validé par la mairie.",
        "birth_date_unknown" => "La date de naissance de l'enfant manque à votre dossier.",
        "age" => "L'enfant n'a pas l'âge demandé pour cette activité.",
        "missing_piece" => "Une pièce justificative demandée manque ou n'est pas encore validée.",
        "expiring_piece" => "Une pièce justificative ne sera plus valable pendant la période.",
        "not_open_yet" => "Les inscriptions ne sont pas encore ouvertes.",
        "closed" => "Les inscriptions sont closes.",
        "already_enrolled" => "L'enfant a déjà une inscription à cette période.",
        "overlap" => "L'enfant a déjà une inscription sur une partie des mêmes jours.",
        "family_limit" => "Votre famille a atteint le nombre d'enfants permis pour cette période.",
        "by_draw" => {
            "Les places de cette période sont attribuées par tirage au sort : classez vos vœux."
        }
        _ => "L'enfant ne peut pas être inscrit à cette période.",
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};
    use shared::api::activites::{Attribution, Categorie, ModeValidation, PieceRequise};

    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .expect("instant")
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    fn periode(id: u128, libelle: &str) -> PeriodeView {
        PeriodeView {
            id: Uuid::from_u128(id),
            libelle: libelle.into(),
            premier_jour: date(2026, 2, 16),
            dernier_jour: date(2026, 2, 20),
            horaires: "9 h – 17 h".into(),
            capacite: 24,
            places_restantes: 3,
            en_liste_attente: 0,
            liste_attente: true,
            ouverture: at(2026, 1, 5, 7, 30),
            ouverture_residents: None,
            fermeture: at(2026, 2, 9, 22, 59),
            annulation_jours: 7,
            limite_famille: Some(2),
            mode_validation: ModeValidation::Automatique,
            attribution: Attribution::PremierArrive,
            tirage_le: None,
        }
    }

    fn activite() -> ActiviteView {
        ActiviteView {
            id: Uuid::from_u128(10),
            nom: "Stage multisports".into(),
            description: String::new(),
            categorie: Categorie::Sport,
            lieu: "Gymnase".into(),
            age_min: 6,
            age_max: 11,
            tarifs: String::new(),
            pieces_requises: vec![PieceRequise {
                code: "assurance_extrascolaire".into(),
                libelle: "Attestation d'assurance extrascolaire".into(),
            }],
            periodes: vec![periode(1, "Semaine 1"), periode(2, "Semaine 2")],
        }
    }

    fn say(reason: Reason) -> String {
        let activite = activite();
        let catalogue = vec![activite.clone()];
        let ctx = ReasonContext {
            prenom: "Léa",
            periode: &activite.periodes[0],
            activite: &activite,
            catalogue: &catalogue,
            now: at(2026, 1, 2, 9, 0),
        };
        reason_text(&reason, &ctx)
    }

    #[test]
    fn the_age_names_the_child_the_first_day_and_the_range() {
        assert_eq!(
            say(Reason::Age {
                age: 12,
                min: 6,
                max: 11
            }),
            "Léa aura 12 ans le 16 février ; l'activité est pour les 6 à 11 ans."
        );
    }

    #[test]
    fn the_opening_is_said_in_paris_time() {
        assert_eq!(
            say(Reason::NotOpenYet {
                opens_at: at(2026, 1, 5, 7, 30)
            }),
            "Les inscriptions ouvrent le lundi 5 janvier à 8 h 30."
        );
        assert_eq!(
            say(Reason::Closed),
            "Les inscriptions sont closes depuis le lundi 9 février à 23 h 59."
        );
    }

    #[test]
    fn pieces_are_named_by_their_libelle_with_a_link_to_add_one() {
        let missing = Reason::MissingPiece {
            type_code: "assurance_extrascolaire".into(),
        };
        assert_eq!(
            say(missing.clone()),
            "Pièce manquante : Attestation d'assurance extrascolaire (validée par la mairie)."
        );
        assert_eq!(remedy(&missing).map(|r| r.1), Some(Remedy::Pieces));
        let expiring = Reason::ExpiringPiece {
            type_code: "assurance_extrascolaire".into(),
            valid_until: date(2026, 2, 18),
        };
        assert_eq!(
            say(expiring.clone()),
            "Attestation d'assurance extrascolaire : valable jusqu'au 18/02/2026 seulement, la période finit le 20/02/2026. Ajoutez un justificatif à jour."
        );
        assert_eq!(remedy(&expiring).map(|r| r.1), Some(Remedy::Pieces));
    }

    #[test]
    fn an_overlap_names_the_other_periode_and_the_limit_its_number() {
        assert_eq!(
            say(Reason::Overlap {
                period_id: Uuid::from_u128(2)
            }),
            "Léa a déjà une inscription sur une partie des mêmes jours : « Stage multisports — Semaine 2 »."
        );
        assert_eq!(
            say(Reason::Overlap {
                period_id: Uuid::from_u128(99)
            }),
            "Léa a déjà une inscription à une autre période sur une partie des mêmes jours."
        );
        assert_eq!(
            say(Reason::FamilyLimit { limit: 2 }),
            "Votre famille a atteint la limite de cette période : 2 enfants par famille."
        );
    }

    #[test]
    fn a_draw_says_until_when_wishes_are_ranked_and_links_to_them() {
        let by_draw = Reason::ByDraw {
            closes_at: at(2026, 2, 9, 22, 59),
        };
        assert_eq!(
            say(by_draw.clone()),
            "Les places de cette période sont attribuées par tirage au sort : classez vos vœux avant le lundi 9 février à 23 h 59."
        );
        assert_eq!(remedy(&by_draw), Some(("Classer mes vœux", Remedy::Voeux)));
    }

    #[test]
    fn every_reason_has_its_own_sentence_and_every_code_too() {
        let all = [
            Reason::NotInDossier,
            Reason::DossierNotValidated,
            Reason::BirthDateUnknown,
            Reason::Age {
                age: 4,
                min: 6,
                max: 11,
            },
            Reason::MissingPiece {
                type_code: "x".into(),
            },
            Reason::ExpiringPiece {
                type_code: "x".into(),
                valid_until: date(2026, 1, 1),
            },
            Reason::NotOpenYet {
                opens_at: at(2026, 1, 5, 7, 30),
            },
            Reason::Closed,
            Reason::AlreadyEnrolled,
            Reason::Overlap {
                period_id: Uuid::from_u128(2),
            },
            Reason::FamilyLimit { limit: 1 },
            Reason::ByDraw {
                closes_at: at(2026, 2, 9, 22, 59),
            },
        ];
        let fallback = code_text("no_such_code");
        let mut sentences: Vec<String> = all.iter().map(|r| say(r.clone())).collect();
        sentences.sort();
        sentences.dedup();
        assert_eq!(sentences.len(), all.len());
        for reason in &all {
            assert_ne!(code_text(reason.code()), fallback, "{}", reason.code());
        }
        assert_eq!(
            say(Reason::DossierNotValidated),
            "Votre dossier famille n'est pas encore validé par la mairie."
        );
    }
}
