//! The engine of incremental sync: pages of a feed's changes in the feed's order
//! ([`sync_change`]) and an opaque cursor where the next sync starts. A change committed
//! while an application pages is never skipped: it sorts after the cursor (see migration
//! 2026-12-07-000016). What each change shows is the feed's own business
//! ([`crate::integrations::feeds`]).

use std::collections::{HashMap, HashSet};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDateTime;

use crate::db::DbConn;
use crate::db::models::audit;
use crate::db::models::sync_change::{self, Change, Position};
use crate::error::ApiError;

/// Changes per page unless the application asks for fewer (at most [`MAX_PAGE`]).
pub const DEFAULT_PAGE: u32 = 100;
pub const MAX_PAGE: u32 = 500;

/// The audit log's role for what connected applications do.
pub const APPLICATION_ROLE: &str = "application";

/// Where a sync stands, written for the application as an opaque string.
pub fn encode_cursor(position: Position) -> String {
    URL_SAFE_NO_PAD.encode(format!("v1.{}.{}", position.txid, position.seq))
}

/// The position a cursor names; `None` if it is not one of ours.
pub fn decode_cursor(cursor: &str) -> Option<Position> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    let mut parts = text.strip_prefix("v1.")?.split('.');
    let txid = parts.next()?.parse().ok()?;
    let seq = parts.next()?.parse().ok()?;
    match parts.next() {
        None if txid >= 0 && seq >= 0 => Some(Position { txid, seq }),
        _ => None,
    }
}

/// What an application asked for.
pub struct PageRequest {
    /// Where its previous page ended; none for a first sync.
    pub cursor: Option<Position>,
    /// A first sync may start from a date instead of the beginning.
    pub updated_since: Option<NaiveDateTime>,
    pub limit: u32,
}

/// One page of a feed.
pub struct Page<T> {
    pub items: Vec<T>,
    /// Where the next page starts, for the application to keep.
    pub next_cursor: String,
    /// More changes are ready now.
    pub has_more: bool,
}

/// One page of the changes of `resources`, each shown by `show` (which leaves out what
/// the application may not see by answering `None`). Each changed object comes once, at
/// its last change in the page: the application reads its current state anyway.
pub fn page<T>(
    conn: &mut DbConn,
    resources: &[&str],
    request: &PageRequest,
    mut show: impl FnMut(&mut DbConn, &Change) -> Result<Option<T>, ApiError>,
) -> Result<Page<T>, ApiError> {
    let horizon = sync_change::horizon(conn)?;
    let start = request.cursor.unwrap_or_default();
    let since = request.updated_since.filter(|_| request.cursor.is_none());
    let limit = request.limit.clamp(1, MAX_PAGE);
    let mut rows =
        sync_change::after(conn, resources, start, horizon, since, i64::from(limit) + 1)?;
    let has_more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = match rows.last() {
        Some(row) => row.position(),
        // Nothing new: a first sync from a date has still seen everything until now.
        None if since.is_some() => sync_change::last(conn, resources, horizon)?
            .unwrap_or(start)
            .max(start),
        None => start,
    };
    let mut items = Vec::new();
    for change in latest_per_object(rows) {
        if let Some(item) = show(conn, &change)? {
            items.push(item);
        }
    }
    Ok(Page {
        items,
        next_cursor: encode_cursor(next),
        has_more,
    })
}

/// An application's reads of families' dossiers during one request, written into the
/// audit log once per dossier: the family sees them in « Consultations de mon dossier »
/// under the application's name.
pub struct AuditedReads<'a> {
    application_id: &'a str,
    /// What the entries say was read (e.g. « synchronisation des pièces »).
    detail: Option<&'static str>,
    now: NaiveDateTime,
    written: HashSet<String>,
}

impl<'a> AuditedReads<'a> {
    pub fn new(application_id: &'a str, detail: Option<&'static str>, now: NaiveDateTime) -> Self {
        Self {
            application_id,
            detail,
            now,
            written: HashSet::new(),
        }
    }

    /// Records a read of `dossier_id`, unless this request recorded it already.
    pub fn read(&mut self, conn: &mut DbConn, dossier_id: &str) -> Result<(), ApiError> {
        if !self.written.insert(dossier_id.to_string()) {
            return Ok(());
        }
        audit::record(
            conn,
            &audit::Entry {
                actor_account_id: self.application_id,
                actor_role: APPLICATION_ROLE,
                action: audit::action::CONSULTATION,
                dossier_id,
                object_id: None,
                detail: self.detail,
            },
            self.now,
        )?;
        Ok(())
    }
}

/// Each changed object once, at its last change in the page, in the feed's order.
fn latest_per_object(rows: Vec<Change>) -> Vec<Change> {
    let mut last: HashMap<(String, String), usize> = HashMap::new();
    for (index, row) in rows.iter().enumerate() {
        last.insert((row.resource.clone(), row.object_id.clone()), index);
    }
    rows.into_iter()
        .enumerate()
        .filter(|(index, row)| {
            last.get(&(row.resource.clone(), row.object_id.clone())) == Some(index)
        })
        .map(|(_, row)| row)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_names_its_position_and_nothing_else_is_one() {
        let position = Position {
            txid: 812,
            seq: 4_096,
        };
        assert_eq!(decode_cursor(&encode_cursor(position)), Some(position));
        for forged in [
            "",
            "djEuMS4y!",
            "v1.1.2",
            &URL_SAFE_NO_PAD.encode("v1.-1.2"),
            &URL_SAFE_NO_PAD.encode("v1.1.2.3"),
            &URL_SAFE_NO_PAD.encode("v2.1.2"),
        ] {
            assert_eq!(decode_cursor(forged), None, "{forged:?}");
        }
    }
}
