//! « Activer mon compte » and « Renvoyer le lien ».

use actix_web::{HttpResponse, http::StatusCode, post, web};
use shared::api::auth::{EmailRequest, TokenRequest};
use shared::api::registration::AcceptedResponse;

use crate::db::models::account::{Account, state as account_state};
use crate::db::models::{action_token, outbox};
use crate::db::now;
use crate::domain::normalize::email_key;
use crate::email::templates;
use crate::error::ApiError;
use crate::extract::{ClientInfo, ValidJson};
use crate::routes::{accepted, private_json};
use crate::state::AppState;

/// Activates the account of an activation link. The SPA page POSTs the token it read
/// from the URL fragment.
#[utoipa::path(
    tag = "Création de compte",
    request_body = TokenRequest,
    responses(
        (status = 200, description = "« Votre compte est désormais actif »", body = AcceptedResponse),
        (status = 410, description = "Unknown, used or expired link", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing token", body = shared::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/activations")]
pub async fn create_activation(
    state: web::Data<AppState>,
    body: ValidJson<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let token = body.0.token;
    state
        .write(move |conn| {
            let used = action_token::consume(conn, action_token::Purpose::Activation, &token)?
                .ok_or(ApiError::LinkExpired)?;
            Account::activate(conn, &used.account_id, now())?;
            Ok(())
        })
        .await?;
    Ok(private_json(
        StatusCode::OK,
        &AcceptedResponse {
            message: "Votre compte est désormais actif".into(),
        },
    ))
}

/// Sends a new activation link if the address belongs to an account waiting for
/// activation; the previous link stops working. Always the same 202.
#[utoipa::path(
    tag = "Création de compte",
    request_body = EmailRequest,
    responses(
        (status = 202, description = "Sent if an account is waiting for activation", body = AcceptedResponse),
        (status = 422, description = "Invalid address", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests from this address", body = shared::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/activations/resend")]
pub async fn resend_activation(
    state: web::Data<AppState>,
    client: ClientInfo,
    body: ValidJson<EmailRequest>,
) -> Result<HttpResponse, ApiError> {
    state
        .limits
        .email_requests
        .hit(&client.ip.to_string())
        .map_err(|retry_after| ApiError::TooManyRequests { retry_after })?;
    let key = email_key(&body.0.email);
    let town = state.settings.town_name.clone();
    let ttl = state.settings.activation_ttl;
    let base = state.public_url.clone();
    state
        .write(move |conn| {
            let now = now();
            let Some(account) = Account::find_by_email(conn, &key)? else {
                return Ok(());
            };
            let recent = outbox::queued_since(
                conn,
                &account.email,
                "activation",
                now - chrono::Duration::hours(1),
            )?;
            if account.state != account_state::PENDING_ACTIVATION || recent >= 3 {
                return Ok(());
            }
            let token = action_token::issue(
                conn,
                &account.id,
                action_token::Purpose::Activation,
                ttl,
                None,
            )?;
            let link = format!("{base}/activation#token={token}");
            outbox::enqueue(
                conn,
                &templates::activation(&account.email, &account.username, &town, &link),
                now,
            )?;
            Ok(())
        })
        .await?;
    Ok(accepted(
        "Si un compte en attente d'activation correspond à cette adresse, un nouveau lien vient d'être envoyé.",
    ))
}
