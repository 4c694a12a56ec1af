//! Inscriptions: every child's place, request or waiting-list rank in a période. An
//! inscription cancelled or refused is a tombstone that still says why; one gone with its
//! account is a bare tombstone.

use chrono::NaiveDateTime;
use shared::api::integration::{InscriptionChange, InscriptionChanges, IntegrationInscription};

use crate::db::DbConn;
use crate::db::models::inscription::{self, Inscription, statut};
use crate::db::models::periode;
use crate::db::models::sync_change::resource;
use crate::enum_text::from_text;
use crate::error::ApiError;
use crate::integrations::stored_id;
use crate::integrations::sync::{self, AuditedReads, PageRequest};

/// One page of inscription changes for `application_id`, its reads written to the audit
/// log.
pub fn changes(
    conn: &mut DbConn,
    application_id: &str,
    request: &PageRequest,
    now: NaiveDateTime,
) -> Result<InscriptionChanges, ApiError> {
    let mut audit = AuditedReads::new(
        application_id,
        Some("synchronisation des inscriptions"),
        now,
    );
    let page = sync::page(conn, &[resource::INSCRIPTION], request, |conn, change| {
        let (view, deleted) = match inscription::find(conn, &change.object_id)? {
            Some(found) => {
                audit.read(conn, &found.dossier_id)?;
                let ended = statut::ENDED.contains(&found.statut.as_str());
                (Some(view(conn, &found)?), ended)
            }
            None => (None, true),
        };
        Ok(Some(InscriptionChange {
            id: stored_id(&change.object_id)?,
            dossier_id: stored_id(&change.dossier_id)?,
            deleted,
            changed_at: change.at.and_utc(),
            inscription: view,
        }))
    })?;
    Ok(InscriptionChanges {
        items: page.items,
        next_cursor: page.next_cursor,
        has_more: page.has_more,
    })
}

/// One inscription (404 if there is none), the read audited.
pub fn read(
    conn: &mut DbConn,
    application_id: &str,
    id: &str,
    now: NaiveDateTime,
) -> Result<IntegrationInscription, ApiError> {
    let found = inscription::find(conn, id)?.ok_or(ApiError::NotFound)?;
    AuditedReads::new(application_id, Some("inscription"), now).read(conn, &found.dossier_id)?;
    view(conn, &found)
}

fn view(conn: &mut DbConn, found: &Inscription) -> Result<IntegrationInscription, ApiError> {
    let periode = periode::find(conn, &found.periode_id)?
        .ok_or_else(|| anyhow::anyhow!("inscription {} without its période", found.id))?;
    Ok(IntegrationInscription {
        id: stored_id(&found.id)?,
        dossier_id: stored_id(&found.dossier_id)?,
        activite_id: stored_id(&periode.activite_id)?,
        periode_id: stored_id(&found.periode_id)?,
        enfant_id: stored_id(&found.member_id)?,
        statut: from_text(&found.statut)?,
        rang: found.rang,
        par_agent: found.par_agent,
        offre_expire_at: found.offre_expire_at.map(|at| at.and_utc()),
        motif: found.motif.clone(),
        created_at: found.created_at.and_utc(),
        updated_at: found.updated_at.and_utc(),
    })
}
