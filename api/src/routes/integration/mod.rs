//! The integration API (`/api/integration/v1/`): what connected applications read
//! ([`feeds`]), what they write ([`writes`]) and the events they subscribe to
//! ([`webhooks`]), each route behind its scope. The door ([`crate::auth::integration`])
//! has checked the token and the application before any of these runs.

pub mod feeds;
pub mod webhooks;
pub mod writes;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::error::ApiError;
use crate::integrations::codes;
use crate::integrations::preconditions;
use crate::integrations::sync::{self, PageRequest};
use crate::routes::private_json;

/// The `If-Match` header, if sent (412 if it is not text).
fn if_match(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    req.headers()
        .get(header::IF_MATCH)
        .map(|v| v.to_str().map(str::to_string))
        .transpose()
        .map_err(|_| ApiError::PreconditionFailed)
}

/// A private JSON answer with the `ETag` of what it carries, for a later `If-Match`.
fn tagged(status: StatusCode, body: &impl serde::Serialize) -> Result<HttpResponse, ApiError> {
    let mut response = private_json(status, body);
    let tag = preconditions::tag_of(body)?;
    response.headers_mut().insert(
        header::ETAG,
        header::HeaderValue::from_str(&tag).map_err(anyhow::Error::from)?,
    );
    Ok(response)
}

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
