//! The change feed an incremental sync reads (`sync_changes`, written by triggers: see
//! migration 2026-12-07-000016 for why its order is (txid, seq)).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::db::DbConn;
use crate::db::schema::sync_changes;

/// Where a reader stands in the feed: after the change at (txid, seq).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub txid: i64,
    pub seq: i64,
}

/// The feed each kind of change belongs to (`sync_changes.resource`).
pub mod resource {
    pub const DOSSIER: &str = "dossier";
    pub const MEMBRE: &str = "membre";
    pub const DEMANDE: &str = "demande";
    pub const PIECE: &str = "piece";
    pub const INSCRIPTION: &str = "inscription";
    /// The catalogue: an activité and its périodes (no dossier).
    pub const ACTIVITE: &str = "activite";
}

/// One change.
#[derive(Queryable, Selectable, Debug, Clone)]
#[diesel(table_name = sync_changes)]
pub struct Change {
    pub seq: i64,
    pub txid: i64,
    /// One of [`resource`].
    pub resource: String,
    pub object_id: String,
    pub dossier_id: String,
    pub deleted: bool,
    pub at: NaiveDateTime,
}

impl Change {
    pub fn position(&self) -> Position {
        Position {
            txid: self.txid,
            seq: self.seq,
        }
    }
}

#[derive(QueryableByName)]
struct Horizon {
    #[diesel(sql_type = BigInt)]
    xmin: i64,
}

/// The first transaction id that may still be running: every change below it is final.
/// SQLite writes one transaction at a time, so all it has written is final.
pub fn horizon(conn: &mut DbConn) -> QueryResult<i64> {
    match conn {
        DbConn::Pg(pg) => diesel::sql_query(
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin",
        )
        .get_result::<Horizon>(pg)
        .map(|h| h.xmin),
        DbConn::Sqlite(_) => Ok(i64::MAX),
    }
}

/// Up to `limit` final changes of `resources` after `after` (those at or after `since`,
/// if given), in feed order.
pub fn after(
    conn: &mut DbConn,
    resources: &[&str],
    after: Position,
    horizon: i64,
    since: Option<NaiveDateTime>,
    limit: i64,
) -> QueryResult<Vec<Change>> {
    let mut query = sync_changes::table
        .filter(sync_changes::resource.eq_any(resources))
        .filter(sync_changes::txid.lt(horizon))
        .filter(
            sync_changes::txid.gt(after.txid).or(sync_changes::txid
                .eq(after.txid)
                .and(sync_changes::seq.gt(after.seq))),
        )
        .order((sync_changes::txid, sync_changes::seq))
        .limit(limit)
        .select(Change::as_select())
        .into_boxed();
    if let Some(since) = since {
        query = query.filter(sync_changes::at.ge(since));
    }
    query.load(conn)
}

/// The last final change of `resources`, where a reader that has seen everything stands.
pub fn last(conn: &mut DbConn, resources: &[&str], horizon: i64) -> QueryResult<Option<Position>> {
    sync_changes::table
        .filter(sync_changes::resource.eq_any(resources))
        .filter(sync_changes::txid.lt(horizon))
        .order((sync_changes::txid.desc(), sync_changes::seq.desc()))
        .select((sync_changes::txid, sync_changes::seq))
        .first::<(i64, i64)>(conn)
        .optional()
        .map(|found| found.map(|(txid, seq)| Position { txid, seq }))
}
