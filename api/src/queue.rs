//! The agents' queue of requests: a status's requests, oldest submission first, filtered
//! by kind and by a family's name or dossier number, a page of them, with how many wait
//! for validation and their median wait.

use shared::api::backoffice::{Queue, QueueItem};
use shared::api::dossier::{DemandeKind, DemandeStatus, Role};

use crate::db::DbConn;
use crate::db::models::{demande, dossier, member};
use crate::enum_text::to_text;
use crate::error::ApiError;

/// What the agent asked for.
pub struct Filter {
    pub status: DemandeStatus,
    pub kind: Option<DemandeKind>,
    /// Folded (see `fold_name`); `None` for no search.
    pub search: Option<String>,
    /// From 1.
    pub page: u32,
    pub per_page: u32,
}

/// The page of the queue `filter` asks for, at `now`.
pub fn page(
    conn: &mut DbConn,
    filter: &Filter,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Queue, ApiError> {
    let (status, kind, search, page, per_page) = (
        filter.status,
        filter.kind,
        &filter.search,
        filter.page,
        filter.per_page,
    );
    let (en_attente, attente_mediane_heures) = waiting_stats(conn, now)?;
    let mut listed = demande::list_in_status(conn, status)?;
    if let Some(kind) = kind {
        let kind = crate::enum_text::to_text(&kind);
        listed.retain(|d| d.kind == kind);
    }
    if let Some(search) = &search {
        let named = member::dossiers_named(conn, search)?;
        let numbered = dossier::find_by_numero(conn, search)?;
        listed
            .retain(|d| named.contains(&d.dossier_id) || numbered.as_ref() == Some(&d.dossier_id));
    }
    let total = listed.len() as u64;
    let start = usize::try_from(u64::from(page - 1) * u64::from(per_page)).unwrap_or(usize::MAX);
    // Only the page shown is looked up further.
    let items = listed
        .into_iter()
        .skip(start)
        .take(per_page as usize)
        .map(|found| queue_item(conn, found))
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(Queue {
        items,
        total,
        page,
        per_page,
        en_attente,
        attente_mediane_heures,
    })
}

/// How many requests wait for validation, and their median wait in hours, at `now`.
pub fn waiting_stats(
    conn: &mut DbConn,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(u64, Option<f64>), ApiError> {
    let mut waits: Vec<f64> = demande::list_in_status(conn, DemandeStatus::EnAttenteValidation)?
        .iter()
        .filter_map(|d| d.submitted_at)
        .map(|at| (now - at.and_utc()).num_minutes() as f64 / 60.0)
        .collect();
    let count = waits.len() as u64;
    if waits.is_empty() {
        return Ok((0, None));
    }
    waits.sort_by(f64::total_cmp);
    let middle = waits.len() / 2;
    let median = if waits.len().is_multiple_of(2) {
        (waits[middle - 1] + waits[middle]) / 2.0
    } else {
        waits[middle]
    };
    Ok((count, Some(median)))
}

/// One row of the queue: the request, its dossier number and the responsable's name.
fn queue_item(conn: &mut DbConn, found: demande::Demande) -> Result<QueueItem, ApiError> {
    let folder = dossier::find(conn, &found.dossier_id)?;
    let famille = member::list(conn, &folder.id)?
        .into_iter()
        .find(|m| m.role == to_text(&Role::Responsable))
        .map(|m| {
            [m.prenom, m.nom]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    let summary = found.summary()?;
    Ok(QueueItem {
        demande_id: summary.id,
        dossier_id: summary.dossier_id,
        kind: summary.kind,
        status: summary.status,
        numero: folder.numero,
        famille,
        submitted_at: summary.submitted_at,
    })
}
