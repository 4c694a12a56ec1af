//! Pièces justificatives: their metadata, and their files one by one. A dossier's pieces
//! are shown once its family sent the town a request (before, they are a draft's); a
//! piece replaced, deleted or purged leaves a tombstone.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::OptionalExtension;
use shared::api::integration::{IntegrationPiece, PieceChange, PieceChanges};

use crate::db::DbConn;
use crate::db::models::demande;
use crate::db::models::piece::{self, FileRow};
use crate::db::models::sync_change::{Change, resource};
use crate::documents::pieces::DossierPieces;
use crate::error::ApiError;
use crate::integrations::stored_id;
use crate::integrations::sync::{self, AuditedReads, PageRequest};

/// One page of piece changes for `application_id`, its reads written to the audit log;
/// `scanning`: whether the portal runs an antivirus (each file then says where it stands).
pub fn changes(
    conn: &mut DbConn,
    application_id: &str,
    request: &PageRequest,
    scanning: bool,
    now: NaiveDateTime,
) -> Result<PieceChanges, ApiError> {
    let today = shared::paris::today(now.and_utc());
    let mut audit = AuditedReads::new(application_id, Some("synchronisation des pièces"), now);
    // Each dossier's pieces are read once per page, whatever the number of its changes.
    let mut dossiers: HashMap<String, Option<DossierPieces>> = HashMap::new();
    let page = sync::page(conn, &[resource::PIECE], request, |conn, change| {
        if !dossiers.contains_key(&change.dossier_id) {
            let pieces = if demande::any_sent(conn, &change.dossier_id)? {
                Some(
                    DossierPieces::load(conn, &change.dossier_id, false)?
                        .with_scans(conn, scanning)?,
                )
            } else {
                None
            };
            dossiers.insert(change.dossier_id.clone(), pieces);
        }
        let dossier = dossiers.get(&change.dossier_id).and_then(Option::as_ref);
        let Some(dossier) = dossier else {
            // Gone with its dossier, or a draft's: a tombstone tells no more than the id.
            return tombstone_unless_draft(conn, change);
        };
        let piece = dossier.one(&change.object_id, today).transpose()?;
        if piece.is_some() {
            audit.read(conn, &change.dossier_id)?;
        }
        Ok(Some(PieceChange {
            id: stored_id(&change.object_id)?,
            dossier_id: stored_id(&change.dossier_id)?,
            deleted: piece.is_none(),
            changed_at: change.at.and_utc(),
            piece: piece
                .map(|piece| -> Result<_, ApiError> {
                    Ok(IntegrationPiece {
                        dossier_id: stored_id(&change.dossier_id)?,
                        piece,
                    })
                })
                .transpose()?,
        }))
    })?;
    Ok(PieceChanges {
        items: page.items,
        next_cursor: page.next_cursor,
        has_more: page.has_more,
    })
}

/// A change of a dossier whose pieces the application may not read: nothing if the piece
/// is still there (a draft's), a tombstone if it is gone.
fn tombstone_unless_draft(
    conn: &mut DbConn,
    change: &Change,
) -> Result<Option<PieceChange>, ApiError> {
    if piece::find_any(conn, &change.object_id)
        .optional()?
        .is_some()
    {
        return Ok(None);
    }
    Ok(Some(PieceChange {
        id: stored_id(&change.object_id)?,
        dossier_id: stored_id(&change.dossier_id)?,
        deleted: true,
        changed_at: change.at.and_utc(),
        piece: None,
    }))
}

/// One file of a piece the application may read (404 otherwise), the read audited.
pub fn file(
    conn: &mut DbConn,
    application_id: &str,
    piece_id: &str,
    file_id: &str,
    now: NaiveDateTime,
) -> Result<FileRow, ApiError> {
    let (found, _) = piece::find_any(conn, piece_id)
        .optional()?
        .ok_or(ApiError::NotFound)?;
    if !demande::any_sent(conn, &found.dossier_id)? {
        return Err(ApiError::NotFound);
    }
    let file = piece::find_file(conn, &found.dossier_id, piece_id, file_id)
        .optional()?
        .ok_or(ApiError::NotFound)?;
    AuditedReads::new(application_id, Some("fichier d'une pièce"), now)
        .read(conn, &found.dossier_id)?;
    Ok(file)
}
