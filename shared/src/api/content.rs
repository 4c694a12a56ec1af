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
    /// How to reach the town's service (address, telephone, hours): plain text, lines
    /// kept. Shown in the footer and on the home page.
    pub contact: String,
    /// The home page's welcome text (same Markdown subset as news; may be empty).
    pub welcome_text: String,
    /// The town's postal codes, space-separated: households with one of them in their
    /// address are residents (earlier openings for them).
    pub codes_postaux: String,
    /// How to reach the data protection officer (may be empty: the town's contact then).
    pub dpo_contact: String,
}

/// Changing the town's settings (administrators).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, validator::Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TownSettingsInput {
    /// « Ville de Chartres »: the header, the emails' signature, the authenticator's label.
    #[validate(length(max = 100), custom(function = "validate_text"))]
    pub name: String,
    #[validate(length(max = 200), custom(function = "validate_text"))]
    pub tagline: String,
    #[validate(length(max = 1000), custom(function = "validate_text"))]
    pub contact: String,
    /// May be empty: the home page then shows only the news.
    #[validate(length(max = 5000), custom(function = "validate_optional_text"))]
    pub welcome_text: String,
    /// Space- or comma-separated five-digit codes; may be empty (no household is then a
    /// resident).
    #[validate(length(max = 200), custom(function = "validate_postal_codes"))]
    pub codes_postaux: String,
    /// The data protection officer's contact (« Données personnelles »); may be empty.
    #[serde(default)]
    #[validate(length(max = 500), custom(function = "validate_optional_text"))]
    pub dpo_contact: String,
}

/// The postal codes of `text` (separated by spaces or commas), space-separated.
pub fn normalize_postal_codes(text: &str) -> String {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|code| !code.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn validate_postal_codes(text: &str) -> Result<(), validator::ValidationError> {
    let valid = normalize_postal_codes(text)
        .split(' ')
        .filter(|code| !code.is_empty())
        .all(|code| code.len() == 5 && code.bytes().all(|b| b.is_ascii_digit()));
    if valid {
        Ok(())
    } else {
        Err(validator::ValidationError::new(
            crate::validation::codes::INVALID_POSTAL_CODE,
        ))
    }
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

/// Longest title, and longest body, in characters.
pub const TITLE_MAX_CHARS: usize = 200;
pub const BODY_MAX_CHARS: usize = 20_000;

pub(crate) fn validate_text(value: &str) -> Result<(), validator::ValidationError> {
    if value.trim().is_empty() {
        return Err(validator::ValidationError::new(
            crate::validation::codes::REQUIRED,
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(validator::ValidationError::new(
            crate::validation::codes::INVALID_CHARACTERS,
        ));
    }
    Ok(())
}

/// Like [`validate_text`], but an empty text is allowed.
pub(crate) fn validate_optional_text(value: &str) -> Result<(), validator::ValidationError> {
    if value.trim().is_empty() {
        return Ok(());
    }
    validate_text(value)
}

/// A news item as the public pages show it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Actualite {
    pub id: uuid::Uuid,
    pub titre: String,
    /// Plain text with a small Markdown subset (paragraphs, `**gras**`, lists, links),
    /// never HTML: render it as text.
    pub corps: String,
    /// « Publié le 14 mai 2025 ».
    pub publie_le: DateTime<Utc>,
    /// Shown in « À la une » on the home page.
    pub a_la_une: bool,
}

/// A page of published news, newest first.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ActualiteList {
    pub items: Vec<Actualite>,
    pub total: u64,
}

/// Writing a news item (staff). A future `publie_le` schedules it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, validator::Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActualiteInput {
    #[validate(length(max = 200), custom(function = "validate_text"))]
    pub titre: String,
    #[validate(length(max = 20000), custom(function = "validate_text"))]
    pub corps: String,
    pub publie_le: DateTime<Utc>,
    pub a_la_une: bool,
}

/// A FAQ entry.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct FaqEntry {
    pub id: uuid::Uuid,
    pub question: String,
    /// Same text rules as news bodies.
    pub reponse: String,
    pub categorie: String,
    pub position: i32,
}

/// The FAQ, by category then position.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct FaqList {
    pub items: Vec<FaqEntry>,
}

/// Writing a FAQ entry (staff).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, validator::Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FaqInput {
    #[validate(length(max = 500), custom(function = "validate_text"))]
    pub question: String,
    #[validate(length(max = 20000), custom(function = "validate_text"))]
    pub reponse: String,
    #[validate(length(max = 100), custom(function = "validate_text"))]
    pub categorie: String,
    pub position: i32,
}

/// Publishing a new version of the CGU (administrators): every family accepts it again at
/// its next visit.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, validator::Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PublishTermsRequest {
    #[validate(length(max = 100000), custom(function = "validate_text"))]
    pub text: String,
}

/// A public document of the town (a PDF anyone can download).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PublicDocument {
    pub id: uuid::Uuid,
    pub titre: String,
    pub categorie: String,
    /// The file's name, for display.
    pub nom: String,
    /// Size in bytes.
    pub taille: u64,
    pub publie_le: DateTime<Utc>,
}

/// The public documents, by category.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PublicDocumentList {
    pub items: Vec<PublicDocument>,
}

/// The multipart form of a public document upload, documented for OpenAPI: `titre`,
/// `categorie`, then one `fichier` (a PDF of at most 10 Mio).
#[derive(Deserialize, Debug)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PublicDocumentForm {
    pub titre: String,
    pub categorie: String,
    #[cfg_attr(feature = "server", schema(value_type = String, format = Binary))]
    pub fichier: String,
}
