//! « Mon compte »: profile, consent, password and email changes, connection history.

use actix_web::{HttpResponse, get, http::StatusCode, post, put, web};
use serde::Deserialize;
use shared::api::account::{
    AcceptTermsRequest, ChangeEmailRequest, ChangePasswordRequest, ConnectionEntry, ConnectionPage,
    MeResponse, SentEmailList,
};
use shared::api::auth::TokenRequest;
use shared::api::registration::AcceptedResponse;
use shared::validation::codes;

use crate::auth::extractor::{AuthUser, ConsentedUser};
use crate::db::models::account::Account;
use crate::db::models::{action_token, cgu, connection_log, outbox};
use crate::db::now;
use crate::domain::normalize::email_key;
use crate::email::templates;
use crate::error::ApiError;
use crate::extract::{ClientInfo, ValidJson};
use crate::routes::credentials::replace_password;
use crate::routes::{accepted, private_json};
use crate::state::AppState;

/// The signed-in account. Readable before the CGU are accepted (the consent page needs it).
#[utoipa::path(
    tag = "Mon compte",
    responses(
        (status = 200, body = MeResponse),
        (status = 401, body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/me")]
pub async fn get_me(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    let me = state
        .read(move |conn| {
            let now = now();
            let account = Account::find(conn, &user.account_id)?;
            let accepted = cgu::accepted_version(conn, &account.id)?;
            let current = cgu::current(conn, now)?.map(|c| c.version);
            let dossier_numero =
                crate::db::models::dossier::of_account(conn, &account.id)?.and_then(|d| d.numero);
            let rattachement = crate::rattachement::view(conn, &account.id, now)?;
            let comptes_rattaches = crate::rattachement::linked_accounts(conn, &account.id)?;
            Ok(MeResponse {
                id: account
                    .id
                    .parse()
                    .map_err(|e| anyhow::anyhow!("account id is not a UUID: {e}"))?,
                username: account.username,
                email: account.email,
                pending_email: account.pending_email,
                subscription: "Famille".into(),
                dossier_numero,
                new_household: account.new_household,
                created_at: account.created_at.and_utc(),
                terms_accepted_version: accepted,
                terms_accepted: current.is_none() || accepted == current,
                rattachement,
                comptes_rattaches,
            })
        })
        .await?;
    Ok(private_json(StatusCode::OK, &me))
}

/// « J'ai pris connaissance de ces informations »: accepts the CGU version in force.
#[utoipa::path(
    tag = "Mon compte",
    request_body = AcceptTermsRequest,
    responses(
        (status = 204, description = "Accepted"),
        (status = 409, description = "That is not the version in force any more: reload it", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/me/terms")]
pub async fn accept_terms(
    state: web::Data<AppState>,
    user: AuthUser,
    body: ValidJson<AcceptTermsRequest>,
) -> Result<HttpResponse, ApiError> {
    let version = body.0.version;
    state
        .write(move |conn| {
            let now = now();
            let current = cgu::current(conn, now)?.ok_or(ApiError::NotFound)?;
            if current.version != version {
                return Err(ApiError::Conflict(
                    "Une nouvelle version des conditions a été publiée : rechargez la page.",
                ));
            }
            cgu::accept(conn, &user.account_id, version, now)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Changes the password; the current one is required. Other sessions are closed and a
/// « mot de passe modifié » email is sent.
#[utoipa::path(
    tag = "Mon compte",
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Password changed"),
        (status = 422, description = "`current_password: wrong_password` or a refused new password", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`terms_not_accepted`", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
    client: ClientInfo,
    body: ValidJson<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.0;
    let account = crate::auth::reauth::check_password(
        &state,
        &user,
        &client,
        request.current_password,
        "current_password",
    )
    .await?;
    let (verdict, _) =
        state
            .password_policy
            .evaluate(&request.new_password, &account.username, &account.email);
    verdict.map_err(|code| ApiError::field("new_password", code))?;
    let hash = state.hasher.hash(request.new_password).await?;
    let (town, public_url) = (state.town().await?.name, state.public_url.clone());
    state
        .write(move |conn| {
            replace_password(
                conn,
                &town,
                &public_url,
                &account,
                &hash,
                Some(&user.session_id),
            )
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Asks to change the email address: the password is asked again, the new address gets a
/// confirmation link and the old one a notice; nothing changes until the link is used.
#[utoipa::path(
    tag = "Mon compte",
    request_body = ChangeEmailRequest,
    responses(
        (status = 202, description = "Confirmation link sent to the new address", body = AcceptedResponse),
        (status = 422, description = "`password: wrong_password`, `new_email: same_email`…", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`terms_not_accepted`", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/me/email")]
pub async fn change_email(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
    client: ClientInfo,
    body: ValidJson<ChangeEmailRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.0;
    let account =
        crate::auth::reauth::check_password(&state, &user, &client, request.password, "password")
            .await?;
    let new_email = request.new_email.trim().to_string();
    if email_key(&new_email) == account.email_normalized {
        return Err(ApiError::field("new_email", codes::SAME_EMAIL));
    }
    let town = state.town().await?.name;
    let ttl = state.settings.email_change_ttl;
    let base = state.public_url.clone();
    state
        .write(move |conn| {
            let now = now();
            // An address already used by another account gets no link: the change could
            // not complete, and saying so would reveal that the address is registered.
            if Account::find_by_email(conn, &email_key(&new_email))?.is_none() {
                let token = action_token::issue(
                    conn,
                    &account.id,
                    action_token::Purpose::EmailChange,
                    ttl,
                    Some(&new_email),
                )?;
                let link = format!("{base}/confirmer-email#token={token}");
                let email =
                    templates::email_change_confirm(&new_email, &account.username, &town, &link)
                        .with_link_until(outbox::link_expiry(now, ttl))
                        .for_account(&account.id);
                outbox::enqueue(conn, &email, now)?;
            }
            Account::set_pending_email(conn, &account.id, Some(&new_email))?;
            outbox::enqueue(
                conn,
                &templates::email_change_notice(
                    &account.email,
                    &account.username,
                    &town,
                    &new_email,
                ),
                now,
            )?;
            Ok(())
        })
        .await?;
    tracing::info!(event = "email_change_request", outcome = "requested", account = %user.account_id);
    Ok(accepted(
        "Un lien de confirmation a été envoyé à votre nouvelle adresse email.",
    ))
}

/// Confirms a new email address from the link sent to it.
#[utoipa::path(
    tag = "Mon compte",
    request_body = TokenRequest,
    responses(
        (status = 200, description = "The new address is now the account's", body = AcceptedResponse),
        (status = 409, description = "The address was taken by another account meanwhile", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 410, description = "Unknown, used or expired link", body = shared::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/email-changes/confirm")]
pub async fn confirm_email_change(
    state: web::Data<AppState>,
    body: ValidJson<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let token = body.0.token;
    let account_id = state
        .write(move |conn| {
            let used = action_token::consume(conn, action_token::Purpose::EmailChange, &token)?
                .ok_or(ApiError::LinkExpired)?;
            let new_email = used.new_email.ok_or(ApiError::LinkExpired)?;
            Account::set_email(conn, &used.account_id, &new_email, &email_key(&new_email))?;
            action_token::invalidate(conn, &used.account_id, action_token::Purpose::PasswordReset)?;
            Ok(used.account_id)
        })
        .await
        .inspect_err(
            |e| tracing::warn!(event = "email_change_confirm", outcome = "refused", error = %e),
        )?;
    tracing::info!(event = "email_change_confirm", outcome = "changed", account = %account_id);
    Ok(private_json(
        StatusCode::OK,
        &AcceptedResponse {
            message: "Votre nouvelle adresse email est confirmée.".into(),
        },
    ))
}

/// Paging of « Dernières connexions ».
#[derive(Deserialize, utoipa::IntoParams, validator::Validate)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 4294967295.0, format = Int64)]
    #[validate(range(min = 1))]
    pub page: Option<u32>,
    /// Entries per page (default 20); more than 100 are capped at 100
    /// (SECURITY.md F-01).
    #[param(minimum = 1, maximum = 4294967295.0, format = Int64)]
    #[validate(range(min = 1))]
    pub per_page: Option<u32>,
}

/// « Dernières connexions »: the account's own login attempts, newest first.
#[utoipa::path(
    tag = "Mon compte",
    params(PageQuery),
    responses(
        (status = 200, body = ConnectionPage),
        (status = 403, description = "`terms_not_accepted`", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/me/connections")]
pub async fn list_connections(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    validator::Validate::validate(&*query)?;
    let page = query.page.unwrap_or(1).max(1);
    let per_page = query.per_page.unwrap_or(20).clamp(1, 100);
    let retention_days = state.settings.connection_log_retention_days;
    let (items, total) = state
        .read(move |conn| {
            Ok(connection_log::page(
                conn,
                &user.account_id,
                i64::from(page - 1) * i64::from(per_page),
                i64::from(per_page),
            )?)
        })
        .await?;
    let items = items.into_iter().map(ConnectionEntry::from).collect();
    Ok(private_json(
        StatusCode::OK,
        &ConnectionPage {
            items,
            page,
            per_page,
            total: total.max(0) as u64,
            retention_days,
        },
    ))
}

/// « E-mails envoyés »: what the portal wrote to the account (kind, date, sent / waiting /
/// failed — never the body), newest first.
#[utoipa::path(
    tag = "Mon compte",
    responses(
        (status = 200, body = SentEmailList),
        (status = 401, body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "`terms_not_accepted`", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/me/emails")]
pub async fn list_emails(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
) -> Result<HttpResponse, ApiError> {
    let list = state
        .read(move |conn| crate::email::history::of_account(conn, &user.account_id))
        .await?;
    Ok(private_json(StatusCode::OK, &list))
}

/// « Renvoyer »: a fresh link of the same kind (reset link, confirmation of the new
/// address); the previous link stops working.
#[utoipa::path(
    tag = "Mon compte",
    params(("id" = Uuid, Path, description = "Email id")),
    responses(
        (status = 202, description = "A new email is on its way", body = AcceptedResponse),
        (status = 404, description = "No such email for this account", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "This kind of email cannot be resent", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many emails asked for", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/me/emails/{id}/renvoi")]
pub async fn resend_email(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    crate::routes::credentials::resend_email(&state, &user.account_id, &path.into_inner()).await?;
    Ok(accepted("Un nouvel e-mail vous a été envoyé."))
}
