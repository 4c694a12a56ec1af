//! The back office: town agents and administrators.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::api::dossier::{DemandeKind, DemandeStatus};

/// The signed-in staff member.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct StaffProfile {
    pub username: String,
    pub email: String,
    /// `agent` or `administrateur`.
    pub role: String,
}

/// One request in the agents' queue.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct QueueItem {
    pub demande_id: Uuid,
    pub dossier_id: Uuid,
    pub kind: DemandeKind,
    pub status: DemandeStatus,
    /// The dossier number, once the town gave one.
    pub numero: Option<String>,
    /// The responsable's prénom and nom.
    pub famille: String,
    pub submitted_at: Option<DateTime<Utc>>,
}

/// A page of the queue, oldest submission first.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Queue {
    pub items: Vec<QueueItem>,
    /// Requests matching the filters, over all pages.
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
    /// Requests waiting for validation, and the median time they have waited (hours).
    pub en_attente: u64,
    pub attente_mediane_heures: Option<f64>,
}
