//! Rattachements: an account's pending (or decided) link to an existing dossier. Access to
//! a dossier is only ever given by `dossier_accounts`; a row here gives none.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::rattachements;
use crate::db::{DbConn, new_id};

/// `rattachements.method`.
pub mod method {
    pub const CODE: &str = "code";
    pub const VALIDATION: &str = "validation";
}

/// `rattachements.status`.
pub mod status {
    pub const EN_ATTENTE: &str = "en_attente";
    pub const RATTACHE: &str = "rattache";
    pub const REFUSE: &str = "refuse";
}

/// A row of `rattachements`.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = rattachements)]
pub struct Rattachement {
    pub id: String,
    pub account_id: String,
    pub dossier_id: String,
    pub numero: String,
    pub nom: String,
    pub prenom: String,
    pub method: String,
    pub status: String,
    pub code_hash: Option<String>,
    pub code_expires_at: Option<NaiveDateTime>,
    pub code_attempts: i32,
    pub codes_sent: i32,
    pub code_sent_at: Option<NaiveDateTime>,
    pub demande_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Rattachement {
    pub fn is_pending(&self) -> bool {
        self.status == status::EN_ATTENTE
    }
}

/// What the family typed, with the dossier it matched.
pub struct NewRattachement<'a> {
    pub account_id: &'a str,
    pub dossier_id: &'a str,
    pub numero: &'a str,
    pub nom: &'a str,
    pub prenom: &'a str,
    pub method: &'static str,
}

/// Records a pending rattachement, replacing the account's earlier one (refused, or
/// pending on another dossier). Answers its id.
pub fn insert(conn: &mut DbConn, new: &NewRattachement, now: NaiveDateTime) -> QueryResult<String> {
    diesel::delete(rattachements::table.filter(rattachements::account_id.eq(new.account_id)))
        .execute(conn)?;
    let id = new_id();
    diesel::insert_into(rattachements::table)
        .values((
            rattachements::id.eq(&id),
            rattachements::account_id.eq(new.account_id),
            rattachements::dossier_id.eq(new.dossier_id),
            rattachements::numero.eq(new.numero),
            rattachements::nom.eq(new.nom),
            rattachements::prenom.eq(new.prenom),
            rattachements::method.eq(new.method),
            rattachements::status.eq(status::EN_ATTENTE),
            rattachements::code_attempts.eq(0),
            rattachements::codes_sent.eq(0),
            rattachements::created_at.eq(now),
            rattachements::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The account's rattachement, if any.
pub fn of_account(conn: &mut DbConn, account_id: &str) -> QueryResult<Option<Rattachement>> {
    rattachements::table
        .filter(rattachements::account_id.eq(account_id))
        .select(Rattachement::as_select())
        .first(conn)
        .optional()
}

/// The rattachement an agents' request is about.
pub fn of_demande(conn: &mut DbConn, demande_id: &str) -> QueryResult<Option<Rattachement>> {
    rattachements::table
        .filter(rattachements::demande_id.eq(demande_id))
        .select(Rattachement::as_select())
        .first(conn)
        .optional()
}

/// Stores a new code (its keyed hash) with its deadline; its tries start again.
pub fn set_code(
    conn: &mut DbConn,
    id: &str,
    code_hash: &str,
    expires_at: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(rattachements::table.find(id))
        .set((
            rattachements::code_hash.eq(code_hash),
            rattachements::code_expires_at.eq(expires_at),
            rattachements::code_attempts.eq(0),
            rattachements::codes_sent.eq(rattachements::codes_sent + 1),
            rattachements::code_sent_at.eq(now),
            rattachements::updated_at.eq(now),
        ))
        .execute(conn)
}

/// Counts a wrong try on the current code.
pub fn count_wrong_try(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(rattachements::table.find(id))
        .set((
            rattachements::code_attempts.eq(rattachements::code_attempts + 1),
            rattachements::updated_at.eq(now),
        ))
        .execute(conn)
}

/// Moves a pending rattachement to `to` and spends its code; false when it was no longer
/// pending (a concurrent confirmation or decision came first).
pub fn conclude(conn: &mut DbConn, id: &str, to: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let rows = diesel::update(
        rattachements::table
            .find(id)
            .filter(rattachements::status.eq(status::EN_ATTENTE)),
    )
    .set((
        rattachements::status.eq(to),
        rattachements::code_hash.eq(None::<String>),
        rattachements::code_expires_at.eq(None::<NaiveDateTime>),
        rattachements::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(rows == 1)
}

/// Puts a pending rattachement on the agents' path, with its request.
pub fn to_validation(
    conn: &mut DbConn,
    id: &str,
    demande_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(rattachements::table.find(id))
        .set((
            rattachements::method.eq(method::VALIDATION),
            rattachements::demande_id.eq(demande_id),
            rattachements::code_hash.eq(None::<String>),
            rattachements::code_expires_at.eq(None::<NaiveDateTime>),
            rattachements::updated_at.eq(now),
        ))
        .execute(conn)
}

/// The ids of the agents' requests that `account_id` made (its « demandes de
/// rattachement »), to list them in « Mes démarches ».
pub fn demandes_of_account(conn: &mut DbConn, account_id: &str) -> QueryResult<Vec<String>> {
    rattachements::table
        .filter(rattachements::account_id.eq(account_id))
        .filter(rattachements::demande_id.is_not_null())
        .select(rattachements::demande_id.assume_not_null())
        .load(conn)
}
