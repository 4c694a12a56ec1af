//! Création de compte: the step-1 check and the sign-up itself.

use actix_web::{HttpResponse, http::StatusCode, post, web};
use shared::api::registration::{
    AcceptedResponse, CheckRegistrationStepRequest, CheckRegistrationStepResponse, RegisterRequest,
};
use shared::validation::codes;

use crate::db::models::account::{Account, NewAccount, state};
use crate::db::models::{action_token, outbox};
use crate::db::{new_id, now};
use crate::domain::normalize::{email_key, username_key};
use crate::email::templates;
use crate::error::ApiError;
use crate::extract::{ClientInfo, ValidJson};
use crate::rattachement;
use crate::routes::{accepted, private_json};
use crate::state::AppState;

/// What sign-up answers, whether the address was new or already registered.
pub const REGISTRATION_ACCEPTED: &str = "Votre compte a été créé avec succès. Vous allez recevoir un email afin d'activer votre compte.";

/// Checks step 1 (« Mes informations personnelles ») and rates the password, so the SPA
/// can show the strength meter and move on. Rate-limited: it tells whether a username is
/// taken, as the final step must anyway.
#[utoipa::path(
    tag = "Création de compte",
    request_body = CheckRegistrationStepRequest,
    responses(
        (status = 200, description = "Step 1 is valid", body = CheckRegistrationStepResponse),
        (status = 422, description = "Invalid fields (`username_taken`, `password_too_common`…)", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many checks from this address", body = shared::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/registrations/check")]
pub async fn check_registration_step(
    state: web::Data<AppState>,
    client: ClientInfo,
    body: ValidJson<CheckRegistrationStepRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.0;
    state
        .limits
        .step_checks
        .take(&state, client.ip.to_string())
        .await?
        .map_err(|retry_after| ApiError::TooManyRequests { retry_after })?;
    let (verdict, strength) =
        state
            .password_policy
            .evaluate(&request.password, &request.username, &request.email);
    let key = username_key(&request.username);
    let taken = state
        .read(move |conn| Ok(Account::username_taken(conn, &key)?))
        .await?;
    if taken {
        return Err(ApiError::field("username", codes::USERNAME_TAKEN));
    }
    verdict.map_err(|code| ApiError::field("password", code))?;
    Ok(private_json(
        StatusCode::OK,
        &CheckRegistrationStepResponse { password: strength },
    ))
}

/// Creates an account pending activation and emails the activation link.
///
/// An address that already has an account gets the same 202 — its owner receives an
/// « un compte existe déjà » email instead (at most one an hour) — so the answer never
/// tells whether an address is registered. A dossier reference must match an adult of an
/// existing dossier, ignoring case and accents; wrong guesses are throttled per IP and per
/// number. It only starts a rattachement: once activated, the account types the code sent
/// to the dossier's address on record, or an agent validates (SECURITY.md A-15).
#[utoipa::path(
    tag = "Création de compte",
    request_body = RegisterRequest,
    responses(
        (status = 202, description = "Account created, or the address was already registered", body = AcceptedResponse),
        (status = 422, description = "Invalid fields, or `dossier_reference_not_found`", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many sign-ups from this address, or too many wrong references (from this address or to this dossier number)", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Overloaded; retry after `Retry-After` seconds", body = shared::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/registrations")]
pub async fn create_registration(
    state: web::Data<AppState>,
    client: ClientInfo,
    body: ValidJson<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.0;
    let ip = client.ip.to_string();
    let too_many = |retry_after| ApiError::TooManyRequests { retry_after };
    let (verdict, _) =
        state
            .password_policy
            .evaluate(&request.password, &request.username, &request.email);
    verdict.map_err(|code| ApiError::field("password", code))?;

    // A matching reference only starts a rattachement: the account sees nothing of the
    // dossier until it types the code sent to the dossier's address, or an agent agrees.
    let target = match request.dossier_reference.clone() {
        None => None,
        Some(reference) => Some((
            rattachement::find_reference(&state, &ip, reference.clone()).await?,
            reference,
        )),
    };

    // Counted once the request is valid: a family correcting a typo is not throttled,
    // and a flood of valid sign-ups stops before it costs a hash each.
    state
        .limits
        .registrations
        .take(&state, ip.clone())
        .await?
        .map_err(too_many)?;
    // Hash before looking the address up, so new and known addresses cost the same.
    let hash = state.hasher.hash(request.password.clone()).await?;
    let mailing = rattachement::Mailing::of(&state).await?;
    let town = mailing.town.clone();
    let login_link = format!("{}/connexion", state.public_url);
    let reset_link = format!("{}/mot-de-passe-oublie", state.public_url);
    let public_url = state.public_url.clone();
    let (username, email) = (request.username.clone(), request.email.clone());
    let activation_ttl = state.settings.activation_ttl;
    let result = state
        .write(move |conn| {
            let now = now();
            if Account::username_taken(conn, &username_key(&request.username))? {
                return Err(ApiError::field("username", codes::USERNAME_TAKEN));
            }
            if let Some(existing) = Account::find_by_email(conn, &email_key(&request.email))? {
                let hour_ago = now - chrono::Duration::hours(1);
                if outbox::queued_since(conn, &existing.email, "account_exists", hour_ago)? == 0 {
                    let email =
                        templates::account_exists(&existing.email, &town, &login_link, &reset_link);
                    outbox::enqueue(conn, &email, now)?;
                }
                return Ok(());
            }
            let id = new_id();
            NewAccount {
                id: &id,
                username: request.username.trim(),
                username_normalized: &username_key(&request.username),
                email: request.email.trim(),
                email_normalized: &email_key(&request.email),
                password_hash: Some(&hash),
                state: state::PENDING_ACTIVATION,
                new_household: request.new_household,
                created_at: now,
            }
            .insert(conn)?;
            if let Some((dossier, reference)) = &target {
                rattachement::request(conn, &id, dossier, reference, false, &mailing, now)?;
            }
            let token = action_token::issue(
                conn,
                &id,
                action_token::Purpose::Activation,
                activation_ttl,
                None,
            )?;
            let link = format!("{public_url}/activation#token={token}");
            let email =
                templates::activation(request.email.trim(), request.username.trim(), &town, &link)
                    .with_link_until(outbox::link_expiry(now, activation_ttl));
            outbox::enqueue(conn, &email, now)?;
            Ok(())
        })
        .await;
    match result {
        Ok(()) => Ok(accepted(REGISTRATION_ACCEPTED)),
        // Two sign-ups raced past the checks above and the database's unique keys decided:
        // a lost race on the username is the user's to know, one on the email is not.
        Err(ApiError::Conflict(_)) => {
            let username_lost = state
                .read(move |conn| {
                    let owner = Account::find_by_login(conn, &username_key(&username))?;
                    Ok(owner.is_some_and(|a| a.email_normalized != email_key(&email)))
                })
                .await?;
            if username_lost {
                Err(ApiError::field("username", codes::USERNAME_TAKEN))
            } else {
                Ok(accepted(REGISTRATION_ACCEPTED))
            }
        }
        Err(other) => Err(other),
    }
}
