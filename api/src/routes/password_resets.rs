//! « Mot de passe oublié ? »: request a link, then choose a new password with it.

use actix_web::{HttpResponse, http::StatusCode, post, web};
use shared::api::auth::{EmailRequest, ResetPasswordRequest};
use shared::api::registration::AcceptedResponse;

use crate::db::models::account::Account;
use crate::db::models::action_token;
use crate::db::now;
use crate::email::templates;
use crate::error::ApiError;
use crate::extract::{ClientInfo, ValidJson};
use crate::routes::credentials::{LinkRequest, replace_password, send_link_to_owner};
use crate::routes::{accepted, private_json};
use crate::state::AppState;

/// Emails a reset link if the address belongs to an active account: the same 202 and the
/// same timing either way (the email goes through the outbox), the link goes to the
/// *stored* address, and it is never in the response.
#[utoipa::path(
    tag = "Mot de passe",
    request_body = EmailRequest,
    responses(
        (status = 202, description = "A link was sent if an account matches", body = AcceptedResponse),
        (status = 422, description = "Invalid address", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = shared::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/password-resets")]
pub async fn create_password_reset(
    state: web::Data<AppState>,
    client: ClientInfo,
    body: ValidJson<EmailRequest>,
) -> Result<HttpResponse, ApiError> {
    let town = state.town().await?.name;
    let ttl = state.settings.password_reset_ttl;
    let request = LinkRequest {
        kind: "password_reset",
        purpose: action_token::Purpose::PasswordReset,
        ttl,
        route: "reinitialiser-mot-de-passe",
        eligible: Account::is_active,
        compose: move |account: &Account, link: &str| {
            templates::password_reset(
                &account.email,
                &account.username,
                &town,
                link,
                ttl.as_secs() / 60,
            )
        },
    };
    send_link_to_owner(&state, &client, &body.0.email, request).await?;
    Ok(accepted(
        "Si un compte correspond à cette adresse, vous allez recevoir un email pour choisir un nouveau mot de passe.",
    ))
}

/// Sets a new password from a reset link. The token works once (20 concurrent uses: one
/// succeeds), earlier links die with it, every session of the account is closed, and a
/// « mot de passe modifié » email follows.
#[utoipa::path(
    tag = "Mot de passe",
    request_body = ResetPasswordRequest,
    responses(
        (status = 200, description = "Password changed", body = AcceptedResponse),
        (status = 410, description = "Unknown, used or expired link", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The new password is refused", body = shared::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/password-resets/confirm")]
pub async fn confirm_password_reset(
    state: web::Data<AppState>,
    body: ValidJson<ResetPasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.0;
    // Check the policy before using the token, so a refused password does not burn the link.
    let token = request.token.clone();
    let account = state
        .read(move |conn| {
            let hash = crate::auth::tokens::hash(&token);
            let pending =
                action_token::peek(conn, action_token::Purpose::PasswordReset, &hash, now())?
                    .ok_or(ApiError::LinkExpired)?;
            Ok(Account::find(conn, &pending.account_id)?)
        })
        .await?;
    let (verdict, _) =
        state
            .password_policy
            .evaluate(&request.password, &account.username, &account.email);
    verdict.map_err(|code| ApiError::field("password", code))?;
    let hash = state.hasher.hash(request.password).await?;
    let (town, public_url) = (state.town().await?.name, state.public_url.clone());
    let account_id = state
        .write(move |conn| {
            let used =
                action_token::consume(conn, action_token::Purpose::PasswordReset, &request.token)?
                    .ok_or(ApiError::LinkExpired)?;
            let account = Account::find(conn, &used.account_id)?;
            replace_password(conn, &town, &public_url, &account, &hash, None)?;
            Ok(account.id)
        })
        .await
        .inspect_err(|_| tracing::warn!(event = "password_reset_confirm", outcome = "refused"))?;
    // The owner of the address is back: whatever strangers did, the account unlocks.
    let throttle = state.login_throttle.clone();
    let unlocked = account_id.clone();
    state
        .read(move |conn| Ok(throttle.clear_account(conn, &unlocked)?))
        .await?;
    tracing::info!(event = "password_reset_confirm", outcome = "changed", account = %account_id);
    Ok(private_json(
        StatusCode::OK,
        &AcceptedResponse {
            message: "Votre mot de passe a été modifié. Vous pouvez vous connecter.".into(),
        },
    ))
}
