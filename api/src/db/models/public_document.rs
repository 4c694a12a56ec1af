//! The town's public documents.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::documents;

/// A row of `documents`.
#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = documents)]
pub struct DocumentRow {
    pub id: String,
    pub titre: String,
    pub categorie: String,
    pub display_name: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
}

/// Every document, by category then newest first.
pub fn list(conn: &mut DbConn) -> QueryResult<Vec<DocumentRow>> {
    documents::table
        .order((documents::categorie, documents::created_at.desc()))
        .select(DocumentRow::as_select())
        .load(conn)
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<DocumentRow> {
    documents::table
        .find(id)
        .select(DocumentRow::as_select())
        .first(conn)
}

pub fn insert(conn: &mut DbConn, row: &DocumentRow) -> QueryResult<()> {
    diesel::insert_into(documents::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Deletes a document; 0 when there is no such document.
pub fn delete(conn: &mut DbConn, id: &str) -> QueryResult<usize> {
    diesel::delete(documents::table.find(id)).execute(conn)
}

/// Which of these ids have a row (the others are orphan objects).
pub fn existing_ids(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<String>> {
    documents::table
        .filter(documents::id.eq_any(ids))
        .select(documents::id)
        .load(conn)
}
