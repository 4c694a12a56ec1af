//! The catalogue of types de pièce, stored as rows an administrator can change.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared::api::pieces::{Format, PieceType, Validite};

use crate::db::DbConn;
use crate::db::schema::piece_types;
use crate::enum_text::{from_text, to_text};

/// A row of `piece_types`.
#[derive(Queryable, Selectable, Insertable, AsChangeset, Clone, Debug)]
#[diesel(table_name = piece_types)]
pub struct PieceTypeRow {
    pub code: String,
    pub libelle: String,
    pub cible: String,
    pub roles: String,
    pub formats: String,
    pub validite: String,
    pub validite_mois: Option<i32>,
    pub emis_depuis_moins_de_mois: Option<i32>,
    pub exigence: String,
    pub aide: Option<String>,
    pub position: i32,
    pub actif: bool,
    pub updated_at: NaiveDateTime,
}

fn months(value: Option<i32>) -> anyhow::Result<Option<u32>> {
    value
        .map(|m| u32::try_from(m).map_err(anyhow::Error::from))
        .transpose()
}

impl PieceTypeRow {
    /// The API form of the row.
    pub fn into_type(self) -> anyhow::Result<PieceType> {
        let validite = match (self.validite.as_str(), months(self.validite_mois)?) {
            ("aucune", _) => Validite::Aucune,
            ("mois", Some(mois)) => Validite::Mois { mois },
            ("fin_annee_scolaire", _) => Validite::FinAnneeScolaire,
            (other, _) => anyhow::bail!("unexpected validite {other:?} for {}", self.code),
        };
        Ok(PieceType {
            roles: split(&self.roles)
                .map(from_text)
                .collect::<anyhow::Result<_>>()?,
            formats: split(&self.formats)
                .map(|f| Format::parse(f).ok_or_else(|| anyhow::anyhow!("unknown format {f:?}")))
                .collect::<anyhow::Result<_>>()?,
            cible: from_text(&self.cible)?,
            exigence: from_text(&self.exigence)?,
            emis_depuis_moins_de_mois: months(self.emis_depuis_moins_de_mois)?,
            validite,
            code: self.code,
            libelle: self.libelle,
            aide: self.aide,
            position: self.position,
        })
    }

    /// The row form of a type.
    pub fn from_type(piece_type: &PieceType, actif: bool, now: NaiveDateTime) -> Self {
        let (validite, validite_mois) = match piece_type.validite {
            Validite::Aucune => ("aucune", None),
            Validite::Mois { mois } => ("mois", i32::try_from(mois).ok()),
            Validite::FinAnneeScolaire => ("fin_annee_scolaire", None),
        };
        Self {
            code: piece_type.code.clone(),
            libelle: piece_type.libelle.clone(),
            cible: to_text(&piece_type.cible),
            roles: join(piece_type.roles.iter().map(to_text)),
            formats: join(piece_type.formats.iter().map(|f| f.as_str().to_string())),
            validite: validite.to_string(),
            validite_mois,
            emis_depuis_moins_de_mois: piece_type
                .emis_depuis_moins_de_mois
                .and_then(|m| i32::try_from(m).ok()),
            exigence: to_text(&piece_type.exigence),
            aide: piece_type.aide.clone(),
            position: piece_type.position,
            actif,
            updated_at: now,
        }
    }
}

fn split(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').map(str::trim).filter(|s| !s.is_empty())
}

fn join(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(",")
}

/// The active catalogue, in display order.
pub fn active(conn: &mut DbConn) -> anyhow::Result<Vec<PieceType>> {
    piece_types::table
        .filter(piece_types::actif.eq(true))
        .order((piece_types::position, piece_types::code))
        .select(PieceTypeRow::as_select())
        .load(conn)?
        .into_iter()
        .map(PieceTypeRow::into_type)
        .collect()
}

/// Every type, retired ones included (pieces keep their type).
pub fn all(conn: &mut DbConn) -> anyhow::Result<Vec<PieceType>> {
    piece_types::table
        .order((piece_types::position, piece_types::code))
        .select(PieceTypeRow::as_select())
        .load(conn)?
        .into_iter()
        .map(PieceTypeRow::into_type)
        .collect()
}

/// Inserts or updates one type (administration).
pub fn upsert(conn: &mut DbConn, row: &PieceTypeRow) -> QueryResult<()> {
    let updated = diesel::update(piece_types::table.find(&row.code))
        .set(row)
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(piece_types::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}
