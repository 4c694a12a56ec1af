//! Validated dossiers with their members and links. A dossier nobody validated yet is not
//! shown; a deleted dossier or member leaves a tombstone.

use chrono::NaiveDateTime;
use diesel::OptionalExtension;
use shared::api::dossier::AddressInput;
use shared::api::integration::{
    DossierChange, DossierChanges, IntegrationDossier, IntegrationMember, SyncResource,
};

use crate::db::DbConn;
use crate::db::models::dossier::{self, Dossier};
use crate::db::models::member;
use crate::db::models::sync_change::{Change, resource};
use crate::error::ApiError;
use crate::integrations::stored_id;
use crate::integrations::sync::{self, AuditedReads, PageRequest};

/// One page of dossier changes for `application_id`, its reads written to the audit log.
pub fn changes(
    conn: &mut DbConn,
    application_id: &str,
    request: &PageRequest,
    now: NaiveDateTime,
) -> Result<DossierChanges, ApiError> {
    let mut audit = AuditedReads::new(application_id, Some("synchronisation"), now);
    let page = sync::page(
        conn,
        &[resource::DOSSIER, resource::MEMBRE],
        request,
        |conn, change| {
            let item = item_of(conn, change)?;
            if let Some(read) = item.as_ref().and_then(|i| i.dossier.as_ref()) {
                audit.read(conn, &read.id.to_string())?;
            }
            Ok(item)
        },
    )?;
    Ok(DossierChanges {
        items: page.items,
        next_cursor: page.next_cursor,
        has_more: page.has_more,
    })
}

/// A validated dossier as an application reads it (404 otherwise), the read audited.
pub fn read(
    conn: &mut DbConn,
    application_id: &str,
    id: &str,
    now: NaiveDateTime,
) -> Result<IntegrationDossier, ApiError> {
    let view = current(conn, id)?.ok_or(ApiError::NotFound)?;
    AuditedReads::new(application_id, None, now).read(conn, id)?;
    Ok(view)
}

/// The dossier as applications see it now, if it is validated (not audited: for checks).
pub fn current(conn: &mut DbConn, id: &str) -> Result<Option<IntegrationDossier>, ApiError> {
    match dossier::find(conn, id).optional()? {
        Some(found) => view(conn, &found),
        None => Ok(None),
    }
}

/// What the application sees of one change: the dossier now, a tombstone, or nothing
/// (a dossier it may not read: not validated yet).
fn item_of(conn: &mut DbConn, change: &Change) -> Result<Option<DossierChange>, ApiError> {
    let resource = if change.resource == resource::MEMBRE {
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
            let view = view(conn, &found)?;
            item(false, view)
        }
        (SyncResource::Dossier, None) => item(true, None),
        // A member's tombstone: unless it came back (never: ids are not reused).
        (SyncResource::Membre, _) => item(true, None),
    }
}

/// The dossier with its members and links, if it is validated.
fn view(conn: &mut DbConn, found: &Dossier) -> Result<Option<IntegrationDossier>, ApiError> {
    let Some(numero) = found.numero.clone() else {
        return Ok(None);
    };
    let members = member::list(conn, &found.id)?
        .into_iter()
        .map(|row| {
            let reference_externe = row.reference_externe.clone();
            Ok(IntegrationMember {
                member: row.into_member()?,
                reference_externe,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let links = member::links(conn, &found.id)?;
    Ok(Some(IntegrationDossier {
        id: stored_id(&found.id)?,
        numero,
        version: found.version,
        reference_externe: found.reference_externe.clone(),
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
