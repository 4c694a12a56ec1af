//! « Rattachement à un dossier »: an account that gave a dossier reference (at sign-up,
//! or later from « Mes démarches ») proves control by the code sent to the dossier's
//! address on record, or asks an agent (SECURITY.md A-15). The rules are in
//! [`crate::rattachement`].

use actix_web::{HttpResponse, http::StatusCode, post, web};
use shared::api::rattachement::{RattachementCodeRequest, RattachementView};
use shared::api::registration::DossierReference;
use shared::validation::check_rattachement_code;

use crate::auth::extractor::ConsentedUser;
use crate::db::models::rattachement as row;
use crate::db::now;
use crate::error::ApiError;
use crate::extract::{ClientInfo, ValidJson};
use crate::rattachement::{self, CodeOutcome, Mailing};
use crate::routes::private_json;
use crate::state::AppState;

/// The account's rattachement after a change.
async fn answer(
    state: &AppState,
    account_id: String,
    status: StatusCode,
) -> Result<HttpResponse, ApiError> {
    let view = state
        .read(move |conn| rattachement::view(conn, &account_id, now())?.ok_or(ApiError::NotFound))
        .await?;
    Ok(private_json(status, &view))
}

/// Starts a rattachement for a signed-in account that has no dossier: the same reference
/// as sign-up step 2 (numéro du dossier famille + nom + prénom of an adult of it). A code
/// goes to the dossier's address on record, or a request waits for an agent; either way
/// nothing of the dossier is shown until then.
#[utoipa::path(
    tag = "Rattachement",
    request_body = DossierReference,
    responses(
        (status = 201, description = "Started: type the code sent to the dossier's address, or wait for the agent", body = RattachementView),
        (status = 409, description = "The account already sees a dossier", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or `dossier_reference_not_found` (the same whether the number exists or not)", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong references from this address or to this number", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/rattachement")]
pub async fn create_rattachement(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
    client: ClientInfo,
    body: ValidJson<DossierReference>,
) -> Result<HttpResponse, ApiError> {
    let reference = body.0;
    let target =
        rattachement::find_reference(&state, &client.ip.to_string(), reference.clone()).await?;
    let mailing = Mailing::of(&state).await?;
    let account_id = user.account_id.clone();
    state
        .write(move |conn| {
            rattachement::request(
                conn,
                &account_id,
                &target,
                &reference,
                true,
                &mailing,
                now(),
            )
        })
        .await?;
    answer(&state, user.account_id, StatusCode::CREATED).await
}

/// « Valider » the code of rattachement: six digits, a few tries per code. The account then
/// sees the dossier, and the accounts already linked are told by email.
#[utoipa::path(
    tag = "Rattachement",
    request_body = RattachementCodeRequest,
    responses(
        (status = 200, description = "Linked", body = RattachementView),
        (status = 404, description = "No rattachement by code waits for this account", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`code`: `rattachement_code_invalid` (wrong), `rattachement_code_expired` (ask for a new one)", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong codes for this dossier: wait", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/rattachement/code")]
pub async fn confirm_rattachement_code(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
    body: ValidJson<RattachementCodeRequest>,
) -> Result<HttpResponse, ApiError> {
    let code =
        check_rattachement_code(&body.0.code).map_err(|code| ApiError::field("code", code))?;
    let account_id = user.account_id.clone();
    let dossier_id = state
        .read(move |conn| {
            Ok(row::of_account(conn, &account_id)?
                .ok_or(ApiError::NotFound)?
                .dossier_id)
        })
        .await?;
    // Several accounts asking for the same dossier share one budget of wrong codes.
    if state
        .limits
        .rattachement_codes
        .check(&state, dossier_id.clone())
        .await?
    {
        return Err(ApiError::TooManyRequests {
            retry_after: std::time::Duration::from_secs(3600),
        });
    }
    let mailing = Mailing::of(&state).await?;
    let account_id = user.account_id.clone();
    let outcome = state
        .write(move |conn| rattachement::confirm_code(conn, &account_id, &code, &mailing, now()))
        .await?;
    if outcome != CodeOutcome::Linked {
        let _ = state
            .limits
            .rattachement_codes
            .take(&state, dossier_id)
            .await?;
    }
    outcome.into_result()?;
    answer(&state, user.account_id, StatusCode::OK).await
}

/// « Renvoyer un code »: a new code to the dossier's address (the previous one stops
/// working); one a minute, five in all.
#[utoipa::path(
    tag = "Rattachement",
    responses(
        (status = 200, description = "Sent", body = RattachementView),
        (status = 404, description = "No rattachement by code waits for this account", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too soon, or no codes left (ask for an agent)", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/rattachement/code/renvoi")]
pub async fn resend_rattachement_code(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
) -> Result<HttpResponse, ApiError> {
    let mailing = Mailing::of(&state).await?;
    let account_id = user.account_id.clone();
    state
        .write(move |conn| rattachement::resend_code(conn, &account_id, &mailing, now()))
        .await?;
    answer(&state, user.account_id, StatusCode::OK).await
}

/// « Je n'ai plus accès à cette adresse »: the town's services check the request instead
/// (a « demande de rattachement à un dossier » in the agents' queue).
#[utoipa::path(
    tag = "Rattachement",
    responses(
        (status = 200, description = "Sent to the agents", body = RattachementView),
        (status = 404, description = "No rattachement by code waits for this account", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/rattachement/validation")]
pub async fn ask_rattachement_validation(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
) -> Result<HttpResponse, ApiError> {
    let account_id = user.account_id.clone();
    state
        .write(move |conn| rattachement::ask_validation(conn, &account_id, now()))
        .await?;
    answer(&state, user.account_id, StatusCode::OK).await
}
