//! `rate_counters`: events per limit, key and fixed window, shared by every server.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text, Timestamp};

use crate::db::DbConn;
use crate::db::schema::rate_counters;

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = Integer)]
    count: i32,
}

/// Counts one event and answers the window's count with it, in one statement: servers
/// counting the same key at once are serialised by the row, none is lost. (diesel's
/// multi-backend connection has no `ON CONFLICT`; both databases have the same SQL.)
pub fn increment(
    conn: &mut DbConn,
    bucket: &str,
    key: &str,
    window_start: NaiveDateTime,
) -> QueryResult<i32> {
    const UPSERT: &str = "INSERT INTO rate_counters (bucket, key, window_start, count) \
        VALUES ($1, $2, $3, 1) \
        ON CONFLICT (bucket, key, window_start) DO UPDATE SET count = rate_counters.count + 1 \
        RETURNING count";
    let counted = match conn {
        DbConn::Pg(pg) => diesel::sql_query(UPSERT)
            .bind::<Text, _>(bucket)
            .bind::<Text, _>(key)
            .bind::<Timestamp, _>(window_start)
            .get_result::<Counted>(pg)?,
        // The same statement with SQLite's numbered parameters.
        DbConn::Sqlite(sqlite) => diesel::sql_query(UPSERT.replace('$', "?"))
            .bind::<Text, _>(bucket)
            .bind::<Text, _>(key)
            .bind::<Timestamp, _>(window_start)
            .get_result::<Counted>(sqlite)?,
    };
    Ok(counted.count)
}

/// Takes back an event counted by [`increment`] (it was over the limit: refused events do
/// not count).
pub fn decrement(
    conn: &mut DbConn,
    bucket: &str,
    key: &str,
    window_start: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        rate_counters::table
            .find((bucket, key, window_start))
            .filter(rate_counters::count.gt(0)),
    )
    .set(rate_counters::count.eq(rate_counters::count - 1))
    .execute(conn)
}

/// The counts of `key` in the windows starting at `previous` and `current`.
pub fn counts(
    conn: &mut DbConn,
    bucket: &str,
    key: &str,
    previous: NaiveDateTime,
    current: NaiveDateTime,
) -> QueryResult<(i32, i32)> {
    let rows: Vec<(NaiveDateTime, i32)> = rate_counters::table
        .filter(rate_counters::bucket.eq(bucket))
        .filter(rate_counters::key.eq(key))
        .filter(rate_counters::window_start.eq_any([previous, current]))
        .select((rate_counters::window_start, rate_counters::count))
        .load(conn)?;
    let of = |start| {
        rows.iter()
            .find(|(at, _)| *at == start)
            .map_or(0, |(_, count)| *count)
    };
    Ok((of(previous), of(current)))
}

/// Forgets every window of `key`.
pub fn forget(conn: &mut DbConn, bucket: &str, key: &str) -> QueryResult<usize> {
    diesel::delete(
        rate_counters::table
            .filter(rate_counters::bucket.eq(bucket))
            .filter(rate_counters::key.eq(key)),
    )
    .execute(conn)
}

/// Deletes the windows that started before `before` (the longest limit is a day).
pub fn purge(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(rate_counters::table.filter(rate_counters::window_start.lt(before)))
        .execute(conn)
}
