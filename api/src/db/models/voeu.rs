//! Wishes (*vœux*) of *attribution équitable*: a child's ranked périodes in one draw. The
//! draw writes its outcome on each.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::voeux;
use crate::db::{DbConn, new_id};

/// `voeux.resultat`.
pub mod resultat {
    pub const PLACE: &str = "place";
    pub const LISTE_ATTENTE: &str = "liste_attente";
    pub const SANS_OBJET: &str = "sans_objet";
    /// Not placed, and the période keeps no waiting list.
    pub const NON_RETENU: &str = "non_retenu";
}

/// A row of `voeux`.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = voeux)]
pub struct Voeu {
    pub id: String,
    pub tirage_id: String,
    pub periode_id: String,
    pub member_id: String,
    pub dossier_id: String,
    pub demandeur_id: Option<String>,
    pub rang: i32,
    pub resident: Option<bool>,
    pub tirage: Option<String>,
    pub resultat: Option<String>,
    pub position: Option<i32>,
    pub ordre: Option<i32>,
    pub inscription_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Voeu {
    /// What the draw gave this wish (`None` before the draw).
    pub fn resultat(&self) -> Option<shared::api::voeux::ResultatVoeu> {
        use shared::api::voeux::ResultatVoeu;
        match self.resultat.as_deref()? {
            resultat::PLACE => Some(ResultatVoeu::Place),
            resultat::LISTE_ATTENTE => Some(ResultatVoeu::ListeAttente),
            resultat::SANS_OBJET => Some(ResultatVoeu::SansObjet),
            resultat::NON_RETENU => Some(ResultatVoeu::NonRetenu),
            _ => None,
        }
    }
}

/// Who wishes, in which draw.
pub struct Wisher<'a> {
    pub tirage_id: &'a str,
    pub member_id: &'a str,
    pub dossier_id: &'a str,
    pub demandeur_id: &'a str,
}

/// Inserts the child's wishes `periodes` (best first), none existing.
pub fn insert_ranked(
    conn: &mut DbConn,
    wisher: &Wisher,
    periodes: &[&str],
    now: NaiveDateTime,
) -> QueryResult<()> {
    for (index, periode_id) in periodes.iter().enumerate() {
        let rang = i32::try_from(index + 1).unwrap_or(i32::MAX);
        insert_one(conn, wisher, periode_id, rang, now)?;
    }
    Ok(())
}

fn insert_one(
    conn: &mut DbConn,
    wisher: &Wisher,
    periode_id: &str,
    rang: i32,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(voeux::table)
        .values((
            voeux::id.eq(new_id()),
            voeux::tirage_id.eq(wisher.tirage_id),
            voeux::periode_id.eq(periode_id),
            voeux::member_id.eq(wisher.member_id),
            voeux::dossier_id.eq(wisher.dossier_id),
            voeux::demandeur_id.eq(wisher.demandeur_id),
            voeux::rang.eq(rang),
            voeux::created_at.eq(now),
            voeux::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Replaces the child's wishes in the draw by `periodes` (best first). A période kept
/// keeps its wish (and its number); the others are removed or added.
pub fn replace(
    conn: &mut DbConn,
    wisher: &Wisher,
    periodes: &[&str],
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(
        voeux::table
            .filter(voeux::tirage_id.eq(wisher.tirage_id))
            .filter(voeux::member_id.eq(wisher.member_id))
            .filter(voeux::periode_id.ne_all(periodes)),
    )
    .execute(conn)?;
    for (index, periode_id) in periodes.iter().enumerate() {
        let rang = i32::try_from(index + 1).unwrap_or(i32::MAX);
        let kept = diesel::update(
            voeux::table
                .filter(voeux::periode_id.eq(periode_id))
                .filter(voeux::member_id.eq(wisher.member_id)),
        )
        .set((voeux::rang.eq(rang), voeux::updated_at.eq(now)))
        .execute(conn)?;
        if kept == 0 {
            insert_one(conn, wisher, periode_id, rang, now)?;
        }
    }
    Ok(())
}

/// The wishes of a dossier's children, by draw, child and rank.
pub fn of_dossier(conn: &mut DbConn, dossier_id: &str) -> QueryResult<Vec<Voeu>> {
    voeux::table
        .filter(voeux::dossier_id.eq(dossier_id))
        .order((voeux::tirage_id, voeux::member_id, voeux::rang))
        .select(Voeu::as_select())
        .load(conn)
}

/// Every wish of a draw, by id (a stable order for the draw's inputs).
pub fn of_tirage(conn: &mut DbConn, tirage_id: &str) -> QueryResult<Vec<Voeu>> {
    voeux::table
        .filter(voeux::tirage_id.eq(tirage_id))
        .order(voeux::id)
        .select(Voeu::as_select())
        .load(conn)
}

/// How many wishes the family's other children made for the période.
pub fn family_count_in_periode(
    conn: &mut DbConn,
    dossier_id: &str,
    periode_id: &str,
    except_member: &str,
) -> QueryResult<i64> {
    voeux::table
        .filter(voeux::dossier_id.eq(dossier_id))
        .filter(voeux::periode_id.eq(periode_id))
        .filter(voeux::member_id.ne(except_member))
        .count()
        .get_result(conn)
}

/// How many wishes name the période.
pub fn count_for_periode(conn: &mut DbConn, periode_id: &str) -> QueryResult<i64> {
    voeux::table
        .filter(voeux::periode_id.eq(periode_id))
        .count()
        .get_result(conn)
}

/// What the draw gave a wish.
pub struct Outcome<'a> {
    pub resident: bool,
    pub tirage: &'a str,
    pub resultat: &'static str,
    pub position: Option<i32>,
    pub ordre: i32,
    pub inscription_id: Option<&'a str>,
}

pub fn record_outcome(
    conn: &mut DbConn,
    id: &str,
    outcome: &Outcome,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(voeux::table.find(id))
        .set((
            voeux::resident.eq(outcome.resident),
            voeux::tirage.eq(outcome.tirage),
            voeux::resultat.eq(outcome.resultat),
            voeux::position.eq(outcome.position),
            voeux::ordre.eq(outcome.ordre),
            voeux::inscription_id.eq(outcome.inscription_id),
            voeux::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}
