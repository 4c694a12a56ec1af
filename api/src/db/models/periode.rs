//! Périodes d'activité: the sessions families enrol in, with their capacity. The places
//! held are changed only by the conditional updates below, so that no interleaving of
//! requests can hold more places than the capacity (and the table's CHECK refuses it
//! anyway).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::periodes;
use crate::db::{DbConn, new_id};

/// `periodes.statut`.
pub mod statut {
    pub const BROUILLON: &str = "brouillon";
    pub const PUBLIEE: &str = "publiee";
    pub const CLOSE: &str = "close";
}

/// `periodes.attribution`.
pub mod attribution {
    pub const PREMIER_ARRIVE: &str = "premier_arrive";
    pub const EQUITABLE: &str = "equitable";
}

/// `periodes.mode_validation`.
pub mod mode {
    pub const AUTOMATIQUE: &str = "automatique";
    pub const SUR_VALIDATION: &str = "sur_validation";
}

/// A row of `periodes`.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = periodes)]
pub struct Periode {
    pub id: String,
    pub activite_id: String,
    pub libelle: String,
    pub premier_jour: NaiveDate,
    pub dernier_jour: NaiveDate,
    pub horaires: String,
    pub capacite: i32,
    pub places_prises: i32,
    pub ouverture: NaiveDateTime,
    pub ouverture_residents: Option<NaiveDateTime>,
    pub fermeture: NaiveDateTime,
    pub annulation_jours: i32,
    pub limite_famille: Option<i32>,
    pub liste_attente: bool,
    pub mode_validation: String,
    pub offre_heures: Option<i32>,
    pub statut: String,
    pub dernier_rang: i32,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// `attribution::PREMIER_ARRIVE` or `attribution::EQUITABLE`.
    pub attribution: String,
    /// The draw of an équitable période.
    pub tirage_id: Option<String>,
    /// When that draw ran.
    pub tirage_le: Option<NaiveDateTime>,
    /// The places that draw gave out.
    pub tirage_places: Option<i32>,
}

impl Periode {
    /// An équitable période whose draw has not run: families rank wishes, nobody enrols.
    pub fn awaits_draw(&self) -> bool {
        self.attribution == attribution::EQUITABLE && self.tirage_le.is_none()
    }
}

/// A new période (its places all free).
#[derive(Clone, Debug)]
pub struct NewPeriode {
    pub activite_id: String,
    pub libelle: String,
    pub premier_jour: NaiveDate,
    pub dernier_jour: NaiveDate,
    pub horaires: String,
    pub capacite: i32,
    pub ouverture: NaiveDateTime,
    pub ouverture_residents: Option<NaiveDateTime>,
    pub fermeture: NaiveDateTime,
    pub annulation_jours: i32,
    pub limite_famille: Option<i32>,
    pub liste_attente: bool,
    pub mode_validation: &'static str,
    pub offre_heures: Option<i32>,
    pub statut: &'static str,
    pub attribution: &'static str,
    /// Its draw, for an équitable période.
    pub tirage_id: Option<String>,
}

/// Inserts `new`; returns its id.
pub fn insert(conn: &mut DbConn, new: &NewPeriode, now: NaiveDateTime) -> QueryResult<String> {
    let id = new_id();
    diesel::insert_into(periodes::table)
        .values((
            periodes::id.eq(&id),
            periodes::activite_id.eq(&new.activite_id),
            periodes::libelle.eq(&new.libelle),
            periodes::premier_jour.eq(new.premier_jour),
            periodes::dernier_jour.eq(new.dernier_jour),
            periodes::horaires.eq(&new.horaires),
            periodes::capacite.eq(new.capacite),
            periodes::places_prises.eq(0),
            periodes::ouverture.eq(new.ouverture),
            periodes::ouverture_residents.eq(new.ouverture_residents),
            periodes::fermeture.eq(new.fermeture),
            periodes::annulation_jours.eq(new.annulation_jours),
            periodes::limite_famille.eq(new.limite_famille),
            periodes::liste_attente.eq(new.liste_attente),
            periodes::mode_validation.eq(new.mode_validation),
            periodes::offre_heures.eq(new.offre_heures),
            periodes::statut.eq(new.statut),
            periodes::attribution.eq(new.attribution),
            periodes::tirage_id.eq(&new.tirage_id),
            periodes::dernier_rang.eq(0),
            periodes::version.eq(1),
            periodes::created_at.eq(now),
            periodes::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The période `id`.
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Periode>> {
    periodes::table
        .find(id)
        .select(Periode::as_select())
        .first(conn)
        .optional()
}

/// The next arrival rank in the période. On PostgreSQL the update locks the période's row
/// until the transaction ends, so the enrolments of one période are numbered (and take
/// places) one after the other, in the order they reached the database; SQLite's writes
/// are serialised anyway (`BEGIN IMMEDIATE`).
pub fn next_rang(conn: &mut DbConn, id: &str) -> QueryResult<i32> {
    diesel::update(periodes::table.find(id))
        .set(periodes::dernier_rang.eq(periodes::dernier_rang + 1))
        .returning(periodes::dernier_rang)
        .get_result(conn)
}

/// Holds the période's row until the transaction ends, and answers it as it is under the
/// lock (`None`: no such période), so that what changes its places — an enrolment, a
/// cancellation, the waiting list moving up, a draw — happens one after the other. On
/// PostgreSQL a `SELECT … FOR UPDATE`, which marks the row without writing a new version
/// of it: an enrolment then writes the row once ([`arrive`]). (With a no-op update as the
/// lock, then the place's update, the 40 rows of an opening morning grew chains of versions
/// that PostgreSQL spent its time pruning.) SQLite's write transactions (`BEGIN
/// IMMEDIATE`) already run one at a time.
pub fn lock(conn: &mut DbConn, id: &str) -> QueryResult<Option<Periode>> {
    // The struct's fields follow the table's columns (`as_select` does not build for the
    // multi-backend connection, and the lock is PostgreSQL's alone).
    let row = periodes::table.find(id).select(periodes::all_columns);
    match conn {
        DbConn::Pg(pg) => row.for_update().first(pg).optional(),
        DbConn::Sqlite(lite) => row.first(lite).optional(),
    }
}

/// Records an arrival on the période [`lock`]ed as `locked`: the next rank, and a place if
/// one is free — one update. Answers the rank and whether a place was taken. The place
/// is taken by a conditional update, so that even a caller without the lock could never
/// take more places than the capacity.
pub fn arrive(conn: &mut DbConn, locked: &Periode, now: NaiveDateTime) -> QueryResult<(i32, bool)> {
    let row = periodes::table.find(&locked.id);
    if locked.places_prises < locked.capacite {
        let with_place: Option<i32> =
            diesel::update(row.filter(periodes::places_prises.lt(periodes::capacite)))
                .set((
                    periodes::dernier_rang.eq(periodes::dernier_rang + 1),
                    periodes::places_prises.eq(periodes::places_prises + 1),
                    periodes::updated_at.eq(now),
                ))
                .returning(periodes::dernier_rang)
                .get_result(conn)
                .optional()?;
        if let Some(rang) = with_place {
            return Ok((rang, true));
        }
    }
    Ok((next_rang(conn, &locked.id)?, false))
}

/// Takes one place if one is free: true when taken. A single conditional update, never a
/// read followed by a write.
pub fn take_place(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let taken = diesel::update(
        periodes::table
            .find(id)
            .filter(periodes::places_prises.lt(periodes::capacite)),
    )
    .set((
        periodes::places_prises.eq(periodes::places_prises + 1),
        periodes::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(taken == 1)
}

/// Writes a draw's counters: the last rank it gave and the places it took, in one
/// conditional update (false, changing nothing, if they would exceed the capacity).
pub fn record_draw(
    conn: &mut DbConn,
    id: &str,
    dernier_rang: i32,
    taken: i32,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(
        periodes::table
            .find(id)
            .filter((periodes::places_prises + taken).le(periodes::capacite)),
    )
    .set((
        periodes::dernier_rang.eq(dernier_rang),
        periodes::places_prises.eq(periodes::places_prises + taken),
        periodes::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Gives back one held place (a cancellation, a refusal, a declined offer).
pub fn release_place(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        periodes::table
            .find(id)
            .filter(periodes::places_prises.gt(0)),
    )
    .set((
        periodes::places_prises.eq(periodes::places_prises - 1),
        periodes::updated_at.eq(now),
    ))
    .execute(conn)
}

/// The périodes of activités `activite_ids`, by first day.
pub fn of_activites(conn: &mut DbConn, activite_ids: &[&str]) -> QueryResult<Vec<Periode>> {
    periodes::table
        .filter(periodes::activite_id.eq_any(activite_ids))
        .order((periodes::premier_jour, periodes::libelle, periodes::id))
        .select(Periode::as_select())
        .load(conn)
}

/// The activité of each of périodes `ids`: (période, activité).
pub fn activites_of(
    conn: &mut DbConn,
    ids: &[&str],
) -> QueryResult<std::collections::BTreeMap<String, String>> {
    Ok(periodes::table
        .filter(periodes::id.eq_any(ids))
        .select((periodes::id, periodes::activite_id))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

/// The périodes of draw `tirage_id`.
pub fn of_tirage(conn: &mut DbConn, tirage_id: &str) -> QueryResult<Vec<Periode>> {
    periodes::table
        .filter(periodes::tirage_id.eq(tirage_id))
        .order((periodes::premier_jour, periodes::libelle, periodes::id))
        .select(Periode::as_select())
        .load(conn)
}

/// Why a période could not be changed.
#[derive(Debug, PartialEq, Eq)]
pub enum UpdateOutcome {
    Updated,
    NotFound,
    /// The new capacity is below the places already held.
    BelowHeld,
}

/// Replaces période `id`'s settings (its activité, places held and arrival counter stay).
/// The capacity is checked against the places held in the same statement: an enrolment
/// between a read and this write cannot slip a place past the new capacity.
pub fn update(
    conn: &mut DbConn,
    id: &str,
    new: &NewPeriode,
    now: NaiveDateTime,
) -> QueryResult<UpdateOutcome> {
    let updated = diesel::update(
        periodes::table
            .find(id)
            .filter(periodes::places_prises.le(new.capacite)),
    )
    .set((
        periodes::libelle.eq(&new.libelle),
        periodes::premier_jour.eq(new.premier_jour),
        periodes::dernier_jour.eq(new.dernier_jour),
        periodes::horaires.eq(&new.horaires),
        periodes::capacite.eq(new.capacite),
        periodes::ouverture.eq(new.ouverture),
        periodes::ouverture_residents.eq(new.ouverture_residents),
        periodes::fermeture.eq(new.fermeture),
        periodes::annulation_jours.eq(new.annulation_jours),
        periodes::limite_famille.eq(new.limite_famille),
        periodes::liste_attente.eq(new.liste_attente),
        periodes::mode_validation.eq(new.mode_validation),
        periodes::offre_heures.eq(new.offre_heures),
        periodes::statut.eq(new.statut),
        periodes::attribution.eq(new.attribution),
        periodes::tirage_id.eq(&new.tirage_id),
        periodes::version.eq(periodes::version + 1),
        periodes::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(match (updated, find(conn, id)?) {
        (1, _) => UpdateOutcome::Updated,
        (_, None) => UpdateOutcome::NotFound,
        (_, Some(_)) => UpdateOutcome::BelowHeld,
    })
}
