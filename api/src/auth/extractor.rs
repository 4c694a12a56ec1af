//! Route guards: `AuthUser` (a valid access token on a live session of an active
//! account) and `ConsentedUser` (the same, having accepted the current CGU).
//!
//! The session is checked in the database on every request, so logging out, resetting a
//! password or closing an account takes effect at once, not when the token expires.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};

use crate::db::models::{account::Account, cgu, session};
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

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))?;
    Some(token.trim().to_string())
}

async fn authenticate(req: HttpRequest, require_terms: bool) -> Result<AuthUser, ApiError> {
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
    state
        .read(move |conn| {
            let now = now();
            let live =
                session::find_live(conn, &checked.session_id, &checked.account_id, now)?.is_some();
            let active = Account::find(conn, &checked.account_id)
                .map(|a| a.is_active())
                .unwrap_or(false);
            if !live || !active {
                return Err(ApiError::Unauthorized);
            }
            if require_terms && !cgu::has_accepted_current(conn, &checked.account_id, now)? {
                return Err(ApiError::TermsNotAccepted);
            }
            Ok(())
        })
        .await?;
    Ok(user)
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(authenticate(req.clone(), false))
    }
}

impl FromRequest for ConsentedUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(req, true).await.map(ConsentedUser) })
    }
}
