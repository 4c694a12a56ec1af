//! The integration API's door (`/api/integration/`): a connected application's access
//! token (OAuth 2.0 client credentials, [`crate::integrations::applications`]), checked on
//! every request against the application itself, so that a revoked application is refused
//! at once. Family and staff tokens are refused here, and application tokens on their
//! routes: the audiences differ ([`super::jwt`]).

use std::future::{Ready, ready};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, ResponseError, web};
use shared::api::integration::{Scope, parse_scopes};

use crate::auth::extractor::bearer;
use crate::db::models::application;
use crate::db::now;
use crate::error::ApiError;
use crate::state::AppState;

/// Where the integration routes live.
pub const PREFIX: &str = "/api/integration/";

/// The connected application making the request.
#[derive(Clone, Debug)]
pub struct Integration {
    pub application_id: String,
    scopes: Vec<Scope>,
}

impl Integration {
    /// 403 `insufficient_scope` unless the token carries `scope`.
    pub fn require(&self, scope: Scope) -> Result<(), ApiError> {
        if self.scopes.contains(&scope) {
            Ok(())
        } else {
            tracing::warn!(application = %self.application_id, scope = scope.as_str(), "application refused: scope not granted");
            Err(ApiError::InsufficientScope(scope.as_str()))
        }
    }
}

async fn authenticate(req: &HttpRequest) -> Result<Integration, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| anyhow::anyhow!("AppState missing"))?
        .clone();
    let token = bearer(req).ok_or(ApiError::InvalidToken)?;
    let claims = state
        .jwt
        .verify_integration(&token)
        .ok_or(ApiError::InvalidToken)?;
    let scopes = parse_scopes(&claims.scope).ok_or(ApiError::InvalidToken)?;
    let id = claims.sub.clone();
    let live = state
        .write(move |conn| Ok(application::count_use(conn, &id, now())?))
        .await?;
    if !live {
        return Err(ApiError::InvalidToken);
    }
    Ok(Integration {
        application_id: claims.sub,
        scopes,
    })
}

/// A middleware: a request under [`PREFIX`] is refused (401) before its handler reads
/// anything of it, as the back office's door does for staff.
pub async fn integration_door(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if req.path().starts_with(PREFIX) {
        match authenticate(req.request()).await {
            Ok(found) => {
                req.extensions_mut().insert(found);
            }
            Err(error) => {
                let response = error.error_response();
                return Ok(req.into_response(response));
            }
        }
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

impl FromRequest for Integration {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<Integration>()
                .cloned()
                .ok_or(ApiError::InvalidToken),
        )
    }
}
