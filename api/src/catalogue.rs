//! The catalogue of types de pièce as a file an administrator edits: `portail-famille
//! types-de-piece export > catalogue.json`, change it, then `portail-famille
//! types-de-piece import catalogue.json`. The file is the whole catalogue: listed types
//! are created or updated, types left out are retired (kept for the pieces already
//! provided, no longer offered). Nothing changes unless the whole file is valid.

use std::collections::HashSet;

use shared::api::pieces::{Cible, PieceType, PieceTypeList, Validite};

use crate::db::models::piece_type::{self, PieceTypeRow};
use crate::db::{DbConn, now, write_tx};
use crate::error::ApiError;

const MAX_MONTHS: u32 = 120;

/// Every problem of a catalogue, in French, one per line.
pub fn check(types: &[PieceType]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut codes = HashSet::new();
    if types.is_empty() {
        problems.push("Le catalogue est vide.".to_string());
    }
    for t in types {
        let at = format!("Type « {} »", t.code);
        if !shared::pieces::is_valid_type_code(&t.code) {
            problems.push(format!(
                "{at} : le code doit être fait de minuscules, chiffres et « _ » (64 au plus)."
            ));
        }
        if !codes.insert(t.code.as_str()) {
            problems.push(format!("{at} : ce code apparaît deux fois."));
        }
        if t.libelle.trim().is_empty() || t.libelle.chars().count() > 200 {
            problems.push(format!(
                "{at} : le libellé est vide ou trop long (200 caractères au plus)."
            ));
        }
        if t.formats.is_empty() {
            problems.push(format!("{at} : indiquez au moins un format accepté."));
        }
        match (t.cible, t.roles.is_empty()) {
            (Cible::Personne, true) => problems.push(format!(
                "{at} : une pièce liée à une personne indique les rôles concernés."
            )),
            (Cible::Dossier, false) => problems.push(format!(
                "{at} : une pièce liée au dossier ne prend pas de rôles."
            )),
            _ => {}
        }
        let months = [
            match t.validite {
                Validite::Mois { mois } => Some(mois),
                _ => None,
            },
            t.emis_depuis_moins_de_mois,
        ];
        if months
            .into_iter()
            .flatten()
            .any(|m| m == 0 || m > MAX_MONTHS)
        {
            problems.push(format!("{at} : les durées vont de 1 à {MAX_MONTHS} mois."));
        }
    }
    problems
}

/// The active catalogue, as the file to edit.
pub fn export(conn: &mut DbConn) -> anyhow::Result<String> {
    let items = piece_type::active(conn)?;
    Ok(serde_json::to_string_pretty(&PieceTypeList { items })?)
}

/// Replaces the catalogue with the file's content. Answers how many types it holds, or
/// every problem found (and nothing is changed).
pub fn import(conn: &mut DbConn, json: &str) -> Result<usize, Vec<String>> {
    let list: PieceTypeList = serde_json::from_str(json)
        .map_err(|e| vec![format!("Le fichier n'est pas un catalogue valide : {e}")])?;
    let problems = check(&list.items);
    if !problems.is_empty() {
        return Err(problems);
    }
    write_tx(conn, |conn| replace(conn, &list.items))
        .map_err(|e| vec![format!("Échec de l'enregistrement : {e}")])
}

/// Replaces the catalogue with `types`, already [`check`]ed, inside the caller's
/// transaction. Answers how many types it holds.
pub fn replace(conn: &mut DbConn, types: &[PieceType]) -> Result<usize, ApiError> {
    let now = now();
    let listed: Vec<&str> = types.iter().map(|t| t.code.as_str()).collect();
    for existing in piece_type::all(conn)? {
        if !listed.contains(&existing.code.as_str()) {
            piece_type::upsert(conn, &PieceTypeRow::from_type(&existing, false, now))?;
        }
    }
    for t in types {
        piece_type::upsert(conn, &PieceTypeRow::from_type(t, true, now))?;
    }
    Ok(types.len())
}
