//! What Étape 2/3 decides without the DOM: what a type of piece can be linked to, whether
//! a chosen file may join the upload, where the server's refusals go, and which required
//! pieces are still missing. The limits are the server's (`UploadLimits`, `shared::pieces`):
//! checking them here only spares the family a useless upload.

use std::collections::BTreeMap;

use shared::api::pieces::{
    Cible, Format, Piece, PieceStatus, PieceType, PiecesResponse, UploadLimits,
};
use shared::error::FieldErrors;
use shared::pieces::type_applies_to;
use shared::validation::codes;
use uuid::Uuid;

use crate::i18n::{FileRefusal, field_message, missing_piece};

/// The value of « Dossier » in the LIÉ À select (members are their uuid).
pub const DOSSIER: &str = "dossier";

/// The multipart part that carries the files.
pub const FILE_PART: &str = "fichier";

/// The choices of LIÉ À for a type: « Dossier », or the members whose role it concerns.
pub fn targets(
    piece_type: &PieceType,
    personnes: &[shared::api::pieces::Personne],
) -> Vec<(String, String)> {
    match piece_type.cible {
        Cible::Dossier => vec![(DOSSIER.to_string(), "Dossier".to_string())],
        Cible::Personne => personnes
            .iter()
            .filter(|p| type_applies_to(piece_type, Some(p.role)))
            .map(|p| (p.member_id.to_string(), p.libelle.clone()))
            .collect(),
    }
}

/// The select value of a target.
pub fn target_value(member_id: Option<Uuid>) -> String {
    member_id.map_or_else(|| DOSSIER.to_string(), |id| id.to_string())
}

/// The member of a LIÉ À value (`None` for the dossier or nothing chosen).
pub fn target_member(value: &str) -> Option<Uuid> {
    Uuid::parse_str(value).ok()
}

/// `accept` of the file input: extensions and media types of the formats, so that the
/// picker offers the right files (the server still decides from the content).
pub fn accept_attribute(formats: &[Format]) -> String {
    formats
        .iter()
        .map(|format| match format {
            Format::Pdf => ".pdf,application/pdf",
            Format::Jpeg => ".jpg,.jpeg,image/jpeg",
            Format::Png => ".png,image/png",
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Room left for one upload: files and bytes, within the piece's and the dossier's limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Room {
    pub files: u32,
    pub bytes: u64,
}

/// What the dossier can still receive; a replaced piece gives its files back.
pub fn room(limits: &UploadLimits, replaced: Option<&Piece>) -> Room {
    let (freed_files, freed_bytes) = replaced.map_or((0, 0), |piece| {
        (
            u32::try_from(piece.fichiers.len()).unwrap_or(u32::MAX),
            piece.fichiers.iter().map(|f| f.taille).sum(),
        )
    });
    Room {
        files: (limits.fichiers_max_par_dossier + freed_files)
            .saturating_sub(limits.fichiers_utilises),
        bytes: (limits.taille_max_dossier + freed_bytes).saturating_sub(limits.octets_utilises),
    }
}

/// Whether one more file (`size` bytes, browser type `media_type`, "" when unknown) may
/// join the files already chosen (`chosen`: their sizes).
pub fn check_new_file(
    chosen: &[u64],
    size: u64,
    media_type: &str,
    formats: &[Format],
    limits: &UploadLimits,
    room: Room,
) -> Result<(), FileRefusal> {
    if size == 0 {
        return Err(FileRefusal::Empty);
    }
    if !media_type.is_empty() && !formats.iter().any(|f| f.media_type() == media_type) {
        return Err(FileRefusal::WrongFormat);
    }
    if size > limits.taille_max_fichier {
        return Err(FileRefusal::TooLarge(limits.taille_max_fichier));
    }
    let count = u32::try_from(chosen.len()).unwrap_or(u32::MAX);
    if count >= limits.fichiers_max_par_piece {
        return Err(FileRefusal::TooMany(limits.fichiers_max_par_piece));
    }
    let bytes: u64 = chosen.iter().sum();
    if count + 1 > room.files || bytes + size > room.bytes {
        return Err(FileRefusal::Quota);
    }
    Ok(())
}

// Maps are filled with `insert` rather than `collect`: `BTreeMap::from_iter` sorts first,
// and each sort instance costs kilobytes of WASM (BENCHMARKS.md, SPA bundle).

/// The server's refusals of single files (`fichiers.<index>`), by index in the upload.
pub fn file_errors(fields: &FieldErrors) -> BTreeMap<usize, Vec<String>> {
    let mut by_index = BTreeMap::new();
    for (key, codes) in fields {
        if let Some(index) = key
            .strip_prefix("fichiers.")
            .and_then(|i| i.parse::<usize>().ok())
        {
            by_index.insert(index, codes.clone());
        }
    }
    by_index
}

/// The refusals that are not about one file (type, target, date, the files as a whole).
pub fn form_errors(fields: &FieldErrors) -> FieldErrors {
    let mut rest = FieldErrors::new();
    for (key, codes) in fields {
        if !key.starts_with("fichiers.") {
            rest.insert(key.clone(), codes.clone());
        }
    }
    rest
}

/// The submission's field name for a required piece: `pieces.<type>` or
/// `pieces.<type>.<member>`.
pub fn requirement_key(type_code: &str, member_id: Option<Uuid>) -> String {
    match member_id {
        Some(member) => format!("pieces.{type_code}.{member}"),
        None => format!("pieces.{type_code}"),
    }
}

/// The required pieces not provided yet (missing, refused or expired), as the server
/// would refuse the submission: checked before sending it.
pub fn missing_pieces(pieces: &PiecesResponse) -> FieldErrors {
    let mut missing = FieldErrors::new();
    for r in pieces
        .a_fournir
        .iter()
        .filter(|r| !r.status.counts_as_provided())
    {
        missing.insert(
            requirement_key(&r.type_code, r.lie_a.member_id),
            vec![codes::PIECE_MISSING.to_string()],
        );
    }
    missing
}

/// The French lines for the `pieces.*` refusals of a submission (« Pièce manquante :
/// Livret de Famille (Partie parents et enfants) »).
pub fn piece_problem_lines(errors: &FieldErrors, pieces: Option<&PiecesResponse>) -> Vec<String> {
    let mut lines = Vec::new();
    for (key, codes) in errors {
        let Some(rest) = key.strip_prefix("pieces.") else {
            continue;
        };
        let (type_code, member) = match rest.split_once('.') {
            Some((code, member)) => (code, Uuid::parse_str(member).ok()),
            None => (rest, None),
        };
        let libelle = pieces
            .and_then(|p| p.types.iter().find(|t| t.code == type_code))
            .map_or_else(|| type_code.to_string(), |t| t.libelle.clone());
        let person = member.map(|id| {
            pieces
                .and_then(|p| p.personnes.iter().find(|m| m.member_id == id))
                .map_or_else(|| id.to_string(), |m| m.libelle.clone())
        });
        for code in codes {
            lines.push(if code == codes::PIECE_MISSING {
                missing_piece(&libelle, person.as_deref())
            } else {
                format!("{libelle} : {}", field_message(code))
            });
        }
    }
    lines
}

/// One line of « Liste des pièces justificatives ».
#[derive(Clone, Debug, PartialEq)]
pub struct ListedPiece {
    pub status: PieceStatus,
    pub type_libelle: String,
    pub lie_a: String,
}

/// The recap's list: every required piece with its status, then the optional pieces the
/// family provided on top.
pub fn recap_list(pieces: &PiecesResponse) -> Vec<ListedPiece> {
    let mut list: Vec<ListedPiece> = pieces
        .a_fournir
        .iter()
        .map(|r| ListedPiece {
            status: r.status,
            type_libelle: r.type_libelle.clone(),
            lie_a: r.lie_a.libelle.clone(),
        })
        .collect();
    let required = |piece: &Piece| {
        pieces
            .a_fournir
            .iter()
            .any(|r| r.type_code == piece.type_code && r.lie_a.member_id == piece.lie_a.member_id)
    };
    list.extend(
        pieces
            .fournies
            .iter()
            .filter(|piece| !required(piece))
            .map(|piece| ListedPiece {
                status: piece.status,
                type_libelle: piece.type_libelle.clone(),
                lie_a: piece.lie_a.libelle.clone(),
            }),
    );
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone, Utc};
    use shared::api::dossier::Role;
    use shared::api::pieces::{Exigence, LieA, Personne, PieceFile, PieceRequirement, Validite};
    use shared::pieces::{MAX_BYTES_PER_DOSSIER, MAX_FILE_BYTES, MAX_FILES_PER_DOSSIER};

    fn limits(used_files: u32, used_bytes: u64) -> UploadLimits {
        UploadLimits {
            taille_max_fichier: MAX_FILE_BYTES,
            fichiers_max_par_piece: 5,
            fichiers_max_par_dossier: MAX_FILES_PER_DOSSIER,
            taille_max_dossier: MAX_BYTES_PER_DOSSIER,
            fichiers_utilises: used_files,
            octets_utilises: used_bytes,
        }
    }

    fn piece_type(code: &str, cible: Cible, roles: Vec<Role>) -> PieceType {
        PieceType {
            code: code.into(),
            libelle: format!("Libellé {code}"),
            cible,
            roles,
            formats: vec![Format::Pdf],
            validite: Validite::Aucune,
            emis_depuis_moins_de_mois: None,
            exigence: Exigence::Toujours,
            aide: None,
            position: 1,
        }
    }

    fn piece(type_code: &str, files: &[u64]) -> Piece {
        let day = NaiveDate::from_ymd_opt(2025, 10, 20).unwrap_or_default();
        Piece {
            id: Uuid::new_v4(),
            type_code: type_code.into(),
            type_libelle: format!("Libellé {type_code}"),
            lie_a: LieA {
                member_id: None,
                libelle: "Dossier".into(),
            },
            status: PieceStatus::EnAttenteValidation,
            motif_refus: None,
            presente_le: day,
            emis_le: day,
            fin_validite: None,
            fichiers: files
                .iter()
                .map(|&taille| PieceFile {
                    id: Uuid::new_v4(),
                    nom: "scan.pdf".into(),
                    format: Format::Pdf,
                    taille,
                    sha256: String::new(),
                    analyse: None,
                })
                .collect(),
            modifiable: true,
            created_at: Utc.timestamp_opt(0, 0).single().unwrap_or_default(),
            verifiee_le: None,
            fichiers_supprimes_le: None,
        }
    }

    #[test]
    fn a_person_piece_is_linked_only_to_members_of_its_roles() {
        let child = Personne {
            member_id: Uuid::new_v4(),
            role: Role::Enfant,
            libelle: "Léa DEMONSTRATION".into(),
        };
        let mother = Personne {
            member_id: Uuid::new_v4(),
            role: Role::Responsable,
            libelle: "Mère DEMONSTRATION".into(),
        };
        let people = [mother, child.clone()];
        let vaccins = piece_type("carnet_vaccinations", Cible::Personne, vec![Role::Enfant]);
        assert_eq!(
            targets(&vaccins, &people),
            vec![(child.member_id.to_string(), child.libelle.clone())]
        );
        let livret = piece_type("livret_famille", Cible::Dossier, vec![]);
        assert_eq!(
            targets(&livret, &people),
            vec![(DOSSIER.to_string(), "Dossier".to_string())]
        );
        assert_eq!(target_member(DOSSIER), None);
        assert_eq!(
            target_member(&target_value(Some(child.member_id))),
            Some(child.member_id)
        );
    }

    #[test]
    fn files_over_the_limits_are_refused_before_sending() {
        let pdf = [Format::Pdf];
        let limits = limits(0, 0);
        let room = room(&limits, None);
        assert_eq!(
            check_new_file(&[], 1000, "application/pdf", &pdf, &limits, room),
            Ok(())
        );
        assert_eq!(
            check_new_file(
                &[],
                MAX_FILE_BYTES + 1,
                "application/pdf",
                &pdf,
                &limits,
                room
            ),
            Err(FileRefusal::TooLarge(MAX_FILE_BYTES))
        );
        assert_eq!(
            check_new_file(&[1; 5], 1000, "", &pdf, &limits, room),
            Err(FileRefusal::TooMany(5))
        );
        assert_eq!(
            check_new_file(&[], 1000, "image/png", &pdf, &limits, room),
            Err(FileRefusal::WrongFormat)
        );
        assert_eq!(
            check_new_file(&[], 0, "application/pdf", &pdf, &limits, room),
            Err(FileRefusal::Empty)
        );
    }

    #[test]
    fn the_dossier_quota_counts_what_a_replacement_gives_back() {
        let pdf = [Format::Pdf];
        let full = limits(MAX_FILES_PER_DOSSIER, 3000);
        assert_eq!(
            check_new_file(&[], 1000, "", &pdf, &full, room(&full, None)),
            Err(FileRefusal::Quota)
        );
        let replaced = piece("justificatif_domicile", &[1000, 2000]);
        assert_eq!(
            room(&full, Some(&replaced)),
            Room {
                files: 2,
                bytes: MAX_BYTES_PER_DOSSIER
            }
        );
        assert_eq!(
            check_new_file(&[], 1000, "", &pdf, &full, room(&full, Some(&replaced))),
            Ok(())
        );
    }

    #[test]
    fn server_refusals_are_split_between_files_and_fields() {
        let fields: FieldErrors = [
            (
                "fichiers.1".to_string(),
                vec!["pdf_active_content".to_string()],
            ),
            ("emis_le".to_string(), vec!["piece_too_old".to_string()]),
            ("fichiers".to_string(), vec!["quota_exceeded".to_string()]),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            file_errors(&fields),
            [(1, vec!["pdf_active_content".to_string()])]
                .into_iter()
                .collect()
        );
        let rest = form_errors(&fields);
        assert_eq!(rest.keys().collect::<Vec<_>>(), vec!["emis_le", "fichiers"]);
    }

    #[test]
    fn missing_pieces_are_named_in_the_recap() {
        let child = Uuid::new_v4();
        let pieces = PiecesResponse {
            a_fournir: vec![
                PieceRequirement {
                    type_code: "livret_famille".into(),
                    type_libelle: "Livret de Famille (Partie parents et enfants)".into(),
                    lie_a: LieA {
                        member_id: None,
                        libelle: "Dossier".into(),
                    },
                    status: PieceStatus::NonFournie,
                    piece_id: None,
                },
                PieceRequirement {
                    type_code: "justificatif_domicile".into(),
                    type_libelle: "Justificatif de Domicile de moins de 3 mois".into(),
                    lie_a: LieA {
                        member_id: None,
                        libelle: "Dossier".into(),
                    },
                    status: PieceStatus::EnAttenteValidation,
                    piece_id: None,
                },
            ],
            fournies: vec![
                piece("justificatif_domicile", &[10]),
                piece("avis_imposition", &[10]),
            ],
            types: vec![
                PieceType {
                    libelle: "Livret de Famille (Partie parents et enfants)".into(),
                    ..piece_type("livret_famille", Cible::Dossier, vec![])
                },
                PieceType {
                    libelle: "Carnet de vaccinations".into(),
                    ..piece_type("carnet_vaccinations", Cible::Personne, vec![Role::Enfant])
                },
            ],
            personnes: vec![Personne {
                member_id: child,
                role: Role::Enfant,
                libelle: "Léa DEMONSTRATION".into(),
            }],
            limites: limits(0, 0),
            modifiable: true,
        };
        let missing = missing_pieces(&pieces);
        assert_eq!(
            missing.keys().collect::<Vec<_>>(),
            vec!["pieces.livret_famille"]
        );
        let mut errors = missing;
        errors.insert(
            format!("pieces.carnet_vaccinations.{child}"),
            vec![codes::PIECE_MISSING.to_string()],
        );
        assert_eq!(
            piece_problem_lines(&errors, Some(&pieces)),
            vec![
                "Pièce manquante : Carnet de vaccinations — Léa DEMONSTRATION".to_string(),
                "Pièce manquante : Livret de Famille (Partie parents et enfants)".to_string(),
            ]
        );
        let list = recap_list(&pieces);
        assert_eq!(
            list.len(),
            3,
            "two required pieces, then the optional one provided"
        );
        assert_eq!(list[2].type_libelle, "Libellé avis_imposition");
    }
}
