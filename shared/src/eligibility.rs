//! Whether a child may be enrolled in a période d'activité (issue 12), shared so that the
//! SPA gives the very reasons the server refuses with. Every reason is reported at once
//! (a family should fix everything in one go), each with a stable code the SPA translates.
//!
//! The facts are gathered by the caller — the server from the database, the SPA from the
//! answers it already holds —; this module only decides.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::submission::age_on;

/// What the période asks of a child.
#[derive(Clone, Debug, PartialEq)]
pub struct PeriodRules {
    pub period_id: Uuid,
    /// First and last day the children attend.
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// Age range (inclusive), as reached on `first_day`.
    pub age_min: u8,
    pub age_max: u8,
    /// Registrations open (for everyone) and close.
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    /// Households living in the town may start earlier.
    pub residents_open_at: Option<DateTime<Utc>>,
    /// How many of a family's children may hold a place (or a request) in the période.
    pub family_limit: Option<u32>,
    /// Codes of the types de pièce that must be validated and valid through `last_day`.
    pub required_pieces: Vec<String>,
    /// *Attribution équitable* before its draw: families rank wishes, nobody enrols.
    pub by_draw: bool,
}

/// A pièce justificative the family provided, as the town decided on it.
#[derive(Clone, Debug, PartialEq)]
pub struct PieceFact {
    pub type_code: String,
    /// The child it is about (`None`: the whole household).
    pub member_id: Option<Uuid>,
    pub validated: bool,
    /// Last day it is valid (`None`: no end).
    pub valid_until: Option<NaiveDate>,
}

/// A current enrolment of the child (not cancelled nor refused).
#[derive(Clone, Debug, PartialEq)]
pub struct CurrentEnrolment {
    pub period_id: Uuid,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
}

/// What is known of the family and the child.
#[derive(Clone, Debug, PartialEq)]
pub struct ChildFacts {
    pub child_id: Uuid,
    /// The child is a member of this family's dossier.
    pub in_family_dossier: bool,
    /// The dossier was validated by the town.
    pub dossier_validated: bool,
    /// The household lives in the town (for the residents' earlier opening).
    pub resident: bool,
    pub birth_date: Option<NaiveDate>,
    pub pieces: Vec<PieceFact>,
    pub enrolments: Vec<CurrentEnrolment>,
    /// The family's current enrolments in this période (all its children).
    pub family_enrolments_in_period: u32,
}

/// Why a child cannot be enrolled.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Reason {
    /// Not a child of this family's dossier.
    NotInDossier,
    /// The dossier is not validated yet.
    DossierNotValidated,
    /// No birth date to check the age with.
    BirthDateUnknown,
    /// Too young or too old on the first day.
    Age { age: i32, min: u8, max: u8 },
    /// No validated piece of this type.
    MissingPiece { type_code: String },
    /// The validated piece ends before the période does.
    ExpiringPiece {
        type_code: String,
        valid_until: NaiveDate,
    },
    /// Registrations open later.
    NotOpenYet { opens_at: DateTime<Utc> },
    /// Registrations are closed.
    Closed,
    /// Already enrolled (or waiting) in this période.
    AlreadyEnrolled,
    /// Enrolled in another période on some of the same days.
    Overlap { period_id: Uuid },
    /// The family holds as many places as the période allows.
    FamilyLimit { limit: u32 },
    /// The places are given by a draw among the wishes ranked until `closes_at`: the
    /// family ranks its wishes (« Mes vœux ») instead of enrolling.
    ByDraw { closes_at: DateTime<Utc> },
}

impl Reason {
    /// The stable code (as serialised).
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotInDossier => "not_in_dossier",
            Self::DossierNotValidated => "dossier_not_validated",
            Self::BirthDateUnknown => "birth_date_unknown",
            Self::Age { .. } => "age",
            Self::MissingPiece { .. } => "missing_piece",
            Self::ExpiringPiece { .. } => "expiring_piece",
            Self::NotOpenYet { .. } => "not_open_yet",
            Self::Closed => "closed",
            Self::AlreadyEnrolled => "already_enrolled",
            Self::Overlap { .. } => "overlap",
            Self::FamilyLimit { .. } => "family_limit",
            Self::ByDraw { .. } => "by_draw",
        }
    }
}

/// When registrations open for this household.
pub fn opening_for(rules: &PeriodRules, resident: bool) -> DateTime<Utc> {
    match rules.residents_open_at {
        Some(early) if resident && early < rules.opens_at => early,
        _ => rules.opens_at,
    }
}

/// Every reason the child cannot be enrolled in the période at `now` (empty: it can).
pub fn reasons(rules: &PeriodRules, child: &ChildFacts, now: DateTime<Utc>) -> Vec<Reason> {
    let mut found = Vec::new();
    if !child.in_family_dossier {
        // Nothing else about a child of another family is anybody's business here.
        return vec![Reason::NotInDossier];
    }
    if !child.dossier_validated {
        found.push(Reason::DossierNotValidated);
    }
    match child.birth_date {
        None => found.push(Reason::BirthDateUnknown),
        Some(birth) => {
            let age = age_on(birth, rules.first_day);
            if age < i32::from(rules.age_min) || age > i32::from(rules.age_max) {
                found.push(Reason::Age {
                    age,
                    min: rules.age_min,
                    max: rules.age_max,
                });
            }
        }
    }
    for type_code in &rules.required_pieces {
        found.extend(piece_reason(type_code, child, rules.last_day));
    }
    let opens_at = opening_for(rules, child.resident);
    if now < opens_at {
        found.push(Reason::NotOpenYet { opens_at });
    } else if now >= rules.closes_at {
        found.push(Reason::Closed);
    }
    if child
        .enrolments
        .iter()
        .any(|e| e.period_id == rules.period_id)
    {
        found.push(Reason::AlreadyEnrolled);
    } else if let Some(other) = child
        .enrolments
        .iter()
        .find(|e| e.first_day <= rules.last_day && rules.first_day <= e.last_day)
    {
        found.push(Reason::Overlap {
            period_id: other.period_id,
        });
    }
    if let Some(limit) = rules.family_limit
        && child.family_enrolments_in_period >= limit
        && !found.contains(&Reason::AlreadyEnrolled)
    {
        found.push(Reason::FamilyLimit { limit });
    }
    if rules.by_draw {
        found.push(Reason::ByDraw {
            closes_at: rules.closes_at,
        });
    }
    found
}

/// Every reason the child cannot rank the période among its wishes at `now` (empty: it
/// can): those of an enrolment, but for the draw itself. The family limit then counts the
/// family's other children wishing for the période.
pub fn wish_reasons(rules: &PeriodRules, child: &ChildFacts, now: DateTime<Utc>) -> Vec<Reason> {
    let mut found = reasons(rules, child, now);
    found.retain(|r| !matches!(r, Reason::ByDraw { .. }));
    found
}

/// The best piece of `type_code` for this child (its own, or the household's): none
/// validated → missing; validated but ending before `last_day` → expiring.
fn piece_reason(type_code: &str, child: &ChildFacts, last_day: NaiveDate) -> Option<Reason> {
    let validated = child.pieces.iter().filter(|p| {
        p.type_code == type_code && p.validated && p.member_id.is_none_or(|m| m == child.child_id)
    });
    // The one valid the longest decides (no end date: valid for good).
    match validated
        .map(|p| p.valid_until.unwrap_or(NaiveDate::MAX))
        .max()
    {
        None => Some(Reason::MissingPiece {
            type_code: type_code.to_string(),
        }),
        Some(valid_until) if valid_until < last_day => Some(Reason::ExpiringPiece {
            type_code: type_code.to_string(),
            valid_until,
        }),
        Some(_) => None,
    }
}

/// The last day (Europe/Paris) a family may give up a place it holds in a période starting
/// on `first_day` that can be cancelled until `days` days before it.
pub fn last_cancellation_day(first_day: NaiveDate, days: u32) -> NaiveDate {
    first_day
        .checked_sub_days(chrono::Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .expect("instant")
    }

    /// « Semaine 1 : du 16 au 20 février 2026 », 6–11 ans, opening 5 January at 8 h 30
    /// (7 h 30 UTC), residents from 8 h 00 (UTC 7 h 00).
    fn rules() -> PeriodRules {
        PeriodRules {
            period_id: Uuid::from_u128(1),
            first_day: day(2026, 2, 16),
            last_day: day(2026, 2, 20),
            age_min: 6,
            age_max: 11,
            opens_at: at(2026, 1, 5, 7, 30),
            closes_at: at(2026, 2, 9, 23, 0),
            residents_open_at: Some(at(2026, 1, 5, 7, 0)),
            family_limit: Some(2),
            required_pieces: vec!["assurance_extrascolaire".into()],
            by_draw: false,
        }
    }

    fn child() -> ChildFacts {
        let id = Uuid::from_u128(7);
        ChildFacts {
            child_id: id,
            in_family_dossier: true,
            dossier_validated: true,
            resident: false,
            birth_date: Some(day(2018, 1, 1)),
            pieces: vec![PieceFact {
                type_code: "assurance_extrascolaire".into(),
                member_id: Some(id),
                validated: true,
                valid_until: Some(day(2026, 8, 31)),
            }],
            enrolments: vec![],
            family_enrolments_in_period: 0,
        }
    }

    const OPEN: (i32, u32, u32, u32, u32) = (2026, 1, 5, 7, 30);

    fn now() -> DateTime<Utc> {
        at(OPEN.0, OPEN.1, OPEN.2, OPEN.3, OPEN.4)
    }

    #[test]
    fn an_eligible_child_has_no_reason() {
        assert_eq!(reasons(&rules(), &child(), now()), vec![]);
    }

    #[test]
    fn every_reason_is_given_at_once() {
        let mut c = child();
        c.dossier_validated = false;
        c.birth_date = Some(day(2021, 3, 1));
        c.pieces[0].valid_until = Some(day(2026, 2, 18));
        c.enrolments.push(CurrentEnrolment {
            period_id: Uuid::from_u128(2),
            first_day: day(2026, 2, 20),
            last_day: day(2026, 2, 27),
        });
        c.family_enrolments_in_period = 2;
        let mut r = rules();
        r.required_pieces.push("certificat_medical".into());
        let found = reasons(&r, &c, at(2026, 1, 5, 7, 29));
        let codes: Vec<&str> = found.iter().map(Reason::code).collect();
        assert_eq!(
            codes,
            [
                "dossier_not_validated",
                "age",
                "expiring_piece",
                "missing_piece",
                "not_open_yet",
                "overlap",
                "family_limit"
            ]
        );
        assert!(found.contains(&Reason::Age {
            age: 4,
            min: 6,
            max: 11
        }));
    }

    #[test]
    fn the_age_is_the_one_reached_on_the_first_day() {
        let mut c = child();
        // 6 on the 16th of February exactly: in; 12 on the 16th: out.
        c.birth_date = Some(day(2020, 2, 16));
        assert_eq!(reasons(&rules(), &c, now()), vec![]);
        c.birth_date = Some(day(2014, 2, 16));
        assert_eq!(reasons(&rules(), &c, now())[0].code(), "age");
        c.birth_date = Some(day(2014, 2, 17));
        assert_eq!(reasons(&rules(), &c, now()), vec![]);
        c.birth_date = None;
        assert_eq!(reasons(&rules(), &c, now())[0].code(), "birth_date_unknown");
    }

    #[test]
    fn pieces_must_be_validated_valid_through_the_last_day_and_about_this_child_or_all() {
        let mut c = child();
        c.pieces[0].validated = false;
        assert_eq!(reasons(&rules(), &c, now())[0].code(), "missing_piece");
        c.pieces[0].validated = true;
        c.pieces[0].member_id = Some(Uuid::from_u128(99));
        assert_eq!(reasons(&rules(), &c, now())[0].code(), "missing_piece");
        c.pieces[0].member_id = None;
        c.pieces[0].valid_until = Some(day(2026, 2, 20));
        assert_eq!(reasons(&rules(), &c, now()), vec![]);
        c.pieces[0].valid_until = None;
        assert_eq!(reasons(&rules(), &c, now()), vec![]);
        // An old expired piece next to a new valid one: the new one counts.
        c.pieces.push(PieceFact {
            valid_until: Some(day(2025, 1, 1)),
            ..c.pieces[0].clone()
        });
        assert_eq!(reasons(&rules(), &c, now()), vec![]);
    }

    #[test]
    fn the_window_opens_earlier_for_residents_and_closes_at_its_instant() {
        let mut c = child();
        let early = at(2026, 1, 5, 7, 0);
        assert_eq!(
            reasons(&rules(), &c, early),
            vec![Reason::NotOpenYet { opens_at: now() }]
        );
        c.resident = true;
        assert_eq!(reasons(&rules(), &c, early), vec![]);
        assert_eq!(
            reasons(&rules(), &c, at(2026, 2, 9, 23, 0)),
            vec![Reason::Closed]
        );
        assert_eq!(reasons(&rules(), &c, at(2026, 2, 9, 22, 59)), vec![]);
    }

    #[test]
    fn enrolled_already_is_not_also_an_overlap_nor_the_family_limit() {
        let mut c = child();
        c.enrolments.push(CurrentEnrolment {
            period_id: Uuid::from_u128(1),
            first_day: day(2026, 2, 16),
            last_day: day(2026, 2, 20),
        });
        c.family_enrolments_in_period = 2;
        assert_eq!(reasons(&rules(), &c, now()), vec![Reason::AlreadyEnrolled]);
    }

    #[test]
    fn adjacent_periods_do_not_overlap() {
        let mut c = child();
        c.enrolments.push(CurrentEnrolment {
            period_id: Uuid::from_u128(3),
            first_day: day(2026, 2, 23),
            last_day: day(2026, 2, 27),
        });
        assert_eq!(reasons(&rules(), &c, now()), vec![]);
    }

    #[test]
    fn a_child_of_another_family_gets_that_reason_only() {
        let mut c = child();
        c.in_family_dossier = false;
        c.dossier_validated = false;
        assert_eq!(reasons(&rules(), &c, now()), vec![Reason::NotInDossier]);
    }

    #[test]
    fn a_period_given_by_draw_takes_wishes_not_enrolments() {
        let rules = PeriodRules {
            by_draw: true,
            ..rules()
        };
        let now = at(2026, 1, 6, 8, 0);
        assert_eq!(
            reasons(&rules, &child(), now),
            vec![Reason::ByDraw {
                closes_at: rules.closes_at
            }]
        );
        assert!(wish_reasons(&rules, &child(), now).is_empty());
        // Wishes keep every other rule: after the close, none.
        let late = at(2026, 2, 10, 8, 0);
        assert_eq!(wish_reasons(&rules, &child(), late), vec![Reason::Closed]);
    }
}
