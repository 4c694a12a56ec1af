//! The integration API's door (`/api/integration/`): a connected application's access
//! token (OAuth 2.0 client credentials, [`crate::integrations::applications`]), checked on
//! every request against the application itself, so that a revoked application is refused
//! at once. Family and staff tokens are refused here, and application tokens on their
//! routes: the audiences differ ([`super::jwt`]).

use std::future::{Ready, ready};
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, ResponseError, web};
use shared::api::integration::{Scope, parse_scopes};

use crate::auth::extractor::bearer;
use crate::db::models::application;
use crate::db::now;
use crate::error::ApiError;
use crate::integrations::rate_limit::Verdict;
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
    fn require(&self, scope: Scope) -> Result<(), ApiError> {
        if self.scopes.contains(&scope) {
            Ok(())
        } else {
            tracing::warn!(application = %self.application_id, scope = scope.as_str(), "application refused: scope not granted");
            Err(ApiError::InsufficientScope(scope.as_str()))
        }
    }
}

/// The application a valid token names (signature, audience, expiry: no database yet).
fn token_of(req: &HttpRequest, state: &AppState) -> Result<Integration, ApiError> {
    let token = bearer(req).ok_or(ApiError::InvalidToken)?;
    let claims = state
        .jwt
        .verify_integration(&token)
        .ok_or(ApiError::InvalidToken)?;
    let scopes = parse_scopes(&claims.scope).ok_or(ApiError::InvalidToken)?;
    Ok(Integration {
        application_id: claims.sub,
        scopes,
    })
}

/// Counts the request against the application, which must still be live (a revoked one
/// is refused at once, not when its token expires) — after counting the request against
/// its quota, in the same transaction: (what the quota said, whether it is live).
async fn admit(state: &AppState, application_id: &str) -> Result<(Verdict, bool), ApiError> {
    let id = application_id.to_string();
    let limits = state.limits.clone();
    state
        .write(move |conn| {
            let verdict = limits.integration_requests.take(conn, &id, now())?;
            let live = verdict.allowed && application::count_use(conn, &id, now())?;
            Ok((verdict, live))
        })
        .await
}

/// A middleware: a request under [`PREFIX`] is refused (401) before its handler reads
/// anything of it, as the back office's door does for staff; then held to its
/// application's quota (429), whose state every answer carries in `RateLimit` headers.
pub async fn integration_door(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if !req.path().starts_with(PREFIX) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        let error = ApiError::Internal(anyhow::anyhow!("AppState missing"));
        return Ok(req.into_response(error.error_response()));
    };
    let found = match token_of(req.request(), &state) {
        Ok(found) => found,
        Err(error) => return Ok(req.into_response(error.error_response())),
    };
    let quota = &state.limits.integration_requests;
    let (verdict, live) = match admit(&state, &found.application_id).await {
        Ok(admitted) => admitted,
        Err(error) => return Ok(req.into_response(error.error_response())),
    };
    let mut response = if !verdict.allowed {
        tracing::warn!(application = %found.application_id, "application over its quota");
        let error = ApiError::TooManyRequests {
            retry_after: Duration::from_secs(verdict.reset_seconds()),
        };
        req.into_response(error.error_response())
    } else if !live {
        req.into_response(ApiError::InvalidToken.error_response())
    } else {
        req.extensions_mut().insert(found);
        next.call(req).await?.map_into_boxed_body()
    };
    let headers = response.headers_mut();
    for (name, value) in [
        ("ratelimit-policy", quota.policy_header()),
        ("ratelimit", verdict.header()),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
    Ok(response)
}

/// A scope, as a type: a route names the one it needs in its signature
/// (`app: Allowed<scope::DossiersRead>`), so none can forget to check it.
pub trait RequiredScope {
    const SCOPE: Scope;
}

/// The scopes as types.
pub mod scope {
    use super::{RequiredScope, Scope};

    macro_rules! scopes {
        ($($name:ident),*) => {$(
            pub struct $name;
            impl RequiredScope for $name {
                const SCOPE: Scope = Scope::$name;
            }
        )*};
    }
    scopes!(
        DossiersRead,
        DossiersWrite,
        DemandesRead,
        DemandesWrite,
        PiecesRead,
        ActivitesRead,
        ActivitesWrite,
        InscriptionsRead,
        InscriptionsWrite,
        WebhooksManage
    );
}

/// The connected application making the request, allowed `S`: 403 `insufficient_scope`
/// otherwise. Put it first among a handler's arguments: it answers at once, before a body
/// is read.
pub struct Allowed<S: RequiredScope> {
    pub app: Integration,
    scope: std::marker::PhantomData<S>,
}

impl<S: RequiredScope> FromRequest for Allowed<S> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let found = req
            .extensions()
            .get::<Integration>()
            .cloned()
            .ok_or(ApiError::InvalidToken)
            .and_then(|app| {
                app.require(S::SCOPE)?;
                Ok(Self {
                    app,
                    scope: std::marker::PhantomData,
                })
            });
        ready(found)
    }
}
