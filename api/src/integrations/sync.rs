//! Incremental sync of validated dossiers: pages of changes in the feed's order
//! ([`sync_change`]), each the dossier as it is now or a tombstone, and an opaque cursor
//! where the next sync starts. A change committed while an application pages is never
//! skipped: it sorts after the cursor (see migration 2026-12-07-000016).

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDateTime;
use diesel::OptionalExtension;
use shared::api::dossier::AddressInput;
use shared::api::integration::{DossierChange, DossierChanges, IntegrationDossier, SyncResource};

use crate::db::DbConn;
use crate::db::models::audit;
use crate::db::models::dossier::{self, Dossier};
use crate::db::models::member;
use crate::db::models::sync_change::{self, Change, Position};
use crate::error::ApiError;
use crate::integrations::stored_id;

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

/// One page of dossier changes for `application_id`, its reads written to the audit log.
pub fn dossier_changes(
    conn: &mut DbConn,
    application_id: &str,
    request: &PageRequest,
    now: NaiveDateTime,
) -> Result<DossierChanges, ApiError> {
    let horizon = sync_change::horizon(conn)?;
    let start = request.cursor.unwrap_or_default();
    let since = request.updated_since.filter(|_| request.cursor.is_none());
    let limit = request.limit.clamp(1, MAX_PAGE);
    let mut rows = sync_change::after(conn, start, horizon, since, i64::from(limit) + 1)?;
    let has_more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = match rows.last() {
        Some(row) => row.position(),
        // Nothing new: a first sync from a date has still seen everything until now.
        None if since.is_some() => sync_change::last(conn, horizon)?
            .unwrap_or(start)
            .max(start),
        None => start,
    };
    let mut items = Vec::new();
    for change in latest_per_object(rows) {
        if let Some(item) = item_of(conn, &change)? {
            if let Some(read) = &item.dossier {
                audit::record(
                    conn,
                    &audit::Entry {
                        actor_account_id: application_id,
                        actor_role: APPLICATION_ROLE,
                        action: audit::action::CONSULTATION,
                        dossier_id: &read.id.to_string(),
                        object_id: None,
                        detail: Some("synchronisation"),
                    },
                    now,
                )?;
            }
            items.push(item);
        }
    }
    Ok(DossierChanges {
        items,
        next_cursor: encode_cursor(next),
        has_more,
    })
}

/// A validated dossier as an application reads it (404 otherwise), the read audited.
pub fn read_dossier(
    conn: &mut DbConn,
    application_id: &str,
    id: &str,
    now: NaiveDateTime,
) -> Result<IntegrationDossier, ApiError> {
    let found = dossier::find(conn, id)
        .optional()?
        .ok_or(ApiError::NotFound)?;
    let view = integration_view(conn, &found)?.ok_or(ApiError::NotFound)?;
    audit::record(
        conn,
        &audit::Entry {
            actor_account_id: application_id,
            actor_role: APPLICATION_ROLE,
            action: audit::action::CONSULTATION,
            dossier_id: &found.id,
            object_id: None,
            detail: None,
        },
        now,
    )?;
    Ok(view)
}

/// Each changed object once, at its last change in the page, in the feed's order: the
/// application reads the current state anyway.
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

/// What the application sees of one change: the dossier now, a tombstone, or nothing
/// (a dossier it may not read: not validated yet).
fn item_of(conn: &mut DbConn, change: &Change) -> Result<Option<DossierChange>, ApiError> {
    let resource = if change.resource == "membre" {
        SyncResource::Membre
    } else {
        SyncResource::Dossier
    };
    let current = dossier::find(conn, &change.dossier_id).optional()?;
    // A dossier nobody validated was never shown: neither are its changes.
    if current.as_ref().is_some_and(|d| d.numero.is_none()) {
        return Ok(None);
    }
    let item = |deleted: bool, dossier: Option<IntegrationDossier>| -> Result<_, ApiError> {
        Ok(Some(DossierChange {
            resource,
            id: stored_id(&change.object_id)?,
            dossier_id: stored_id(&change.dossier_id)?,
            deleted,
            changed_at: change.at.and_utc(),
            dossier,
        }))
    };
    match (resource, current) {
        (SyncResource::Dossier, Some(found)) => {
            let view = integration_view(conn, &found)?;
            item(false, view)
        }
        (SyncResource::Dossier, None) => item(true, None),
        // A member's tombstone: unless it came back (never: ids are not reused).
        (SyncResource::Membre, _) => item(true, None),
    }
}

/// The dossier with its members and links, if it is validated.
fn integration_view(
    conn: &mut DbConn,
    found: &Dossier,
) -> Result<Option<IntegrationDossier>, ApiError> {
    let Some(numero) = found.numero.clone() else {
        return Ok(None);
    };
    let members = member::list(conn, &found.id)?
        .into_iter()
        .map(member::MemberRow::into_member)
        .collect::<anyhow::Result<Vec<_>>>()?;
    let links = member::links(conn, &found.id)?;
    Ok(Some(IntegrationDossier {
        id: stored_id(&found.id)?,
        numero,
        version: found.version,
        address: AddressInput {
            adresse: found.adresse.clone(),
            code_postal: found.code_postal.clone(),
            commune: found.commune.clone(),
        },
        members,
        links,
        updated_at: found.updated_at.and_utc(),
    }))
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
