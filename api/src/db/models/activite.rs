//! Activités: what the town offers (accueil de loisirs, stages sportifs, séjours…), with
//! the age range and the types de pièce they require. Their sessions are `periode`s.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{activite_pieces, activites};
use crate::db::{DbConn, new_id};

/// `activites.categorie`.
pub mod categorie {
    pub const PERISCOLAIRE: &str = "periscolaire";
    pub const EXTRASCOLAIRE: &str = "extrascolaire";
    pub const SPORT: &str = "sport";
    pub const SEJOUR: &str = "sejour";
    pub const RESTAURATION: &str = "restauration";
}

/// A row of `activites`.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = activites)]
pub struct Activite {
    pub id: String,
    pub nom: String,
    pub description: String,
    pub categorie: String,
    pub lieu: String,
    pub age_min: i32,
    pub age_max: i32,
    pub tarifs: String,
    pub publiee: bool,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A new activité and the codes of the types de pièce it requires.
#[derive(Clone, Debug)]
pub struct NewActivite {
    pub nom: String,
    pub description: String,
    pub categorie: &'static str,
    pub lieu: String,
    pub age_min: i32,
    pub age_max: i32,
    pub tarifs: String,
    pub publiee: bool,
    pub pieces: Vec<String>,
}

/// Inserts `new` with its required pieces; returns its id.
pub fn insert(conn: &mut DbConn, new: &NewActivite, now: NaiveDateTime) -> QueryResult<String> {
    let id = new_id();
    diesel::insert_into(activites::table)
        .values((
            activites::id.eq(&id),
            activites::nom.eq(&new.nom),
            activites::description.eq(&new.description),
            activites::categorie.eq(new.categorie),
            activites::lieu.eq(&new.lieu),
            activites::age_min.eq(new.age_min),
            activites::age_max.eq(new.age_max),
            activites::tarifs.eq(&new.tarifs),
            activites::publiee.eq(new.publiee),
            activites::version.eq(1),
            activites::created_at.eq(now),
            activites::updated_at.eq(now),
        ))
        .execute(conn)?;
    for piece in &new.pieces {
        diesel::insert_into(activite_pieces::table)
            .values((
                activite_pieces::activite_id.eq(&id),
                activite_pieces::piece_type.eq(piece),
            ))
            .execute(conn)?;
    }
    Ok(id)
}

/// The activité `id`.
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Activite>> {
    activites::table
        .find(id)
        .select(Activite::as_select())
        .first(conn)
        .optional()
}

/// The version of activité `id` (`None`: no such activité), its row held until the
/// transaction ends on PostgreSQL, so that a write checked against it is the next one
/// (SQLite's write transactions run one at a time).
pub fn lock_version(conn: &mut DbConn, id: &str) -> QueryResult<Option<i32>> {
    let row = activites::table.find(id).select(activites::version);
    match conn {
        DbConn::Pg(pg) => row.for_update().first(pg).optional(),
        DbConn::Sqlite(lite) => row.first(lite).optional(),
    }
}

/// The codes of the types de pièce the activité requires.
pub fn required_pieces(conn: &mut DbConn, id: &str) -> QueryResult<Vec<String>> {
    activite_pieces::table
        .filter(activite_pieces::activite_id.eq(id))
        .select(activite_pieces::piece_type)
        .order(activite_pieces::piece_type)
        .load(conn)
}

/// Every activité (published or not), by name.
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<Activite>> {
    activites::table
        .order((activites::nom, activites::id))
        .select(Activite::as_select())
        .load(conn)
}

/// Replaces activité `id`'s fields and required pieces; false if there is none.
pub fn update(
    conn: &mut DbConn,
    id: &str,
    new: &NewActivite,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(activites::table.find(id))
        .set((
            activites::nom.eq(&new.nom),
            activites::description.eq(&new.description),
            activites::categorie.eq(new.categorie),
            activites::lieu.eq(&new.lieu),
            activites::age_min.eq(new.age_min),
            activites::age_max.eq(new.age_max),
            activites::tarifs.eq(&new.tarifs),
            activites::publiee.eq(new.publiee),
            activites::version.eq(activites::version + 1),
            activites::updated_at.eq(now),
        ))
        .execute(conn)?;
    if updated == 0 {
        return Ok(false);
    }
    diesel::delete(activite_pieces::table.filter(activite_pieces::activite_id.eq(id)))
        .execute(conn)?;
    for piece in &new.pieces {
        diesel::insert_into(activite_pieces::table)
            .values((
                activite_pieces::activite_id.eq(id),
                activite_pieces::piece_type.eq(piece),
            ))
            .execute(conn)?;
    }
    Ok(true)
}
