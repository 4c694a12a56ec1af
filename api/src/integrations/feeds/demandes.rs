//! Requests (démarches) and their history. A request is shown once its family submitted
//! it: drafts are the family's own business. A deleted request leaves a tombstone.

use chrono::NaiveDateTime;
use diesel::OptionalExtension;
use shared::api::dossier::DemandeStatus;
use shared::api::integration::{DemandeChange, DemandeChanges, IntegrationDemande};

use crate::db::DbConn;
use crate::db::models::demande::{self, Demande};
use crate::db::models::sync_change::resource;
use crate::error::ApiError;
use crate::integrations::stored_id;
use crate::integrations::sync::{self, AuditedReads, PageRequest};

/// One page of request changes for `application_id`, its reads written to the audit log.
pub fn changes(
    conn: &mut DbConn,
    application_id: &str,
    request: &PageRequest,
    now: NaiveDateTime,
) -> Result<DemandeChanges, ApiError> {
    let mut audit = AuditedReads::new(application_id, Some("synchronisation des demandes"), now);
    let page = sync::page(conn, &[resource::DEMANDE], request, |conn, change| {
        let found = demande::find(conn, &change.object_id).optional()?;
        if let Some(found) = &found
            && !submitted(found)?
        {
            return Ok(None);
        }
        let view = match found {
            Some(found) => {
                audit.read(conn, &found.dossier_id)?;
                Some(view(conn, &found)?)
            }
            None => None,
        };
        Ok(Some(DemandeChange {
            id: stored_id(&change.object_id)?,
            dossier_id: stored_id(&change.dossier_id)?,
            deleted: view.is_none(),
            changed_at: change.at.and_utc(),
            demande: view,
        }))
    })?;
    Ok(DemandeChanges {
        items: page.items,
        next_cursor: page.next_cursor,
        has_more: page.has_more,
    })
}

/// One submitted request (404 otherwise), the read audited.
pub fn read(
    conn: &mut DbConn,
    application_id: &str,
    id: &str,
    now: NaiveDateTime,
) -> Result<IntegrationDemande, ApiError> {
    let view = current(conn, id)?.ok_or(ApiError::NotFound)?;
    let dossier_id = view.summary.dossier_id.to_string();
    AuditedReads::new(application_id, Some("demande"), now).read(conn, &dossier_id)?;
    Ok(view)
}

/// The request as applications see it now, if it was submitted (not audited: for checks).
pub fn current(conn: &mut DbConn, id: &str) -> Result<Option<IntegrationDemande>, ApiError> {
    match demande::find(conn, id).optional()? {
        Some(found) if submitted(&found)? => Ok(Some(view(conn, &found)?)),
        _ => Ok(None),
    }
}

/// Whether the family has sent it to the town (a draft is not shown).
fn submitted(found: &Demande) -> Result<bool, ApiError> {
    Ok(found.status()? != DemandeStatus::Brouillon)
}

fn view(conn: &mut DbConn, found: &Demande) -> Result<IntegrationDemande, ApiError> {
    Ok(IntegrationDemande {
        summary: found.summary()?,
        observation: found.observation.clone(),
        agent_message: found.agent_message.clone(),
        history: demande::history(conn, &found.id)?,
    })
}
