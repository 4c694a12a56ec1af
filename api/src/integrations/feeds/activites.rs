//! The catalogue: each changed activité with all its périodes, published or not, as the
//! back office sees it. No family's data: nothing to audit.

use shared::api::integration::{ActiviteChange, ActiviteChanges};

use crate::activities::admin;
use crate::db::DbConn;
use crate::db::models::activite;
use crate::db::models::sync_change::resource;
use crate::error::ApiError;
use crate::integrations::stored_id;
use crate::integrations::sync::{self, PageRequest};

/// One page of catalogue changes.
pub fn changes(conn: &mut DbConn, request: &PageRequest) -> Result<ActiviteChanges, ApiError> {
    let page = sync::page(conn, &[resource::ACTIVITE], request, |conn, change| {
        let view = match activite::find(conn, &change.object_id)? {
            Some(_) => Some(admin::agent_view(conn, &change.object_id)?),
            None => None,
        };
        Ok(Some(ActiviteChange {
            id: stored_id(&change.object_id)?,
            deleted: view.is_none(),
            changed_at: change.at.and_utc(),
            activite: view,
        }))
    })?;
    Ok(ActiviteChanges {
        items: page.items,
        next_cursor: page.next_cursor,
        has_more: page.has_more,
    })
}
