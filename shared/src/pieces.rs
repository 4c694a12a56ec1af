//! The rules of pièces justificatives, shared so the SPA states the same limits and refuses
//! the same dates the server does: upload limits (SECURITY.md E-01), which pieces a dossier
//! must provide, validity, and the « de moins de 3 mois » rule.

use chrono::{Datelike, Months, NaiveDate};
use uuid::Uuid;

use crate::api::dossier::{Member, Role, SituationFamiliale};
use crate::api::pieces::{Cible, Exigence, PieceStatus, PieceType, Validite};
use crate::error::FieldCode;
use crate::validation::codes;

const MIB: u64 = 1024 * 1024;
/// Largest file accepted, in bytes (10 Mio).
pub const MAX_FILE_BYTES: u64 = 10 * MIB;
/// Files in one piece.
pub const MAX_FILES_PER_PIECE: u32 = 5;
/// Files a whole dossier may hold (SECURITY.md E-01: the 21st is refused).
pub const MAX_FILES_PER_DOSSIER: u32 = 20;
/// Bytes a whole dossier may hold (SECURITY.md E-01: the 101st MiB is refused).
pub const MAX_BYTES_PER_DOSSIER: u64 = 100 * MIB;
/// Oldest date of issue accepted, in years before presentation (typing errors like 1026).
const MAX_AGE_YEARS: u32 = 100;

/// A size as families read it: « 10 Mio », « 850 Kio », « 12 octets ».
/// Longest code of a type de pièce, in bytes.
pub const TYPE_CODE_MAX_BYTES: usize = 64;

/// Whether `code` can name a type de pièce: lowercase ASCII letters, digits and « _ »,
/// 1 to 64 of them (it is used in field names such as `pieces.<code>.<member>`).
pub fn is_valid_type_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= TYPE_CODE_MAX_BYTES
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

pub fn human_size(bytes: u64) -> String {
    if bytes >= MIB {
        let tenths = (bytes * 10).div_ceil(MIB);
        if tenths.is_multiple_of(10) {
            format!("{} Mio", tenths / 10)
        } else {
            format!("{},{} Mio", tenths / 10, tenths % 10)
        }
    } else if bytes >= 1024 {
        format!("{} Kio", bytes.div_ceil(1024))
    } else {
        format!("{bytes} octets")
    }
}

/// The last day of the school year that `date` falls in (years run to 31 August).
pub fn end_of_school_year(date: NaiveDate) -> NaiveDate {
    let year = if date.month() >= 9 {
        date.year() + 1
    } else {
        date.year()
    };
    NaiveDate::from_ymd_opt(year, 8, 31).unwrap_or(date)
}

/// « Fin de validité » of a piece issued on `emis_le` (`None`: it does not expire).
pub fn fin_validite(validite: Validite, emis_le: NaiveDate) -> Option<NaiveDate> {
    match validite {
        Validite::Aucune => None,
        Validite::Mois { mois } => emis_le.checked_add_months(Months::new(mois)),
        Validite::FinAnneeScolaire => Some(end_of_school_year(emis_le)),
    }
}

/// Checks a date of issue given on `presente_le`: not in the future, not absurdly old,
/// and recent enough for types such as « Justificatif de Domicile de moins de 3 mois ».
pub fn check_emis_le(
    piece_type: &PieceType,
    emis_le: NaiveDate,
    presente_le: NaiveDate,
) -> Result<(), FieldCode> {
    if emis_le > presente_le {
        return Err(codes::DATE_IN_FUTURE);
    }
    let oldest = presente_le.checked_sub_months(Months::new(12 * MAX_AGE_YEARS));
    if oldest.is_some_and(|oldest| emis_le < oldest) {
        return Err(codes::DATE_OUT_OF_RANGE);
    }
    if let Some(months) = piece_type.emis_depuis_moins_de_mois {
        let limit = presente_le.checked_sub_months(Months::new(months));
        if limit.is_some_and(|limit| emis_le < limit) {
            return Err(codes::PIECE_TOO_OLD);
        }
    }
    Ok(())
}

/// The earliest date of issue a type accepts on `presente_le` (for the UI's hint).
pub fn earliest_emis_le(piece_type: &PieceType, presente_le: NaiveDate) -> Option<NaiveDate> {
    piece_type
        .emis_depuis_moins_de_mois
        .and_then(|months| presente_le.checked_sub_months(Months::new(months)))
}

/// What the family sees: a provided piece whose validity has ended is « Expirée ».
pub fn effective_status(
    stored: PieceStatus,
    fin_validite: Option<NaiveDate>,
    today: NaiveDate,
) -> PieceStatus {
    match (stored, fin_validite) {
        (PieceStatus::EnAttenteValidation | PieceStatus::Validee, Some(end)) if end < today => {
            PieceStatus::Expiree
        }
        _ => stored,
    }
}

/// Whether a member may carry pieces of this type.
pub fn type_applies_to(piece_type: &PieceType, role: Option<Role>) -> bool {
    match (piece_type.cible, role) {
        (Cible::Dossier, None) => true,
        (Cible::Personne, Some(role)) => piece_type.roles.contains(&role),
        _ => false,
    }
}

fn separated(members: &[Member]) -> bool {
    members.iter().any(|m| {
        m.fields.role.is_adult_of_household()
            && matches!(
                m.fields.situation_familiale,
                Some(SituationFamiliale::Separe | SituationFamiliale::Divorce)
            )
    })
}

/// The pieces this household must provide: `(type code, member)` pairs in catalogue order,
/// `None` standing for the dossier itself.
pub fn required_pieces<'a>(
    catalogue: &'a [PieceType],
    members: &[Member],
) -> Vec<(&'a PieceType, Option<Uuid>)> {
    let separated = separated(members);
    let mut required = Vec::new();
    for piece_type in catalogue {
        let needed = match piece_type.exigence {
            Exigence::Toujours => true,
            Exigence::SiSepareOuDivorce => separated,
            Exigence::Facultative => false,
        };
        if !needed {
            continue;
        }
        match piece_type.cible {
            Cible::Dossier => required.push((piece_type, None)),
            Cible::Personne => required.extend(
                members
                    .iter()
                    .filter(|m| piece_type.roles.contains(&m.fields.role))
                    .map(|m| (piece_type, Some(m.id))),
            ),
        }
    }
    required
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::dossier::MemberInput;
    use crate::api::pieces::Format;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn domicile() -> PieceType {
        PieceType {
            code: "justificatif_domicile".into(),
            libelle: "Justificatif de Domicile de moins de 3 mois".into(),
            cible: Cible::Dossier,
            roles: vec![],
            formats: vec![Format::Pdf],
            validite: Validite::Mois { mois: 3 },
            emis_depuis_moins_de_mois: Some(3),
            exigence: Exigence::Toujours,
            aide: None,
            position: 2,
        }
    }

    fn member(role: Role, situation: Option<SituationFamiliale>) -> Member {
        Member {
            id: Uuid::new_v4(),
            fields: MemberInput {
                role,
                situation_familiale: situation,
                ..MemberInput::default()
            },
        }
    }

    #[test]
    fn sizes_read_in_french_units() {
        assert_eq!(human_size(MAX_FILE_BYTES), "10 Mio");
        assert_eq!(human_size(MAX_FILE_BYTES + 1), "10,1 Mio");
        assert_eq!(human_size(2048), "2 Kio");
        assert_eq!(human_size(12), "12 octets");
    }

    #[test]
    fn validity_follows_the_rule_of_the_type() {
        assert_eq!(fin_validite(Validite::Aucune, date(2025, 10, 1)), None);
        assert_eq!(
            fin_validite(Validite::Mois { mois: 3 }, date(2025, 11, 30)),
            Some(date(2026, 2, 28))
        );
        assert_eq!(
            fin_validite(Validite::FinAnneeScolaire, date(2025, 9, 1)),
            Some(date(2026, 8, 31))
        );
        assert_eq!(
            fin_validite(Validite::FinAnneeScolaire, date(2026, 8, 31)),
            Some(date(2026, 8, 31))
        );
    }

    #[test]
    fn a_proof_of_address_older_than_three_months_is_refused() {
        let today = date(2025, 10, 20);
        assert_eq!(check_emis_le(&domicile(), date(2025, 7, 20), today), Ok(()));
        assert_eq!(
            check_emis_le(&domicile(), date(2025, 7, 19), today),
            Err(codes::PIECE_TOO_OLD)
        );
        assert_eq!(
            check_emis_le(&domicile(), date(2025, 10, 21), today),
            Err(codes::DATE_IN_FUTURE)
        );
        assert_eq!(
            earliest_emis_le(&domicile(), today),
            Some(date(2025, 7, 20))
        );
    }

    #[test]
    fn a_piece_past_its_validity_is_expired() {
        let end = Some(date(2026, 1, 31));
        assert_eq!(
            effective_status(PieceStatus::Validee, end, date(2026, 2, 1)),
            PieceStatus::Expiree
        );
        assert_eq!(
            effective_status(PieceStatus::Validee, end, date(2026, 1, 31)),
            PieceStatus::Validee
        );
        assert_eq!(
            effective_status(PieceStatus::Refusee, end, date(2027, 1, 1)),
            PieceStatus::Refusee
        );
    }

    #[test]
    fn the_custody_judgement_is_required_only_for_separated_parents() {
        let jugement = PieceType {
            code: "jugement_residence".into(),
            exigence: Exigence::SiSepareOuDivorce,
            emis_depuis_moins_de_mois: None,
            validite: Validite::Aucune,
            ..domicile()
        };
        let vaccins = PieceType {
            code: "carnet_vaccinations".into(),
            cible: Cible::Personne,
            roles: vec![Role::Enfant],
            exigence: Exigence::Toujours,
            ..domicile()
        };
        let catalogue = [domicile(), jugement, vaccins];
        let child = member(Role::Enfant, None);
        let together = [member(Role::Responsable, None), child.clone()];
        let codes_of = |members: &[Member]| {
            required_pieces(&catalogue, members)
                .into_iter()
                .map(|(t, m)| (t.code.clone(), m))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            codes_of(&together),
            vec![
                ("justificatif_domicile".to_string(), None),
                ("carnet_vaccinations".to_string(), Some(child.id)),
            ]
        );
        let apart = [
            member(Role::Responsable, Some(SituationFamiliale::Divorce)),
            child.clone(),
        ];
        assert!(
            codes_of(&apart).contains(&("jugement_residence".to_string(), None)),
            "divorced responsable needs the judgement"
        );
    }
}
