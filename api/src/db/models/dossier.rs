//! Dossiers famille, the accounts linked to them, and their version (optimistic locking).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{dossier_accounts, dossiers};
use crate::db::{DbConn, new_id};

/// A row of `dossiers`.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = dossiers)]
pub struct Dossier {
    pub id: String,
    pub numero: Option<String>,
    pub adresse: Option<String>,
    pub code_postal: Option<String>,
    pub commune: Option<String>,
    pub version: i32,
    /// The address on record for codes of rattachement (SECURITY.md A-15).
    pub contact_email: Option<String>,
    pub updated_at: NaiveDateTime,
    /// The town's own id for the household (connected applications only).
    pub reference_externe: Option<String>,
}

/// Creates an empty dossier (version 1) and links `account_id` to it.
pub fn create(
    conn: &mut DbConn,
    account_id: &str,
    numero: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let id = new_id();
    diesel::insert_into(dossiers::table)
        .values((
            dossiers::id.eq(&id),
            dossiers::numero.eq(numero),
            dossiers::version.eq(1),
            dossiers::created_at.eq(now),
            dossiers::updated_at.eq(now),
        ))
        .execute(conn)?;
    link_account(conn, account_id, &id, now)?;
    Ok(id)
}

/// Links an account to a dossier (an account sees one dossier).
pub fn link_account(
    conn: &mut DbConn,
    account_id: &str,
    dossier_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::insert_into(dossier_accounts::table)
        .values((
            dossier_accounts::account_id.eq(account_id),
            dossier_accounts::dossier_id.eq(dossier_id),
            dossier_accounts::linked_at.eq(now),
        ))
        .execute(conn)
}

/// The dossier the account is linked to, if any.
pub fn of_account(conn: &mut DbConn, account_id: &str) -> QueryResult<Option<Dossier>> {
    dossiers::table
        .inner_join(dossier_accounts::table)
        .filter(dossier_accounts::account_id.eq(account_id))
        .select(Dossier::as_select())
        .first(conn)
        .optional()
}

/// The dossier `id` if `account_id` is linked to it. Another family's dossier and a
/// dossier that does not exist look the same: not found (SECURITY.md C-01).
pub fn find_for_account(conn: &mut DbConn, id: &str, account_id: &str) -> QueryResult<Dossier> {
    dossiers::table
        .inner_join(dossier_accounts::table)
        .filter(dossiers::id.eq(id))
        .filter(dossier_accounts::account_id.eq(account_id))
        .select(Dossier::as_select())
        .first(conn)
}

/// The version a write was made against: `If-Match: "7"`, or `If-Match: *` (any current
/// version: the client knowingly overwrites, RFC 9110 §13.1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    Version(i32),
    Any,
}

/// Moves the dossier from `expected` to the next version; false when someone else changed
/// it first (the caller answers 412). A single conditional UPDATE: of two concurrent
/// writers holding the same version, exactly one wins (SECURITY.md H-01).
pub fn bump_version(
    conn: &mut DbConn,
    id: &str,
    expected: Expected,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let rows = match expected {
        Expected::Version(version) => diesel::update(
            dossiers::table
                .find(id)
                .filter(dossiers::version.eq(version)),
        )
        .set((
            dossiers::version.eq(version + 1),
            dossiers::updated_at.eq(now),
        ))
        .execute(conn)?,
        Expected::Any => diesel::update(dossiers::table.find(id))
            .set((
                dossiers::version.eq(dossiers::version + 1),
                dossiers::updated_at.eq(now),
            ))
            .execute(conn)?,
    };
    if rows == 1 {
        tell_changed(conn, id, now)?;
    }
    Ok(rows == 1)
}

/// `dossier.modifie` to the applications listening, in the same transaction, when the
/// dossier is validated (they read validated dossiers only): on each change, and when it
/// gets its number (it becomes readable).
fn tell_changed(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<()> {
    let (numero, version): (Option<String>, i32) = dossiers::table
        .find(id)
        .select((dossiers::numero, dossiers::version))
        .first(conn)?;
    let Some(numero) = numero else {
        return Ok(());
    };
    crate::db::models::webhook::emit(
        conn,
        shared::api::integration::WebhookEventType::DossierModifie,
        |_| {
            Ok(serde_json::json!({
                "dossier_id": id,
                "numero": numero,
                "version": version,
            }))
        },
        now,
    )
    .map(|_| ())
}

/// Sets the household's address.
pub fn set_address(
    conn: &mut DbConn,
    id: &str,
    adresse: Option<&str>,
    code_postal: Option<&str>,
    commune: Option<&str>,
) -> QueryResult<usize> {
    diesel::update(dossiers::table.find(id))
        .set((
            dossiers::adresse.eq(adresse),
            dossiers::code_postal.eq(code_postal),
            dossiers::commune.eq(commune),
        ))
        .execute(conn)
}

/// The email addresses of the accounts linked to a dossier (for notifications).
pub fn account_emails(conn: &mut DbConn, dossier_id: &str) -> QueryResult<Vec<(String, String)>> {
    use crate::db::schema::accounts;
    dossier_accounts::table
        .inner_join(accounts::table)
        .filter(dossier_accounts::dossier_id.eq(dossier_id))
        .order(dossier_accounts::linked_at.asc())
        .select((accounts::email, accounts::username))
        .load(conn)
}

/// The accounts linked to a dossier: (account id, username, linked at), oldest first.
pub fn linked_accounts(
    conn: &mut DbConn,
    dossier_id: &str,
) -> QueryResult<Vec<(String, String, NaiveDateTime)>> {
    use crate::db::schema::accounts;
    dossier_accounts::table
        .inner_join(accounts::table)
        .filter(dossier_accounts::dossier_id.eq(dossier_id))
        .order((dossier_accounts::linked_at.asc(), accounts::username.asc()))
        .select((
            accounts::id,
            accounts::username,
            dossier_accounts::linked_at,
        ))
        .load(conn)
}

/// Sets (or clears) the address on record where codes of rattachement go.
pub fn set_contact_email(conn: &mut DbConn, id: &str, email: Option<&str>) -> QueryResult<usize> {
    diesel::update(dossiers::table.find(id))
        .set(dossiers::contact_email.eq(email))
        .execute(conn)
}

/// The dossier `id` (callers have checked access another way).
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Dossier> {
    dossiers::table
        .find(id)
        .select(Dossier::as_select())
        .first(conn)
}

/// Gives a validated dossier its number: the next value of the `dossier_numero` counter
/// not already used (imported dossiers keep theirs). Runs inside the decision's transaction.
pub fn assign_numero(conn: &mut DbConn, id: &str) -> QueryResult<String> {
    use crate::db::schema::counters;
    loop {
        let current: i64 = counters::table
            .find("dossier_numero")
            .select(counters::value)
            .first(conn)?;
        let next = current + 1;
        // Conditional: a concurrent validation that took this value makes us read again.
        let taken = diesel::update(
            counters::table
                .find("dossier_numero")
                .filter(counters::value.eq(current)),
        )
        .set(counters::value.eq(next))
        .execute(conn)?;
        if taken == 0 {
            continue;
        }
        let numero = next.to_string();
        let used: i64 = dossiers::table
            .filter(dossiers::numero.eq(&numero))
            .count()
            .get_result(conn)?;
        if used == 0 {
            diesel::update(dossiers::table.find(id))
                .set(dossiers::numero.eq(&numero))
                .execute(conn)?;
            // Readable by applications from now on.
            tell_changed(conn, id, crate::db::now())?;
            return Ok(numero);
        }
    }
}

/// The id of the dossier numbered `numero`, if any.
pub fn find_by_numero(conn: &mut DbConn, numero: &str) -> QueryResult<Option<String>> {
    dossiers::table
        .filter(dossiers::numero.eq(numero))
        .select(dossiers::id)
        .first(conn)
        .optional()
}

/// Holds the dossier's row until the transaction ends, so that checks over the dossier's
/// rows (the pieces' quota) see every earlier writer's result. PostgreSQL needs the row
/// lock: under READ COMMITTED two uploads could each count the files before the other
/// committed and both pass. SQLite write transactions (`BEGIN IMMEDIATE`) already run one
/// at a time.
pub fn lock(conn: &mut DbConn, id: &str) -> QueryResult<()> {
    if let DbConn::Pg(pg) = conn {
        dossiers::table
            .find(id)
            .select(dossiers::id)
            .for_update()
            .first::<String>(pg)?;
    }
    Ok(())
}

/// Deletes dossier `id` with its members, links, requests, pieces and their file rows
/// (foreign keys `ON DELETE CASCADE`): a dossier the town never received. Answers the ids
/// of the stored files, to delete from the store after the commit.
pub fn delete(conn: &mut DbConn, id: &str) -> QueryResult<Vec<String>> {
    use crate::db::schema::{piece_files, pieces};
    let files: Vec<String> = piece_files::table
        .inner_join(pieces::table)
        .filter(pieces::dossier_id.eq(id))
        .select(piece_files::id)
        .load(conn)?;
    diesel::delete(dossiers::table.find(id)).execute(conn)?;
    Ok(files)
}
