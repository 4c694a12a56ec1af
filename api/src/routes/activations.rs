//! « Activer mon compte » and « Renvoyer le lien ».

use actix_web::{HttpResponse, http::StatusCode, post, web};
use shared::api::auth::{EmailRequest, TokenRequest};
use shared::api::registration::AcceptedResponse;

use crate::db::models::account::{Account, state as account_state};
use crate::db::models::action_token;
use crate::db::now;
use crate::email::templates;
use crate::error::ApiError;
use crate::extract::{ClientInfo, ValidJson};
use crate::rattachement;
use crate::routes::credentials::{LinkRequest, send_link_to_owner};
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
    let mailing = rattachement::Mailing::of(&state).await?;
    let account_id = state
        .write(move |conn| {
            let used = action_token::consume(conn, action_token::Purpose::Activation, &token)?
                .ok_or(ApiError::LinkExpired)?;
            let now = now();
            Account::activate(conn, &used.account_id, now)?;
            // A rattachement asked at sign-up starts now that the address is proven.
            rattachement::begin(conn, &used.account_id, &mailing, now)?;
            Ok(used.account_id)
        })
        .await
        .inspect_err(|_| tracing::warn!(event = "activation", outcome = "refused"))?;
    tracing::info!(event = "activation", outcome = "activated", account = %account_id);
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
    let town = state.town().await?.name;
    let request = LinkRequest {
        kind: "activation",
        purpose: action_token::Purpose::Activation,
        ttl: state.settings.activation_ttl,
        route: "activation",
        eligible: |account: &Account| account.state == account_state::PENDING_ACTIVATION,
        compose: move |account: &Account, link: &str| {
            templates::activation(&account.email, &account.username, &town, link)
        },
    };
    send_link_to_owner(&state, &client, &body.0.email, request).await?;
    Ok(accepted(
        "Si un compte en attente d'activation correspond à cette adresse, un nouveau lien vient d'être envoyé.",
    ))
}
