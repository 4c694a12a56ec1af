//! A dossier's pieces as the family sees them: what the catalogue requires of this
//! household, what was provided, and the check of an upload's text fields.

use std::collections::HashMap;

use chrono::NaiveDate;
use shared::api::dossier::Member;
use shared::api::pieces::{
    Analyse, Cible, LieA, Personne, Piece, PieceFile, PieceRequirement, PieceStatus, PieceType,
    PiecesResponse, UploadLimits,
};
use shared::error::FieldErrors;
use shared::pieces::{
    MAX_BYTES_PER_DOSSIER, MAX_FILE_BYTES, MAX_FILES_PER_DOSSIER, MAX_FILES_PER_PIECE,
    check_emis_le, effective_status, fin_validite, required_pieces, type_applies_to,
};
use shared::validation::codes;

use crate::db::DbConn;
use crate::db::models::piece::{self, FileRow, PieceRow};
use crate::db::models::{file_scan, member, piece_type};
use crate::documents::receive::{Allowance, TextFields};
use crate::enum_text::from_text;
use crate::error::ApiError;

/// Everything about one dossier's pieces, read in one go.
pub struct DossierPieces {
    /// Every type, retired ones included (provided pieces keep theirs).
    all_types: Vec<PieceType>,
    members: Vec<Member>,
    pieces: Vec<(PieceRow, Vec<FileRow>)>,
    /// Whether the family may change pieces now (draft or « à compléter »).
    pub editable: bool,
    /// ClamAV's verdict on each file, by file id, when the portal runs a scanner.
    scans: Option<HashMap<String, String>>,
}

/// The text fields of a piece upload.
pub const UPLOAD_FIELDS: &[&str] = &["type_code", "member_id", "emis_le"];

/// An upload's text fields once checked.
#[derive(Debug)]
pub struct Accepted {
    pub type_code: String,
    pub member_id: Option<String>,
    pub emis_le: NaiveDate,
    pub fin_validite: Option<NaiveDate>,
}

/// « Prénom NOM », or « Membre sans nom » (a draft's member may have neither yet).
pub fn member_label(member: &Member) -> String {
    let fields = &member.fields;
    let name = [fields.prenom.as_deref(), fields.nom.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() {
        "Membre sans nom".to_string()
    } else {
        name
    }
}

impl DossierPieces {
    pub fn load(conn: &mut DbConn, dossier_id: &str, editable: bool) -> Result<Self, ApiError> {
        let members = member::list(conn, dossier_id)?
            .into_iter()
            .map(member::MemberRow::into_member)
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Self {
            all_types: piece_type::all(conn)?,
            members,
            pieces: piece::list(conn, dossier_id)?,
            editable,
            scans: None,
        })
    }

    /// Adds the antivirus's verdict on each file (`analyse`), when the portal runs one.
    pub fn with_scans(mut self, conn: &mut DbConn, scanning: bool) -> Result<Self, ApiError> {
        if scanning {
            let ids: Vec<String> = self
                .pieces
                .iter()
                .flat_map(|(_, files)| files.iter().map(|f| f.id.clone()))
                .collect();
            self.scans = Some(file_scan::states_of(conn, &ids)?.into_iter().collect());
        }
        Ok(self)
    }

    fn analyse(&self, file_id: &str) -> Option<Analyse> {
        self.scans
            .as_ref()
            .map(|scans| match scans.get(file_id).map(String::as_str) {
                Some(file_scan::state::CLEAN) => Analyse::Saine,
                Some(file_scan::state::INFECTED) => Analyse::Quarantaine,
                _ => Analyse::EnCours,
            })
    }

    fn piece_type(&self, code: &str) -> Option<&PieceType> {
        self.all_types.iter().find(|t| t.code == code)
    }

    /// Types a family can add now (retired ones are kept for old pieces only).
    fn active_types(&self, active_codes: &[String]) -> Vec<PieceType> {
        self.all_types
            .iter()
            .filter(|t| active_codes.contains(&t.code))
            .cloned()
            .collect()
    }

    fn lie_a(&self, member_id: Option<&str>) -> LieA {
        match member_id {
            None => LieA {
                member_id: None,
                libelle: "Dossier".to_string(),
            },
            Some(id) => LieA {
                member_id: id.parse().ok(),
                libelle: self
                    .members
                    .iter()
                    .find(|m| m.id.to_string() == id)
                    .map(member_label)
                    .unwrap_or_default(),
            },
        }
    }

    /// Files and bytes the dossier holds.
    pub fn usage(&self) -> (u32, u64) {
        let files = self.pieces.iter().flat_map(|(_, files)| files);
        let count = u32::try_from(files.clone().count()).unwrap_or(u32::MAX);
        let bytes = files
            .map(|f| u64::try_from(f.size_bytes).unwrap_or(0))
            .sum();
        (count, bytes)
    }

    /// One piece as the API shows it.
    pub fn view(
        &self,
        row: &PieceRow,
        files: &[FileRow],
        today: NaiveDate,
    ) -> Result<Piece, ApiError> {
        let stored: PieceStatus = from_text(&row.status)?;
        Ok(Piece {
            id: row.id.parse().map_err(anyhow::Error::from)?,
            type_code: row.type_code.clone(),
            type_libelle: self
                .piece_type(&row.type_code)
                .map(|t| t.libelle.clone())
                .unwrap_or_else(|| row.type_code.clone()),
            lie_a: self.lie_a(row.member_id.as_deref()),
            status: effective_status(stored, row.fin_validite, today),
            motif_refus: match (&row.motif_refus, &row.commentaire) {
                (Some(motif), Some(comment)) => Some(format!("{motif} — {comment}")),
                (motif, _) => motif.clone(),
            },
            presente_le: row.presente_le,
            emis_le: row.emis_le,
            fin_validite: row.fin_validite,
            fichiers: files
                .iter()
                .map(|f| {
                    Ok(PieceFile {
                        id: f.id.parse().map_err(anyhow::Error::from)?,
                        nom: f.display_name.clone(),
                        format: shared::api::pieces::Format::parse(&f.format)
                            .ok_or_else(|| anyhow::anyhow!("unknown format {:?}", f.format))?,
                        taille: u64::try_from(f.size_bytes).map_err(anyhow::Error::from)?,
                        sha256: f.sha256.clone(),
                        analyse: self.analyse(&f.id),
                    })
                })
                .collect::<Result<_, ApiError>>()?,
            modifiable: self.editable,
            created_at: row.created_at.and_utc(),
            verifiee_le: row.decided_at.map(|at| at.and_utc()),
            fichiers_supprimes_le: row.files_erased_at.map(|at| at.and_utc()),
        })
    }

    /// The required pieces with their status: the latest piece provided for each.
    fn requirements(
        &self,
        active: &[PieceType],
        today: NaiveDate,
    ) -> Result<Vec<PieceRequirement>, ApiError> {
        required_pieces(active, &self.members)
            .into_iter()
            .map(|(piece_type, member_id)| {
                let member_id = member_id.map(|id| id.to_string());
                // `pieces` is newest first.
                let latest = self.pieces.iter().find(|(row, _)| {
                    row.type_code == piece_type.code && row.member_id == member_id
                });
                let (status, piece_id) = match latest {
                    None => (PieceStatus::NonFournie, None),
                    Some((row, _)) => (
                        effective_status(from_text(&row.status)?, row.fin_validite, today),
                        row.id.parse().ok(),
                    ),
                };
                Ok(PieceRequirement {
                    type_code: piece_type.code.clone(),
                    type_libelle: piece_type.libelle.clone(),
                    lie_a: self.lie_a(member_id.as_deref()),
                    status,
                    piece_id,
                })
            })
            .collect()
    }

    /// One provided piece as the API shows it, if the dossier has it.
    pub fn one(&self, piece_id: &str, today: NaiveDate) -> Option<Result<Piece, ApiError>> {
        self.pieces
            .iter()
            .find(|(row, _)| row.id == piece_id)
            .map(|(row, files)| self.view(row, files, today))
    }

    /// The pieces provided, newest first.
    pub fn provided(&self, today: NaiveDate) -> Result<Vec<Piece>, ApiError> {
        self.pieces
            .iter()
            .map(|(row, files)| self.view(row, files, today))
            .collect()
    }

    /// Everything Étape 2/3 shows. `active_codes` are the codes of the active catalogue.
    pub fn response(
        &self,
        active_codes: &[String],
        today: NaiveDate,
    ) -> Result<PiecesResponse, ApiError> {
        let active = self.active_types(active_codes);
        let (used_files, used_bytes) = self.usage();
        Ok(PiecesResponse {
            a_fournir: self.requirements(&active, today)?,
            fournies: self.provided(today)?,
            personnes: self
                .members
                .iter()
                .map(|m| Personne {
                    member_id: m.id,
                    role: m.fields.role,
                    libelle: member_label(m),
                })
                .collect(),
            types: active,
            limites: UploadLimits {
                taille_max_fichier: MAX_FILE_BYTES,
                fichiers_max_par_piece: MAX_FILES_PER_PIECE,
                fichiers_max_par_dossier: MAX_FILES_PER_DOSSIER,
                taille_max_dossier: MAX_BYTES_PER_DOSSIER,
                fichiers_utilises: used_files,
                octets_utilises: used_bytes,
            },
            modifiable: self.editable,
        })
    }

    /// What blocks a submission: each required piece not provided (or refused, or
    /// expired), as `pieces.<type>` or `pieces.<type>.<member id>`.
    pub fn missing(
        &self,
        active_codes: &[String],
        today: NaiveDate,
    ) -> Result<FieldErrors, ApiError> {
        let active = self.active_types(active_codes);
        let mut errors = FieldErrors::new();
        for requirement in self.requirements(&active, today)? {
            if !requirement.status.counts_as_provided() {
                let key = match requirement.lie_a.member_id {
                    None => format!("pieces.{}", requirement.type_code),
                    Some(id) => format!("pieces.{}.{id}", requirement.type_code),
                };
                errors.insert(key, vec![codes::PIECE_MISSING.to_string()]);
            }
        }
        Ok(errors)
    }

    /// Checks an upload's text fields (every error at once) on `presente_le`, and says
    /// what its files may be. `replacing` is the piece being replaced, whose files free
    /// their share of the quota.
    pub fn check_upload(
        &self,
        active_codes: &[String],
        fields: &TextFields,
        presente_le: NaiveDate,
        replacing: Option<&str>,
    ) -> Result<(Accepted, Allowance), ApiError> {
        let mut errors = FieldErrors::new();
        let mut error = |field: &str, code: &str| {
            errors.insert(field.to_string(), vec![code.to_string()]);
        };
        let piece_type = match fields.get("type_code").map(str::trim) {
            None | Some("") => {
                error("type_code", codes::REQUIRED);
                None
            }
            Some(code) => {
                let found = self
                    .piece_type(code)
                    .filter(|t| active_codes.contains(&t.code));
                if found.is_none() {
                    error("type_code", codes::UNKNOWN_PIECE_TYPE);
                }
                found
            }
        };
        let member_id = fields
            .get("member_id")
            .map(str::trim)
            .filter(|id| !id.is_empty());
        if let Some(piece_type) = piece_type {
            let role = match member_id {
                None => None,
                Some(id) => match self.members.iter().find(|m| m.id.to_string() == id) {
                    Some(member) => Some(member.fields.role),
                    None => {
                        error("member_id", codes::WRONG_TARGET);
                        None
                    }
                },
            };
            let target_known = member_id.is_none() || role.is_some();
            if target_known && !type_applies_to(piece_type, role) {
                error(
                    "member_id",
                    if piece_type.cible == Cible::Personne && member_id.is_none() {
                        codes::REQUIRED
                    } else {
                        codes::WRONG_TARGET
                    },
                );
            }
        }
        let emis_le = match fields.get("emis_le").map(str::trim) {
            None | Some("") => {
                error("emis_le", codes::REQUIRED);
                None
            }
            Some(text) => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Err(_) => {
                    error("emis_le", codes::INVALID_TYPE);
                    None
                }
                Ok(date) => {
                    if let Some(piece_type) = piece_type
                        && let Err(code) = check_emis_le(piece_type, date, presente_le)
                    {
                        error("emis_le", code);
                    }
                    Some(date)
                }
            },
        };
        let (Some(piece_type), Some(emis_le), true) = (piece_type, emis_le, errors.is_empty())
        else {
            return Err(ApiError::Validation(errors));
        };
        let (used_files, used_bytes) = self.usage();
        let (freed_files, freed_bytes) = replacing
            .and_then(|id| self.pieces.iter().find(|(row, _)| row.id == id))
            .map(|(_, files)| {
                (
                    u32::try_from(files.len()).unwrap_or(0),
                    files
                        .iter()
                        .map(|f| u64::try_from(f.size_bytes).unwrap_or(0))
                        .sum::<u64>(),
                )
            })
            .unwrap_or_default();
        let allowance = Allowance {
            formats: piece_type.formats.clone(),
            per_upload: MAX_FILES_PER_PIECE,
            files: MAX_FILES_PER_PIECE
                .min((MAX_FILES_PER_DOSSIER + freed_files).saturating_sub(used_files)),
            bytes: (MAX_BYTES_PER_DOSSIER + freed_bytes).saturating_sub(used_bytes),
        };
        Ok((
            Accepted {
                type_code: piece_type.code.clone(),
                member_id: member_id.map(str::to_string),
                emis_le,
                fin_validite: fin_validite(piece_type.validite, emis_le),
            },
            allowance,
        ))
    }
}

/// The codes of the active catalogue.
pub fn active_codes(conn: &mut DbConn) -> Result<Vec<String>, ApiError> {
    Ok(piece_type::active(conn)?
        .into_iter()
        .map(|t| t.code)
        .collect())
}
