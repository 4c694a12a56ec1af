//! Public content: the town's settings and the terms of use (CGU).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What the header and the home page show.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TownResponse {
    /// « Ville de Chartres ».
    pub name: String,
    /// « Votre espace vie scolaire et sportive ».
    pub tagline: String,
    /// How long connections are logged, in days (shown on the consent page).
    pub connection_log_retention_days: u32,
}

/// The current CGU version.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TermsResponse {
    pub version: i32,
    pub published_at: DateTime<Utc>,
    /// Plain text; paragraphs separated by blank lines.
    pub text: String,
}
