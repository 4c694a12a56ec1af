//! « Consultations de mon dossier »: when the town's services viewed, downloaded from or
//! decided on a family's dossier (the service, not the person), and when a connected
//! application read it (by the application's name). Shown in « Consulter ma demande » and
//! part of the copy of one's data.

use std::collections::HashMap;

use shared::api::backoffice::Consultation;

use crate::db::DbConn;
use crate::db::models::{application, audit};
use crate::error::ApiError;
use crate::integrations::sync::APPLICATION_ROLE;

/// The consultations of dossier `dossier_id`, as the family reads them.
pub fn of_dossier(
    conn: &mut DbConn,
    dossier_id: &str,
    town: &str,
) -> Result<Vec<Consultation>, ApiError> {
    let entries = audit::for_dossier(conn, dossier_id)?;
    let application_ids: Vec<String> = entries
        .iter()
        .filter(|e| e.actor_role == APPLICATION_ROLE)
        .map(|e| e.actor_id.clone())
        .collect();
    let names: HashMap<String, String> = application::names(conn, &application_ids)?
        .into_iter()
        .collect();
    Ok(entries
        .into_iter()
        .map(|entry| Consultation {
            at: entry.at.and_utc(),
            service: match names.get(&entry.actor_id) {
                Some(name) if entry.actor_role == APPLICATION_ROLE => {
                    format!("Application connectée « {name} » — {town}")
                }
                _ => format!("Service famille — {town}"),
            },
            action: entry.action,
        })
        .collect())
}
