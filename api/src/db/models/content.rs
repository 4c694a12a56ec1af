//! Published content: actualités and the FAQ.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared::api::content::{Actualite, ActualiteInput, FaqEntry, FaqInput};

use crate::db::schema::{actualites, faq};
use crate::db::{DbConn, new_id};

type ActualiteRow = (String, String, String, NaiveDateTime, bool);

fn actualite(row: ActualiteRow) -> anyhow::Result<Actualite> {
    Ok(Actualite {
        id: row.0.parse()?,
        titre: row.1,
        corps: row.2,
        publie_le: row.3.and_utc(),
        a_la_une: row.4,
    })
}

/// Which news a list holds.
#[derive(Clone, Copy, Debug)]
pub struct NewsFilter {
    /// Only news published by then (the public); `None` for every item, scheduled ones
    /// included (staff).
    pub published_by: Option<NaiveDateTime>,
    /// Only news « à la une ».
    pub a_la_une: bool,
}

/// News, newest first: one page and the total.
pub fn list(
    conn: &mut DbConn,
    filter: NewsFilter,
    offset: i64,
    limit: i64,
) -> anyhow::Result<(Vec<Actualite>, i64)> {
    let filtered = || {
        let mut query = actualites::table.into_boxed();
        if let Some(now) = filter.published_by {
            query = query.filter(actualites::publie_le.le(now));
        }
        if filter.a_la_une {
            query = query.filter(actualites::a_la_une.eq(true));
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let rows: Vec<ActualiteRow> = filtered()
        .order((actualites::publie_le.desc(), actualites::id))
        .offset(offset)
        .limit(limit)
        .select((
            actualites::id,
            actualites::titre,
            actualites::corps,
            actualites::publie_le,
            actualites::a_la_une,
        ))
        .load(conn)?;
    Ok((
        rows.into_iter()
            .map(actualite)
            .collect::<anyhow::Result<_>>()?,
        total,
    ))
}

/// One news item; `published_by` hides scheduled ones from the public.
pub fn find(
    conn: &mut DbConn,
    id: &str,
    published_by: Option<NaiveDateTime>,
) -> anyhow::Result<Option<Actualite>> {
    let mut query = actualites::table
        .filter(actualites::id.eq(id))
        .select((
            actualites::id,
            actualites::titre,
            actualites::corps,
            actualites::publie_le,
            actualites::a_la_une,
        ))
        .into_boxed();
    if let Some(now) = published_by {
        query = query.filter(actualites::publie_le.le(now));
    }
    let row: Option<ActualiteRow> = query.first(conn).optional()?;
    row.map(actualite).transpose()
}

/// Creates a news item; answers its id.
pub fn insert_actualite(
    conn: &mut DbConn,
    input: &ActualiteInput,
    author: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let id = new_id();
    diesel::insert_into(actualites::table)
        .values((
            actualites::id.eq(&id),
            actualites::titre.eq(input.titre.trim()),
            actualites::corps.eq(&input.corps),
            actualites::publie_le.eq(input.publie_le.naive_utc()),
            actualites::a_la_une.eq(input.a_la_une),
            actualites::created_by.eq(author),
            actualites::created_at.eq(now),
            actualites::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Changes a news item; 0 when there is no such item.
pub fn update_actualite(
    conn: &mut DbConn,
    id: &str,
    input: &ActualiteInput,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(actualites::table.find(id))
        .set((
            actualites::titre.eq(input.titre.trim()),
            actualites::corps.eq(&input.corps),
            actualites::publie_le.eq(input.publie_le.naive_utc()),
            actualites::a_la_une.eq(input.a_la_une),
            actualites::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn delete_actualite(conn: &mut DbConn, id: &str) -> QueryResult<usize> {
    diesel::delete(actualites::table.find(id)).execute(conn)
}

/// The FAQ in display order.
pub fn faq_entries(conn: &mut DbConn) -> anyhow::Result<Vec<FaqEntry>> {
    let rows: Vec<(String, String, String, String, i32)> = faq::table
        .order((faq::categorie, faq::position, faq::id))
        .select((
            faq::id,
            faq::question,
            faq::reponse,
            faq::categorie,
            faq::position,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|r| {
            Ok(FaqEntry {
                id: r.0.parse()?,
                question: r.1,
                reponse: r.2,
                categorie: r.3,
                position: r.4,
            })
        })
        .collect()
}

/// Creates a FAQ entry; answers its id.
pub fn insert_faq(conn: &mut DbConn, input: &FaqInput, now: NaiveDateTime) -> QueryResult<String> {
    let id = new_id();
    diesel::insert_into(faq::table)
        .values((
            faq::id.eq(&id),
            faq::question.eq(input.question.trim()),
            faq::reponse.eq(&input.reponse),
            faq::categorie.eq(input.categorie.trim()),
            faq::position.eq(input.position),
            faq::created_at.eq(now),
            faq::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Changes a FAQ entry; 0 when there is no such entry.
pub fn update_faq(
    conn: &mut DbConn,
    id: &str,
    input: &FaqInput,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(faq::table.find(id))
        .set((
            faq::question.eq(input.question.trim()),
            faq::reponse.eq(&input.reponse),
            faq::categorie.eq(input.categorie.trim()),
            faq::position.eq(input.position),
            faq::updated_at.eq(now),
        ))
        .execute(conn)
}

pub fn delete_faq(conn: &mut DbConn, id: &str) -> QueryResult<usize> {
    diesel::delete(faq::table.find(id)).execute(conn)
}

/// One FAQ entry.
pub fn find_faq(conn: &mut DbConn, id: &str) -> anyhow::Result<Option<FaqEntry>> {
    Ok(faq_entries(conn)?
        .into_iter()
        .find(|e| e.id.to_string() == id))
}

/// Whether any news item exists (demo content is loaded once).
pub fn has_actualites(conn: &mut DbConn) -> QueryResult<bool> {
    let count: i64 = actualites::table.count().get_result(conn)?;
    Ok(count > 0)
}
