//! The integration API (`/api/integration/v1/`): what connected applications read
//! ([`feeds`]), what they write ([`writes`]) and the events they subscribe to
//! ([`webhooks`]), each route behind its scope. The door ([`crate::auth::integration`])
//! has checked the token and the application before any of these runs.

pub mod feeds;
pub mod webhooks;
pub mod writes;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::error::ApiError;
use crate::integrations::codes;
use crate::integrations::sync::{self, PageRequest};

/// The 401 every integration route may answer.
const UNAUTHORIZED: &str = "`unauthorized`: no valid application token, or the application is revoked (`WWW-Authenticate: Bearer error=\"invalid_token\"`)";

/// Where a sync starts and how much it takes.
#[derive(Deserialize, utoipa::IntoParams, validator::Validate)]
#[serde(deny_unknown_fields)]
pub struct SyncQuery {
    /// The `next_cursor` of the previous page: the changes after it. Without it, every
    /// change from the beginning (or from `updated_since`).
    #[param(max_length = 200)]
    #[validate(length(max = 200))]
    pub cursor: Option<String>,
    /// A first sync without a cursor: only what changed at or after this instant (the
    /// database's clock). Ignored with a cursor.
    pub updated_since: Option<DateTime<Utc>>,
    /// Changes per page (default 100); more than 500 are capped at 500 (SECURITY.md
    /// F-01).
    #[param(minimum = 1, maximum = 4294967295.0, format = Int64)]
    #[validate(range(min = 1))]
    pub limit: Option<u32>,
}

impl SyncQuery {
    /// The page asked for; 400 on a cursor the server did not write.
    fn page_request(self) -> Result<PageRequest, ApiError> {
        validator::Validate::validate(&self)?;
        let cursor = match self.cursor.as_deref() {
            Some(text) => Some(
                sync::decode_cursor(text)
                    .ok_or_else(|| ApiError::field("cursor", codes::INVALID_CURSOR))?,
            ),
            None => None,
        };
        Ok(PageRequest {
            cursor,
            updated_since: self.updated_since.map(|at| at.naive_utc()),
            limit: self.limit.unwrap_or(sync::DEFAULT_PAGE),
        })
    }
}
