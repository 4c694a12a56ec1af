//! Answers read through flatter shapes than the contract's own `Deserialize`, for the size
//! of the bundles: `shared::eligibility::Reason` is an internally tagged enum, whose derived
//! decoder buffers every value (serde's `Content`) — 15.7 KB of WASM before `wasm-opt` in
//! the full app, and 11 KB gzipped in the public pages' bundle, where it was the only one.
//! A [`ReasonWire`] holds every field any reason has, as options, and becomes a `Reason`
//! once its `code` says which. The tests check, variant by variant, that these read what
//! the server writes (a new variant does not compile until it is handled here).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use shared::api::activites::{Eligibilite, EligibiliteList, EnfantDossier};
use shared::eligibility::Reason;
use uuid::Uuid;

use super::{ApiError, Authed};

/// A `Reason` as written: its code and whichever fields it has.
#[derive(Deserialize)]
pub(super) struct ReasonWire {
    code: String,
    age: Option<i32>,
    min: Option<u8>,
    max: Option<u8>,
    type_code: Option<String>,
    valid_until: Option<NaiveDate>,
    opens_at: Option<DateTime<Utc>>,
    period_id: Option<Uuid>,
    limit: Option<u32>,
    closes_at: Option<DateTime<Utc>>,
}

impl ReasonWire {
    /// The reason, if its code is known and its fields are there.
    fn reason(self) -> Option<Reason> {
        Some(match self.code.as_str() {
            "not_in_dossier" => Reason::NotInDossier,
            "dossier_not_validated" => Reason::DossierNotValidated,
            "birth_date_unknown" => Reason::BirthDateUnknown,
            "age" => Reason::Age {
                age: self.age?,
                min: self.min?,
                max: self.max?,
            },
            "missing_piece" => Reason::MissingPiece {
                type_code: self.type_code?,
            },
            "expiring_piece" => Reason::ExpiringPiece {
                type_code: self.type_code?,
                valid_until: self.valid_until?,
            },
            "not_open_yet" => Reason::NotOpenYet {
                opens_at: self.opens_at?,
            },
            "closed" => Reason::Closed,
            "already_enrolled" => Reason::AlreadyEnrolled,
            "overlap" => Reason::Overlap {
                period_id: self.period_id?,
            },
            "family_limit" => Reason::FamilyLimit { limit: self.limit? },
            "by_draw" => Reason::ByDraw {
                closes_at: self.closes_at?,
            },
            _ => return None,
        })
    }
}

/// Every reason, or `None` if one is unreadable.
pub(super) fn reasons(wire: Vec<ReasonWire>) -> Option<Vec<Reason>> {
    wire.into_iter().map(ReasonWire::reason).collect()
}

/// `shared::api::activites::Eligibilite` as written.
#[derive(Deserialize)]
struct EligibiliteWire {
    enfant_id: Uuid,
    periode_id: Uuid,
    raisons: Vec<ReasonWire>,
}

/// `shared::api::activites::EligibiliteList` as written.
#[derive(Deserialize)]
struct EligibiliteListWire {
    maintenant: DateTime<Utc>,
    enfants: Vec<EnfantDossier>,
    items: Vec<EligibiliteWire>,
}

impl EligibiliteListWire {
    fn list(self) -> Option<EligibiliteList> {
        let items = self
            .items
            .into_iter()
            .map(|i| {
                Some(Eligibilite {
                    enfant_id: i.enfant_id,
                    periode_id: i.periode_id,
                    raisons: reasons(i.raisons)?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(EligibiliteList {
            maintenant: self.maintenant,
            enfants: self.enfants,
            items,
        })
    }
}

impl Authed {
    /// `GET /api/inscriptions/eligibilites`: the family's children and, for each and each
    /// published période, every reason it cannot be enrolled (with the server's clock).
    pub async fn eligibilites(self) -> Result<EligibiliteList, ApiError> {
        self.get::<EligibiliteListWire>("/api/inscriptions/eligibilites")
            .await?
            .list()
            .ok_or_else(|| ApiError::unreadable(200))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    /// One reason of each kind. The match makes a new variant fail to compile here.
    fn every_reason() -> Vec<Reason> {
        let all = vec![
            Reason::NotInDossier,
            Reason::DossierNotValidated,
            Reason::BirthDateUnknown,
            Reason::Age {
                age: 12,
                min: 6,
                max: 11,
            },
            Reason::MissingPiece {
                type_code: "assurance_extrascolaire".into(),
            },
            Reason::ExpiringPiece {
                type_code: "certificat_medical".into(),
                valid_until: NaiveDate::from_ymd_opt(2027, 2, 17).expect("date"),
            },
            Reason::NotOpenYet {
                opens_at: Utc
                    .with_ymd_and_hms(2027, 1, 5, 7, 30, 0)
                    .single()
                    .expect("instant"),
            },
            Reason::Closed,
            Reason::AlreadyEnrolled,
            Reason::Overlap {
                period_id: Uuid::from_u128(42),
            },
            Reason::FamilyLimit { limit: 2 },
            Reason::ByDraw {
                closes_at: Utc
                    .with_ymd_and_hms(2027, 2, 9, 22, 59, 0)
                    .single()
                    .expect("instant"),
            },
        ];
        for reason in &all {
            match reason {
                Reason::NotInDossier
                | Reason::DossierNotValidated
                | Reason::BirthDateUnknown
                | Reason::Age { .. }
                | Reason::MissingPiece { .. }
                | Reason::ExpiringPiece { .. }
                | Reason::NotOpenYet { .. }
                | Reason::Closed
                | Reason::AlreadyEnrolled
                | Reason::Overlap { .. }
                | Reason::FamilyLimit { .. }
                | Reason::ByDraw { .. } => {}
            }
        }
        all
    }

    #[test]
    fn every_reason_reads_back_as_the_server_wrote_it() {
        let all = every_reason();
        let json = serde_json::to_string(&all).expect("json");
        let wire: Vec<ReasonWire> = serde_json::from_str(&json).expect("wire");
        assert_eq!(reasons(wire), Some(all));
    }

    #[test]
    fn the_eligibilities_read_back_and_an_unknown_reason_is_refused() {
        let list = EligibiliteList {
            maintenant: Utc
                .with_ymd_and_hms(2027, 1, 5, 7, 29, 0)
                .single()
                .expect("instant"),
            enfants: vec![EnfantDossier {
                id: Uuid::from_u128(7),
                prenom: "Léa".into(),
                nom: "Martin".into(),
                date_naissance: NaiveDate::from_ymd_opt(2019, 5, 5),
            }],
            items: vec![
                Eligibilite {
                    enfant_id: Uuid::from_u128(7),
                    periode_id: Uuid::from_u128(1),
                    raisons: every_reason(),
                },
                Eligibilite {
                    enfant_id: Uuid::from_u128(7),
                    periode_id: Uuid::from_u128(2),
                    raisons: vec![],
                },
            ],
        };
        let json = serde_json::to_string(&list).expect("json");
        let wire: EligibiliteListWire = serde_json::from_str(&json).expect("wire");
        assert_eq!(wire.list(), Some(list));
        let unknown = r#"{"maintenant":"2027-01-05T07:29:00Z","enfants":[],"items":[
            {"enfant_id":"00000000-0000-0000-0000-000000000007","periode_id":"00000000-0000-0000-0000-000000000001",
             "raisons":[{"code":"new_rule"}]}]}"#;
        let wire: EligibiliteListWire = serde_json::from_str(unknown).expect("wire");
        assert_eq!(wire.list(), None);
        // A field missing: unreadable.
        let incomplete = r#"[{"code":"age","age":5}]"#;
        let wire: Vec<ReasonWire> = serde_json::from_str(incomplete).expect("wire");
        assert_eq!(reasons(wire), None);
        // A draw without its close: unreadable too.
        let wire: Vec<ReasonWire> = serde_json::from_str(r#"[{"code":"by_draw"}]"#).expect("wire");
        assert_eq!(reasons(wire), None);
    }
}
