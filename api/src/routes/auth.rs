//! « Se connecter », token refresh and « Se déconnecter ».
//!
//! Login answers one generic 401 — same status, body and headers, and about the same
//! time — for an unknown user, a wrong password, a throttled attempt or a closed account
//! . Only after a correct password does a pending account learn that it must be
//! activated. The access token goes in the body (the SPA keeps it in memory); the
//! refresh token goes in an HttpOnly `__Host-` cookie, rotated at each use (B-01, B-05).

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, post, web};
use shared::api::auth::{LoginRequest, TokenResponse};

use crate::auth::extractor::AuthUser;
use crate::auth::throttle::Origin;
use crate::db::models::account::{Account, state as account_state};
use crate::db::models::session::{self, RefreshOutcome};
use crate::db::models::{cgu, connection_log};
use crate::db::now;
use crate::domain::normalize::username_key;
use crate::error::ApiError;
use crate::extract::{ClientInfo, ValidJson};
use crate::state::AppState;

/// The refresh cookie. `__Host-` forces `Secure`, `Path=/` and no `Domain`.
pub const REFRESH_COOKIE: &str = "__Host-pf_refresh";

fn refresh_cookie(token: &str, max_age: std::time::Duration) -> Cookie<'static> {
    Cookie::build(REFRESH_COOKIE, token.to_string())
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(SameSite::Strict)
        .max_age(CookieDuration::seconds(max_age.as_secs() as i64))
        .finish()
}

pub(crate) fn expired_cookie() -> Cookie<'static> {
    let mut cookie = refresh_cookie("", std::time::Duration::ZERO);
    cookie.make_removal();
    cookie
}

fn token_response(
    state: &AppState,
    account_id: &str,
    session_id: &str,
    terms_accepted: bool,
    role: &str,
) -> Result<TokenResponse, ApiError> {
    Ok(TokenResponse {
        access_token: state.jwt.issue(account_id, session_id)?,
        token_type: "Bearer".into(),
        expires_in: state.jwt.ttl().as_secs(),
        idle_expires_in: state.settings.session_idle_timeout.as_secs(),
        terms_accepted,
        role: role.to_string(),
    })
}

/// Staff's second factor, once their password is right: a current code of the enrolled
/// authenticator, each time step accepted once. A wrong code counts as a failed login for
/// the throttle, like a wrong password.
async fn check_second_factor(
    state: &web::Data<AppState>,
    account: &Account,
    code: Option<String>,
) -> Result<(), ApiError> {
    let Some(sealed) = account.totp_secret.as_deref() else {
        return Err(ApiError::TotpEnrolmentRequired);
    };
    let secret = state.secrets.open(sealed)?;
    let Some(code) = code.filter(|c| !c.trim().is_empty()) else {
        return Err(if account.totp_enabled_at.is_some() {
            ApiError::TotpRequired
        } else {
            ApiError::TotpEnrolmentRequired
        });
    };
    let unix_time = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or_default();
    let Some(step) = crate::auth::totp::check(&secret, &code, unix_time)? else {
        return Err(ApiError::TotpInvalid);
    };
    let id = account.id.clone();
    let step = i64::try_from(step).map_err(anyhow::Error::from)?;
    let fresh = state
        .write(move |conn| Ok(Account::accept_totp_step(conn, &id, step, now())?))
        .await?;
    if fresh {
        Ok(())
    } else {
        Err(ApiError::TotpInvalid)
    }
}

fn no_store(status: StatusCode) -> HttpResponseBuilder {
    let mut builder = HttpResponse::build(status);
    builder.insert_header((header::CACHE_CONTROL, "no-store"));
    builder
}

/// Logs in with a username or email and a password.
#[utoipa::path(
    tag = "Connexion",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in; the refresh token is set in an HttpOnly cookie", body = TokenResponse),
        (status = 401, description = "Wrong credentials (always the same answer)", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Right password, account not activated yet (`account_not_activated`)", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing fields", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Too many logins at once; retry after `Retry-After`", body = shared::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    client: ClientInfo,
    body: ValidJson<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.0;
    let PasswordChecked {
        account,
        throttle_key,
        ip,
        origin,
        failures_on_record,
        needs_rehash,
        stored,
    } = check_password(&state, &client, &request.login, &request.password).await?;
    if account.is_staff()
        && let Err(refusal) = check_second_factor(&state, &account, request.totp_code.clone()).await
    {
        if matches!(refusal, ApiError::TotpInvalid) {
            record_failure(&state, &throttle_key, &origin).await?;
            log_failure(&state, Some(&account.id), &client);
        }
        return Err(refusal);
    }
    if needs_rehash && let Some(old) = stored {
        let new = state.hasher.hash(request.password).await?;
        let id = account.id.clone();
        state
            .write(move |conn| Ok(Account::upgrade_password_hash(conn, &id, &old, &new)?))
            .await?;
    }

    let (idle, absolute) = (
        state.settings.session_idle_timeout,
        state.settings.session_absolute_timeout,
    );
    let (account_id, client_copy) = (account.id.clone(), client.clone());
    let throttle = state.login_throttle.clone();
    let (session_id, refresh_token, terms_accepted) = state
        .write(move |conn| {
            let now = now();
            if failures_on_record {
                throttle.record_success(conn, &throttle_key, &origin)?;
            }
            let (session_id, refresh_token) =
                session::create(conn, &account_id, now, idle, absolute)?;
            connection_log::record(
                conn,
                &account_id,
                now,
                &client_copy.ip.to_string(),
                &client_copy.user_agent,
                true,
            )?;
            Ok((
                session_id,
                refresh_token,
                cgu::has_accepted_current(conn, &account_id, now)?,
            ))
        })
        .await?;
    tracing::info!(account = %account.id, ip = %ip, "login succeeded");
    let body = token_response(
        &state,
        &account.id,
        &session_id,
        terms_accepted,
        &account.role,
    )?;
    // This browser is now a known device for the account.
    let device = state
        .devices
        .after_login(client.device_cookie.as_deref(), &account.id);
    Ok(no_store(StatusCode::OK)
        .cookie(refresh_cookie(&refresh_token, idle))
        .cookie(device)
        .json(body))
}

/// An account whose password was just verified (throttled, logged like a login).
pub(crate) struct PasswordChecked {
    pub account: Account,
    pub throttle_key: String,
    pub ip: String,
    /// A known device, or the client's address.
    pub origin: Origin,
    /// The throttle has failures of this pair on record (the success clears them).
    pub failures_on_record: bool,
    pub needs_rehash: bool,
    pub stored: Option<String>,
}

/// The first factor: the same answer and timing whether the account exists or not,
/// per-account and per-IP throttling, `account_not_activated` only after a right
/// password.
pub(crate) async fn check_password(
    state: &web::Data<AppState>,
    client: &ClientInfo,
    login_name: &str,
    password: &str,
) -> Result<PasswordChecked, ApiError> {
    let key = username_key(login_name);
    let (throttle, devices, client_copy) = (
        state.login_throttle.clone(),
        state.devices.clone(),
        client.clone(),
    );
    // The account and the throttle's word on it, on one pooled connection.
    let (account, throttle_key, origin, attempt) = state
        .read(move |conn| {
            let account = Account::find_by_login(conn, &key)?;
            // One throttle counter per account, whichever of its names was typed (A-08 d).
            let throttle_key = account
                .as_ref()
                .map_or_else(|| format!("unknown:{key}"), |a| a.id.clone());
            // A browser where this account logged in before is throttled on its own.
            let origin = Origin::of(
                &client_copy,
                &devices,
                account.as_ref().map(|a| a.id.as_str()),
            );
            let attempt = throttle.attempt(conn, &throttle_key, &origin, now())?;
            Ok((account, throttle_key, origin, attempt))
        })
        .await?;
    let ip = client.ip.to_string();

    if !attempt.allowed {
        state.hasher.imitate_delay().await;
        log_failure(state, account.as_ref().map(|a| a.id.as_str()), client);
        return Err(ApiError::Unauthorized);
    }
    let stored = account.as_ref().and_then(|a| a.password_hash.clone());
    let stored_for = account.as_ref().map(|a| a.id.clone());
    let verification = state
        .hasher
        .verify(password.to_string(), stored.clone())
        .await?;
    let Some(account) = account.filter(|_| verification.matches) else {
        record_failure(state, &throttle_key, &origin).await?;
        log_failure(state, stored_for.as_deref(), client);
        return Err(ApiError::Unauthorized);
    };
    match account.state.as_str() {
        account_state::ACTIVE => {}
        account_state::PENDING_ACTIVATION => return Err(ApiError::AccountNotActivated),
        _ => return Err(ApiError::Unauthorized),
    }
    Ok(PasswordChecked {
        account,
        throttle_key,
        ip,
        origin,
        failures_on_record: attempt.failures_on_record,
        needs_rehash: verification.needs_rehash,
        stored,
    })
}

/// Counts a failed attempt with the throttle, before answering: an unknown account's
/// failure writes the same rows as a known one's.
pub(crate) async fn record_failure(
    state: &AppState,
    throttle_key: &str,
    origin: &Origin,
) -> Result<(), ApiError> {
    let (throttle, key, origin) = (
        state.login_throttle.clone(),
        throttle_key.to_string(),
        origin.clone(),
    );
    state
        .read(move |conn| Ok(throttle.record_failure(conn, &key, &origin, now())?))
        .await
}

/// Records a failed attempt — in the account's connection log, or in `failed_logins` for
/// an unknown account: the same one write either way, made after answering, so a known
/// account does not answer slower than an unknown one.
fn log_failure(state: &web::Data<AppState>, account_id: Option<&str>, client: &ClientInfo) {
    let (state, id, ip, agent) = (
        state.clone(),
        account_id.map(str::to_string),
        client.ip.to_string(),
        client.user_agent.clone(),
    );
    tracing::info!(account = ?id, ip = %ip, "login failed");
    actix_web::rt::spawn(async move {
        let result = state
            .write(move |conn| {
                let now = now();
                match id {
                    Some(id) => connection_log::record(conn, &id, now, &ip, &agent, false)?,
                    None => connection_log::record_unknown(conn, now, &ip)?,
                };
                Ok(())
            })
            .await;
        if let Err(error) = result {
            tracing::warn!(error = ?error, "failed to record a failed login");
        }
    });
}

/// Exchanges the refresh cookie for a new access token and a new refresh cookie.
/// A refresh token used twice revokes its whole session (B-05) — except within 10 seconds
/// of its rotation: two tabs refreshing at once both get a new pair (the grace window that
/// RFC 9700 §4.14.2 allows), after which a replay revokes the session. The body is an empty
/// JSON object: the `Content-Type` is what a cross-site form cannot send (B-03).
#[utoipa::path(
    tag = "Connexion",
    params(("__Host-pf_refresh" = String, Cookie, description = "The refresh token, set by the login (HttpOnly)")),
    request_body(content = shared::api::auth::EmptyRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "New access token; the refresh cookie was rotated", body = TokenResponse),
        (status = 401, description = "No valid refresh cookie", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not sent as application/json", body = shared::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    require_json(&req)?;
    let Some(token) = req.cookie(REFRESH_COOKIE).map(|c| c.value().to_string()) else {
        return Err(ApiError::Unauthorized);
    };
    let (idle, grace) = (
        state.settings.session_idle_timeout,
        state.settings.refresh_reuse_grace,
    );
    let outcome = state
        .write(move |conn| {
            let outcome = session::refresh(conn, &token, now(), idle, grace)?;
            let (terms, role) = match &outcome {
                RefreshOutcome::Rotated { account_id, .. } => (
                    cgu::has_accepted_current(conn, account_id, now())?,
                    Account::find(conn, account_id)?.role,
                ),
                _ => (false, String::new()),
            };
            Ok((outcome, (terms, role)))
        })
        .await?;
    match outcome {
        (
            RefreshOutcome::Rotated {
                session_id,
                account_id,
                token,
            },
            (terms_accepted, role),
        ) => {
            let body = token_response(&state, &account_id, &session_id, terms_accepted, &role)?;
            Ok(no_store(StatusCode::OK)
                .cookie(refresh_cookie(&token, idle))
                .json(body))
        }
        (RefreshOutcome::ReuseDetected, _) => {
            tracing::warn!("refresh token reuse detected: session revoked");
            unauthorized_clearing_cookie()
        }
        (RefreshOutcome::Invalid, _) => unauthorized_clearing_cookie(),
    }
}

fn unauthorized_clearing_cookie() -> Result<HttpResponse, ApiError> {
    let error = ApiError::Unauthorized;
    let mut response = actix_web::ResponseError::error_response(&error);
    response
        .add_cookie(&expired_cookie())
        .map_err(|e| anyhow::anyhow!("cookie: {e}"))?;
    Ok(response)
}

/// Cookie-authenticated calls must be JSON: a cross-site form cannot send that without a
/// CORS preflight, which we never grant (B-03; the Origin check is in `security`).
fn require_json(req: &HttpRequest) -> Result<(), ApiError> {
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|m| m.trim() == "application/json")
        });
    if is_json {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType)
    }
}

/// Ends the session: its refresh and access tokens stop working at once, and the browser
/// is told to forget the refresh cookie, its cache and its storage (G-07). `Clear-Site-Data`
/// leaves out `"cookies"` on purpose: it would also wipe the known-device cookie, which
/// holds no personal data and is what lets the family past locks that strangers cause
/// the refresh cookie, the only one that grants anything, is expired explicitly.
#[utoipa::path(
    tag = "Connexion",
    responses((status = 204, description = "Logged out (also without a valid token: the refresh cookie alone ends its session)")),
    security((), ("bearer" = []))
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: Option<AuthUser>,
) -> Result<HttpResponse, ApiError> {
    let cookie_token = req.cookie(REFRESH_COOKIE).map(|c| c.value().to_string());
    let session_id = user.map(|u| u.session_id);
    state
        .write(move |conn| {
            let now = now();
            if let Some(id) = session_id {
                session::revoke(conn, &id, now)?;
            }
            if let Some(token) = cookie_token {
                session::revoke_by_refresh_token(conn, &token, now)?;
            }
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent()
        .cookie(expired_cookie())
        .insert_header(("Clear-Site-Data", "\"cache\", \"storage\""))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}
