//! The back office (town agents and administrators): second-factor enrolment, the staff
//! profile, and the queue of requests (its rules are in `crate::queue`). Every route takes a `StaffUser`: families get 403,
//! anonymous callers 401 (SECURITY.md C-03).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, put, web};
use serde::Deserialize;
use shared::api::auth::{TotpEnrolmentRequest, TotpEnrolmentResponse};
use shared::api::backoffice::{
    FailedEmails, NewStaffRequest, Queue, RequeuedEmails, StaffList, StaffProfile, StaffRole,
    StaffUpdate, WaitingTime,
};
use shared::api::dossier::{DemandeKind, DemandeStatus};

use crate::auth::extractor::StaffUser;
use crate::auth::totp;
use crate::db::models::account::{Account, NewAccount, state as account_state};
use crate::db::models::{action_token, outbox};
use crate::db::{new_id, now};
use crate::domain::normalize::fold_name;
use crate::domain::normalize::{email_key, username_key};
use crate::email::templates;
use crate::enum_text::to_text;
use crate::error::ApiError;
use crate::extract::{ClientInfo, ValidJson};
use crate::routes::auth::check_password;
use crate::routes::private_json;
use crate::state::AppState;

/// Staff: after the password, get a TOTP secret for an authenticator app (first login, or
/// until the first code is accepted). The next login with a code from the app completes
/// the enrolment. Answers like a login (401) for a wrong password or a family account.
#[utoipa::path(
    tag = "Back office",
    request_body = TotpEnrolmentRequest,
    responses(
        (status = 200, body = TotpEnrolmentResponse),
        (status = 401, description = "Wrong credentials (the login's answer)", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "An authenticator is already enrolled", body = shared::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/totp-enrolment")]
pub async fn enrol_totp(
    state: web::Data<AppState>,
    client: ClientInfo,
    body: ValidJson<TotpEnrolmentRequest>,
) -> Result<HttpResponse, ApiError> {
    let checked = check_password(&state, &client, &body.0.login, &body.0.password).await?;
    let account = checked.account;
    if !account.is_staff() {
        return Err(ApiError::Unauthorized);
    }
    if account.totp_enabled_at.is_some() {
        return Err(ApiError::Conflict(
            "Une application d'authentification est déjà associée à ce compte : un administrateur peut la réinitialiser.",
        ));
    }
    let secret = totp::new_secret();
    let otpauth_url = totp::enrolment_url(&secret, &state.town().await?.name, &account.email)?;
    let (id, stored) = (account.id.clone(), state.secrets.seal(&secret)?);
    let updated = state
        .write(move |conn| Ok(Account::set_pending_totp_secret(conn, &id, &stored)?))
        .await?;
    if updated == 0 {
        return Err(ApiError::Conflict("Enrôlement déjà terminé."));
    }
    tracing::info!(account = %account.id, "TOTP enrolment started");
    Ok(private_json(
        StatusCode::OK,
        &TotpEnrolmentResponse {
            secret,
            otpauth_url,
        },
    ))
}

/// The signed-in staff member.
#[utoipa::path(
    tag = "Back office",
    responses(
        (status = 200, body = StaffProfile),
        (status = 401, description = "Not signed in", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/backoffice/me")]
pub async fn staff_profile(
    state: web::Data<AppState>,
    staff: StaffUser,
) -> Result<HttpResponse, ApiError> {
    let id = staff.user.account_id.clone();
    let account = state
        .read(move |conn| Ok(Account::find(conn, &id)?))
        .await?;
    Ok(private_json(StatusCode::OK, &profile_of(account)))
}

/// Queue filters.
#[derive(Deserialize, utoipa::IntoParams, validator::Validate)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    /// Status to list (default `en_attente_validation`).
    pub status: Option<DemandeStatus>,
    /// Kind of request (default: every kind).
    pub kind: Option<DemandeKind>,
    /// A dossier number, or part of the responsable's nom or prénom (accents and case
    /// ignored).
    #[param(max_length = 100)]
    #[validate(length(max = 100))]
    pub q: Option<String>,
    /// From 1.
    #[param(minimum = 1, maximum = 4294967295.0, format = Int64)]
    #[validate(range(min = 1))]
    pub page: Option<u32>,
    /// Entries per page (default 25); more than 100 are capped at 100
    /// (SECURITY.md F-01).
    #[param(minimum = 1, maximum = 4294967295.0, format = Int64)]
    #[validate(range(min = 1))]
    pub per_page: Option<u32>,
}

/// The agents' queue: requests in a status (waiting for validation by default), oldest
/// submission first, with how many wait and their median waiting time.
#[utoipa::path(
    tag = "Back office",
    params(QueueQuery),
    responses(
        (status = 200, body = Queue),
        (status = 401, description = "Not signed in", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not staff", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/backoffice/demandes")]
pub async fn queue(
    state: web::Data<AppState>,
    _staff: StaffUser,
    query: web::Query<QueueQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    validator::Validate::validate(&query)?;
    let status = query.status.unwrap_or(DemandeStatus::EnAttenteValidation);
    let per_page = query.per_page.unwrap_or(25).clamp(1, 100);
    let page = query.page.unwrap_or(1).max(1);
    let search = query.q.as_deref().map(fold_name).filter(|q| !q.is_empty());
    let kind = query.kind;
    let filter = crate::queue::Filter {
        status,
        kind,
        search,
        page,
        per_page,
    };
    let response = state
        .read(move |conn| crate::queue::page(conn, &filter, chrono::Utc::now()))
        .await?;
    Ok(private_json(StatusCode::OK, &response))
}

/// The town's staff (administrators).
#[utoipa::path(
    tag = "Back office",
    responses(
        (status = 200, body = StaffList),
        (status = 403, description = "Not an administrator", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/backoffice/staff")]
pub async fn list_staff(
    state: web::Data<AppState>,
    staff: StaffUser,
) -> Result<HttpResponse, ApiError> {
    staff.require_administrator()?;
    let items = state
        .read(|conn| Ok(Account::staff(conn)?.into_iter().map(profile_of).collect()))
        .await?;
    Ok(private_json(StatusCode::OK, &StaffList { items }))
}

/// What the back office shows of a staff account.
fn profile_of(account: Account) -> StaffProfile {
    StaffProfile {
        actif: account.is_active(),
        username: account.username,
        email: account.email,
        role: account.role,
    }
}

/// Changes a staff member's role, or deactivates (or reactivates) their account
/// (administrators). A deactivated account's sessions end at once and it cannot log in;
/// nothing is deleted, so the audit log keeps naming it. Administrators cannot demote or
/// deactivate themselves: the one making the change stays an administrator, so the portal
/// always keeps one (and `create-admin` on the server remains the way back).
#[utoipa::path(
    tag = "Back office",
    params(("username" = String, Path)),
    request_body = StaffUpdate,
    responses(
        (status = 200, body = StaffProfile),
        (status = 403, description = "Not an administrator", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such staff member", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "An administrator's change to their own account", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/backoffice/staff/{username}")]
pub async fn update_staff(
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<String>,
    body: ValidJson<StaffUpdate>,
) -> Result<HttpResponse, ApiError> {
    staff.require_administrator()?;
    let (key, update) = (username_key(&path.into_inner()), body.0);
    let profile = state
        .write(move |conn| {
            let account = Account::find_by_login(conn, &key)?
                .filter(Account::is_staff)
                .ok_or(ApiError::NotFound)?;
            let stays_administrator = update.actif && update.role == StaffRole::Administrateur;
            if account.id == staff.user.account_id && !stays_administrator {
                return Err(ApiError::Conflict(
                    "Vous ne pouvez pas retirer vos propres droits d'administrateur ni désactiver votre compte : un autre administrateur peut le faire.",
                ));
            }
            let new_state = if update.actif {
                account_state::ACTIVE
            } else {
                account_state::CLOSED
            };
            Account::set_staff(conn, &account.id, &to_text(&update.role), new_state)?;
            if !update.actif {
                crate::db::models::session::revoke_all(conn, &account.id, None, now())?;
            }
            tracing::info!(account = %account.id, by = %staff.user.account_id, role = ?update.role, actif = update.actif, "staff account changed");
            Ok(profile_of(Account::find(conn, &account.id)?))
        })
        .await?;
    Ok(private_json(StatusCode::OK, &profile))
}

/// Adds an agent or administrator (administrators): the account has no password until its
/// owner chooses one from the emailed link (48 hours); they enrol an authenticator at
/// their first login.
#[utoipa::path(
    tag = "Back office",
    request_body = NewStaffRequest,
    responses(
        (status = 201, body = StaffProfile),
        (status = 403, description = "Not an administrator", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Username or email already in use", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/backoffice/staff")]
pub async fn create_staff(
    state: web::Data<AppState>,
    staff: StaffUser,
    body: ValidJson<NewStaffRequest>,
) -> Result<HttpResponse, ApiError> {
    staff.require_administrator()?;
    let request = body.0;
    let (town, base) = (state.town().await?.name, state.public_url.clone());
    let profile = state
        .write(move |conn| {
            let username = request.username.trim().to_string();
            let email = request.email.trim().to_string();
            if Account::username_taken(conn, &username_key(&username))?
                || Account::find_by_email(conn, &email_key(&email))?.is_some()
            {
                return Err(ApiError::Conflict(
                    "Ce nom d'utilisateur ou cette adresse est déjà utilisé.",
                ));
            }
            let (id, now) = (new_id(), now());
            NewAccount {
                id: &id,
                username: &username,
                username_normalized: &username_key(&username),
                email: &email,
                email_normalized: &email_key(&email),
                password_hash: None,
                state: account_state::PENDING_ACTIVATION,
                new_household: false,
                created_at: now,
            }
            .insert(conn)?;
            Account::activate(conn, &id, now)?;
            let role = to_text(&request.role);
            Account::set_role(conn, &id, &role)?;
            let ttl = std::time::Duration::from_secs(48 * 3600);
            let token =
                action_token::issue(conn, &id, action_token::Purpose::PasswordReset, ttl, None)?;
            let link = format!("{base}/reinitialiser-mot-de-passe#token={token}");
            let welcome = templates::staff_welcome(&email, &username, &town, &link)
                .with_link_until(outbox::link_expiry(now, ttl));
            outbox::enqueue(conn, &welcome, now)?;
            Ok(StaffProfile {
                username,
                email,
                role,
                actif: true,
            })
        })
        .await?;
    Ok(private_json(StatusCode::CREATED, &profile))
}

/// « Délai de traitement » for families: how many requests wait and their median wait.
#[utoipa::path(tag = "Contenu", responses((status = 200, body = WaitingTime)))]
#[get("/delai-traitement")]
pub async fn waiting_time(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (en_attente, attente_mediane_heures) = state
        .read(|conn| crate::queue::waiting_stats(conn, chrono::Utc::now()))
        .await?;
    crate::routes::content::cacheable_json(
        &req,
        &WaitingTime {
            en_attente,
            attente_mediane_heures,
        },
    )
}

/// Forgets a staff member's authenticator (administrators), e.g. after a lost phone: they
/// enrol a new one at their next login, after their password. Their sessions end.
#[utoipa::path(
    tag = "Back office",
    params(("username" = String, Path)),
    responses(
        (status = 204, description = "Reset; the staff member enrols again"),
        (status = 403, description = "Not an administrator", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such staff member", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/backoffice/staff/{username}/totp-reset")]
pub async fn reset_totp(
    state: web::Data<AppState>,
    staff: StaffUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    staff.require_administrator()?;
    let key = username_key(&path.into_inner());
    state
        .write(move |conn| {
            let account = Account::find_by_login(conn, &key)?
                .filter(Account::is_staff)
                .ok_or(ApiError::NotFound)?;
            Account::reset_totp(conn, &account.id)?;
            crate::db::models::session::revoke_all(conn, &account.id, None, now())?;
            tracing::info!(account = %account.id, by = %staff.user.account_id, "authenticator reset");
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The emails the portal gave up on (SMTP down for longer than `EMAIL_RETRY_HOURS`, a
/// refused address, a link that expired first): the back office's banner « N e-mails n'ont
/// pas pu être envoyés » (administrators).
#[utoipa::path(
    tag = "Back office",
    responses(
        (status = 200, body = FailedEmails),
        (status = 403, description = "Not an administrator", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/backoffice/emails/echecs")]
pub async fn failed_emails(
    state: web::Data<AppState>,
    staff: StaffUser,
) -> Result<HttpResponse, ApiError> {
    staff.require_administrator()?;
    let list = state.read(crate::email::history::failed).await?;
    Ok(private_json(StatusCode::OK, &list))
}

/// « Renvoyer » once the mail server works again: every failed email that can still be
/// sent (no link in it, or a link still valid) is queued again.
#[utoipa::path(
    tag = "Back office",
    responses(
        (status = 200, body = RequeuedEmails),
        (status = 403, description = "Not an administrator", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/backoffice/emails/echecs/renvoi")]
pub async fn requeue_failed_emails(
    state: web::Data<AppState>,
    staff: StaffUser,
) -> Result<HttpResponse, ApiError> {
    staff.require_administrator()?;
    let clock = state.clock.clone();
    let requeued = state
        .write(move |conn| {
            let now = clock.now(conn)?;
            Ok(outbox::retry_failed(conn, now)?)
        })
        .await?;
    tracing::info!(event = "emails_requeued", count = requeued, agent = %staff.user.account_id);
    Ok(private_json(
        StatusCode::OK,
        &RequeuedEmails {
            requeued: requeued as u64,
        },
    ))
}
