//! Route guards: `AuthUser` (a valid access token on a live session of an active
//! account, family or staff), `ConsentedUser` (a family account that accepted the current
//! CGU: the family routes) and `StaffUser` (a town agent or administrator: the back
//! office). Each role gets 403 on the other's routes (SECURITY.md C-03).
//!
//! The session is checked in the database on every request, so logging out, resetting a
//! password or closing an account takes effect at once, not when the token expires.

use std::future::Future;
use std::pin::Pin;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpRequest, web};
use actix_web::{HttpMessage, ResponseError};

use crate::db::models::account::role;
use crate::db::models::session;
use crate::db::now;
use crate::error::ApiError;
use crate::state::AppState;

/// A signed-in family account.
#[derive(Clone, Debug)]
pub struct AuthUser {
    pub account_id: String,
    pub session_id: String,
}

/// A signed-in family account that accepted the current terms of use.
#[derive(Clone, Debug)]
pub struct ConsentedUser(pub AuthUser);

/// A signed-in town agent or administrator.
#[derive(Clone, Debug)]
pub struct StaffUser {
    pub user: AuthUser,
    /// `agent` or `administrateur`.
    pub role: String,
}

/// Who a route is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Audience {
    /// Any signed-in account (profile, password, logout).
    Anyone,
    /// Families that accepted the current CGU.
    Families,
    /// Agents and administrators.
    Staff,
}

pub(crate) fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))?;
    Some(token.trim().to_string())
}

async fn authenticate(
    req: HttpRequest,
    audience: Audience,
) -> Result<(AuthUser, String), ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| anyhow::anyhow!("AppState missing"))?
        .clone();
    let token = bearer(&req).ok_or(ApiError::Unauthorized)?;
    let claims = state.jwt.verify(&token).ok_or(ApiError::Unauthorized)?;
    let user = AuthUser {
        account_id: claims.sub,
        session_id: claims.sid,
    };
    let checked = user.clone();
    let role_of = state
        .read(move |conn| {
            let found = session::check(conn, &checked.session_id, &checked.account_id, now())?;
            let Some(live) = found else {
                return Err(ApiError::Unauthorized);
            };
            let is_staff = role::is_staff(&live.role);
            match audience {
                Audience::Anyone => {}
                Audience::Staff if !is_staff => return Err(ApiError::Forbidden),
                Audience::Families if is_staff => return Err(ApiError::Forbidden),
                Audience::Staff => {}
                Audience::Families if !live.accepted_cgu => {
                    return Err(ApiError::TermsNotAccepted);
                }
                Audience::Families => {}
            }
            Ok(live.role)
        })
        .await
        .inspect_err(|error| {
            if matches!(error, ApiError::Forbidden) {
                tracing::warn!(path = %req.path(), "authorization refused: wrong role for this route");
            }
        })?;
    Ok((user, role_of))
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            authenticate(req, Audience::Anyone)
                .await
                .map(|(user, _)| user)
        })
    }
}

impl FromRequest for ConsentedUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            authenticate(req, Audience::Families)
                .await
                .map(|(user, _)| ConsentedUser(user))
        })
    }
}

/// The back office's door, a middleware: a request under `/api/backoffice/` is refused
/// (401 anonymous, 403 not staff) before its handler reads anything of it. Without it, a
/// family's request with an invalid body could get the body's 422 (the extractors of a
/// handler run together, and the first one to fail answers) instead of 403. The staff
/// member it found is kept for the handler's [`StaffUser`].
pub async fn staff_door(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if req.path().starts_with("/api/backoffice/") {
        match authenticate(req.request().clone(), Audience::Staff).await {
            Ok((user, role)) => {
                req.extensions_mut().insert(StaffUser { user, role });
            }
            Err(error) => {
                let response = error.error_response();
                return Ok(req.into_response(response));
            }
        }
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

impl FromRequest for StaffUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let checked_at_the_door = req.extensions().get::<StaffUser>().cloned();
        let req = req.clone();
        Box::pin(async move {
            if let Some(staff) = checked_at_the_door {
                return Ok(staff);
            }
            let (user, role) = authenticate(req, Audience::Staff).await?;
            Ok(StaffUser { user, role })
        })
    }
}

impl StaffUser {
    /// Administration (staff accounts, catalogue, CGU, settings) is for administrators.
    pub fn require_administrator(&self) -> Result<(), ApiError> {
        if self.role == role::ADMINISTRATEUR {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }
}
