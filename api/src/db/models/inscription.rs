//! Inscriptions: one child in one période, from the request to its end (confirmed,
//! waiting, offered a freed place, cancelled, refused).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared::api::integration::WebhookEventType;

use crate::db::models::webhook;
use crate::db::schema::inscriptions;
use crate::db::{DbConn, new_id};

/// `inscriptions.statut`.
pub mod statut {
    pub const DEMANDEE: &str = "demandee";
    pub const CONFIRMEE: &str = "confirmee";
    pub const LISTE_ATTENTE: &str = "liste_attente";
    pub const PLACE_PROPOSEE: &str = "place_proposee";
    pub const ANNULEE: &str = "annulee";
    pub const REFUSEE: &str = "refusee";
    /// The statuses that are over: the child may be enrolled again.
    pub const ENDED: [&str; 2] = [ANNULEE, REFUSEE];
}

/// A row of `inscriptions`.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = inscriptions)]
pub struct Inscription {
    pub id: String,
    pub periode_id: String,
    pub member_id: String,
    pub dossier_id: String,
    pub demandeur_id: Option<String>,
    pub par_agent: bool,
    pub statut: String,
    pub rang: i32,
    pub offre_expire_at: Option<NaiveDateTime>,
    pub motif: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Who asks for the place.
#[derive(Clone, Debug)]
pub struct NewInscription<'a> {
    pub periode_id: &'a str,
    pub member_id: &'a str,
    pub dossier_id: &'a str,
    pub demandeur_id: Option<&'a str>,
    pub par_agent: bool,
}

/// Inserts the inscription with its status and rank; returns it.
pub fn insert(
    conn: &mut DbConn,
    new: &NewInscription,
    statut: &'static str,
    rang: i32,
    now: NaiveDateTime,
) -> QueryResult<Inscription> {
    let id = new_id();
    diesel::insert_into(inscriptions::table)
        .values((
            inscriptions::id.eq(&id),
            inscriptions::periode_id.eq(new.periode_id),
            inscriptions::member_id.eq(new.member_id),
            inscriptions::dossier_id.eq(new.dossier_id),
            inscriptions::demandeur_id.eq(new.demandeur_id),
            inscriptions::par_agent.eq(new.par_agent),
            inscriptions::statut.eq(statut),
            inscriptions::rang.eq(rang),
            inscriptions::version.eq(1),
            inscriptions::created_at.eq(now),
            inscriptions::updated_at.eq(now),
        ))
        // The struct's fields follow the table's columns (`as_returning` does not build for
        // the multi-backend connection).
        .returning(inscriptions::all_columns)
        .get_result::<Inscription>(conn)
        .and_then(|row| {
            tell(conn, &row, statut, now)?;
            Ok(row)
        })
}

/// Tells the connected applications that listen when a child gets or loses a place, in
/// the transaction that changes it (every change of status passes by [`insert`] or
/// [`change`]).
fn tell(conn: &mut DbConn, row: &Inscription, statut: &str, now: NaiveDateTime) -> QueryResult<()> {
    let event = match statut {
        statut::CONFIRMEE => WebhookEventType::InscriptionConfirmee,
        statut::ANNULEE => WebhookEventType::InscriptionAnnulee,
        _ => return Ok(()),
    };
    webhook::emit(
        conn,
        event,
        |_| {
            Ok(serde_json::json!({
                "inscription_id": row.id,
                "periode_id": row.periode_id,
                "member_id": row.member_id,
                "dossier_id": row.dossier_id,
                "statut": statut,
            }))
        },
        now,
    )
    .map(|_| ())
}

/// The child's current (not ended) inscription in the période, if any.
pub fn current(
    conn: &mut DbConn,
    periode_id: &str,
    member_id: &str,
) -> QueryResult<Option<Inscription>> {
    inscriptions::table
        .filter(inscriptions::periode_id.eq(periode_id))
        .filter(inscriptions::member_id.eq(member_id))
        .filter(inscriptions::statut.ne_all(statut::ENDED))
        .select(Inscription::as_select())
        .first(conn)
        .optional()
}

/// The position (1 = next) of a waiting inscription of rank `rang` in its période.
pub fn waiting_position(conn: &mut DbConn, periode_id: &str, rang: i32) -> QueryResult<i64> {
    inscriptions::table
        .filter(inscriptions::periode_id.eq(periode_id))
        .filter(inscriptions::statut.eq(statut::LISTE_ATTENTE))
        .filter(inscriptions::rang.le(rang))
        .count()
        .get_result(conn)
}

/// How many inscriptions of the période have each status (for counts and checks).
pub fn count_by_status(conn: &mut DbConn, periode_id: &str) -> QueryResult<Vec<(String, i64)>> {
    inscriptions::table
        .filter(inscriptions::periode_id.eq(periode_id))
        .group_by(inscriptions::statut)
        .select((inscriptions::statut, diesel::dsl::count_star()))
        .load(conn)
}

/// The statuses that hold one of the période's places.
pub const HOLDS_PLACE: [&str; 3] = [statut::CONFIRMEE, statut::DEMANDEE, statut::PLACE_PROPOSEE];

/// The inscription `id`.
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Inscription>> {
    inscriptions::table
        .find(id)
        .select(Inscription::as_select())
        .first(conn)
        .optional()
}

/// The first in line on the période's waiting list.
pub fn first_waiting(conn: &mut DbConn, periode_id: &str) -> QueryResult<Option<Inscription>> {
    inscriptions::table
        .filter(inscriptions::periode_id.eq(periode_id))
        .filter(inscriptions::statut.eq(statut::LISTE_ATTENTE))
        .order(inscriptions::rang)
        .select(Inscription::as_select())
        .first(conn)
        .optional()
}

/// The new state of an inscription.
pub struct Change<'a> {
    pub statut: &'static str,
    pub offre_expire_at: Option<NaiveDateTime>,
    pub motif: Option<&'a str>,
}

/// Moves inscription `row` to `change`, if it is still in the state it was read in (its
/// version): false when something else changed it first.
pub fn change(
    conn: &mut DbConn,
    row: &Inscription,
    change: &Change,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = diesel::update(
        inscriptions::table
            .find(&row.id)
            .filter(inscriptions::version.eq(row.version)),
    )
    .set((
        inscriptions::statut.eq(change.statut),
        inscriptions::offre_expire_at.eq(change.offre_expire_at),
        inscriptions::motif.eq(change.motif.or(row.motif.as_deref())),
        inscriptions::version.eq(row.version + 1),
        inscriptions::updated_at.eq(now),
    ))
    .execute(conn)?;
    if changed == 1 && change.statut != row.statut {
        tell(conn, row, change.statut, now)?;
    }
    Ok(changed == 1)
}

/// The ids of offers whose deadline passed by `now`.
pub fn expired_offers(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<Vec<String>> {
    inscriptions::table
        .filter(inscriptions::statut.eq(statut::PLACE_PROPOSEE))
        .filter(inscriptions::offre_expire_at.le(now))
        .order(inscriptions::offre_expire_at)
        .select(inscriptions::id)
        .load(conn)
}
