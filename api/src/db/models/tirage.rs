//! Draws of *attribution équitable* (issue 13): one per activité and close instant, with
//! the seed published from the moment its first période is saved.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use rand::RngCore;

use crate::db::schema::{periodes, tirages};
use crate::db::{DbConn, new_id};

/// A row of `tirages`.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = tirages)]
pub struct Tirage {
    pub id: String,
    pub activite_id: String,
    pub fermeture: NaiveDateTime,
    pub graine: String,
    pub graine_tirage: Option<String>,
    pub tirage_le: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// The draw of `activite_id` closing at `fermeture`, created (with a fresh random seed)
/// if there is none yet.
pub fn for_close(
    conn: &mut DbConn,
    activite_id: &str,
    fermeture: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<Tirage> {
    if let Some(found) = tirages::table
        .filter(tirages::activite_id.eq(activite_id))
        .filter(tirages::fermeture.eq(fermeture))
        .select(Tirage::as_select())
        .first(conn)
        .optional()?
    {
        return Ok(found);
    }
    let mut seed = [0u8; 32];
    rand::rng().fill_bytes(&mut seed);
    let id = new_id();
    diesel::insert_into(tirages::table)
        .values((
            tirages::id.eq(&id),
            tirages::activite_id.eq(activite_id),
            tirages::fermeture.eq(fermeture),
            tirages::graine.eq(hex::encode(seed)),
            tirages::created_at.eq(now),
        ))
        .execute(conn)?;
    find(conn, &id)?.ok_or(diesel::result::Error::NotFound)
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Tirage>> {
    tirages::table
        .find(id)
        .select(Tirage::as_select())
        .first(conn)
        .optional()
}

/// Locks the draw's row until the transaction ends (PostgreSQL; SQLite's write
/// transactions are serialised anyway): wishes are changed, and the draw runs, one after
/// the other. False if there is no such draw.
pub fn lock(conn: &mut DbConn, id: &str) -> QueryResult<bool> {
    let locked = diesel::update(tirages::table.find(id))
        .set(tirages::graine.eq(tirages::graine))
        .execute(conn)?;
    Ok(locked == 1)
}

/// Draws whose wishes closed by `now` and that have not run, oldest first.
pub fn due(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Vec<String>> {
    tirages::table
        .filter(tirages::tirage_le.is_null())
        .filter(tirages::fermeture.le(now))
        .order(tirages::fermeture)
        .select(tirages::id)
        .load(conn)
}

/// Records that the draw ran with `graine_tirage`, on the draw and on its périodes with
/// the places each gave out.
pub fn mark_drawn(
    conn: &mut DbConn,
    id: &str,
    graine_tirage: &str,
    places: &std::collections::HashMap<String, u32>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(tirages::table.find(id))
        .set((
            tirages::graine_tirage.eq(graine_tirage),
            tirages::tirage_le.eq(now),
        ))
        .execute(conn)?;
    diesel::update(periodes::table.filter(periodes::tirage_id.eq(id)))
        .set(periodes::tirage_le.eq(now))
        .execute(conn)?;
    for (periode_id, given) in places {
        diesel::update(periodes::table.find(periode_id))
            .set(periodes::tirage_places.eq(i32::try_from(*given).unwrap_or(i32::MAX)))
            .execute(conn)?;
    }
    Ok(())
}
