//! The two credential mechanisms several handlers share: emailing a one-time link to the
//! owner of an address (activation resend, forgotten password), and replacing a password
//! (reset link, « Mon compte ») with everything that must follow it.

use std::time::Duration;

use actix_web::web;

use crate::db::models::account::Account;
use crate::db::models::outbox::{self, OutgoingEmail};
use crate::db::models::{action_token, session};
use crate::db::{DbConn, now};
use crate::domain::normalize::email_key;
use crate::email::templates;
use crate::error::ApiError;
use crate::extract::ClientInfo;
use crate::state::AppState;

/// At most this many links of one kind go to one address an hour.
const LINKS_PER_HOUR: i64 = 3;

/// A link a visitor may ask to receive.
pub struct LinkRequest<F> {
    /// Outbox kind, for the per-address limit.
    pub kind: &'static str,
    pub purpose: action_token::Purpose,
    pub ttl: Duration,
    /// SPA route the link opens, e.g. `activation`.
    pub route: &'static str,
    /// Which accounts may receive it (a pending one for activation, an active one for reset).
    pub eligible: fn(&Account) -> bool,
    /// The email, from the account and the link.
    pub compose: F,
}

/// Emails a fresh link to the *stored* address of the account registered under `email`
/// when it is eligible, killing its earlier links; otherwise does nothing. The caller
/// answers the same 202 either way — and at once: the lookup and the writes happen after
/// answering, the way a failed login is recorded, so a known address costs the client
/// exactly what an unknown one does. The email leaves through the outbox.
pub async fn send_link_to_owner<F>(
    state: &web::Data<AppState>,
    client: &ClientInfo,
    email: &str,
    request: LinkRequest<F>,
) -> Result<(), ApiError>
where
    F: FnOnce(&Account, &str) -> OutgoingEmail + Send + 'static,
{
    state
        .limits
        .email_requests
        .take(state, client.ip.to_string())
        .await?
        .map_err(|retry_after| ApiError::TooManyRequests { retry_after })?;
    let (state, key, kind) = (state.clone(), email_key(email), request.kind);
    actix_web::rt::spawn(async move {
        let base = state.public_url.clone();
        let outcome = state
            .write(move |conn| {
                let now = now();
                let Some(account) = Account::find_by_email(conn, &key)? else {
                    return Ok(("unknown_address", None));
                };
                let hour_ago = now - chrono::Duration::hours(1);
                let recent = outbox::queued_since(conn, &account.email, request.kind, hour_ago)?;
                if !(request.eligible)(&account) {
                    return Ok(("not_eligible", Some(account.id)));
                }
                if recent >= LINKS_PER_HOUR {
                    return Ok(("limited", Some(account.id)));
                }
                let token =
                    action_token::issue(conn, &account.id, request.purpose, request.ttl, None)?;
                let link = format!("{base}/{}#token={token}", request.route);
                let email = (request.compose)(&account, &link)
                    .with_link_until(outbox::link_expiry(now, request.ttl));
                outbox::enqueue(conn, &email, now)?;
                Ok(("sent", Some(account.id)))
            })
            .await;
        match outcome {
            Ok((outcome, account)) => {
                tracing::info!(event = %format!("{kind}_request"), outcome, account = ?account);
            }
            Err(error) => tracing::warn!(event = %format!("{kind}_request"), ?error, "failed"),
        }
    });
    Ok(())
}

/// Stores a new password hash and does what must follow, in the caller's transaction:
/// outstanding reset and email-change links die, every session but `keep_session` ends,
/// and a « mot de passe modifié » email (without the password) is queued.
pub fn replace_password(
    conn: &mut DbConn,
    town: &str,
    public_url: &str,
    account: &Account,
    hash: &str,
    keep_session: Option<&str>,
) -> Result<(), ApiError> {
    let now = now();
    Account::set_password_hash(conn, &account.id, hash, now)?;
    action_token::invalidate(conn, &account.id, action_token::Purpose::PasswordReset)?;
    action_token::invalidate(conn, &account.id, action_token::Purpose::EmailChange)?;
    session::revoke_all(conn, &account.id, keep_session, now)?;
    let reset_link = format!("{public_url}/mot-de-passe-oublie");
    let notice = templates::password_changed(&account.email, &account.username, town, &reset_link);
    outbox::enqueue(conn, &notice, now)?;
    Ok(())
}

/// « Renvoyer » in « Mon compte » > « E-mails envoyés »: a fresh link of the same kind as
/// email `email_id` (a reset link, or the confirmation of the new address still pending),
/// which kills the previous one. Not found for another account's email; 409 for a kind that
/// cannot be resent or a change no longer pending.
pub async fn resend_email(
    state: &AppState,
    account_id: &str,
    email_id: &str,
) -> Result<(), ApiError> {
    state
        .limits
        .email_requests
        .take(state, account_id)
        .await?
        .map_err(|retry_after| ApiError::TooManyRequests { retry_after })?;
    let town = state.town().await?.name;
    let base = state.public_url.clone();
    let (reset_ttl, change_ttl) = (
        state.settings.password_reset_ttl,
        state.settings.email_change_ttl,
    );
    let (account_id, email_id) = (account_id.to_string(), email_id.to_string());
    state
        .write(move |conn| {
            let now = now();
            let sent = outbox::find_for_account(conn, &email_id, &account_id)?;
            let account = Account::find(conn, &account_id)?;
            let cannot = ApiError::Conflict("Cet e-mail ne peut pas être renvoyé.");
            let email = match sent.kind.as_str() {
                "password_reset" => {
                    let purpose = action_token::Purpose::PasswordReset;
                    let token = action_token::issue(conn, &account.id, purpose, reset_ttl, None)?;
                    let link = format!("{base}/reinitialiser-mot-de-passe#token={token}");
                    let minutes = reset_ttl.as_secs() / 60;
                    templates::password_reset(
                        &account.email,
                        &account.username,
                        &town,
                        &link,
                        minutes,
                    )
                    .with_link_until(outbox::link_expiry(now, reset_ttl))
                }
                "email_change_confirm" => {
                    let Some(pending) = account.pending_email.clone() else {
                        return Err(cannot);
                    };
                    let purpose = action_token::Purpose::EmailChange;
                    let token = action_token::issue(
                        conn,
                        &account.id,
                        purpose,
                        change_ttl,
                        Some(&pending),
                    )?;
                    let link = format!("{base}/confirmer-email#token={token}");
                    templates::email_change_confirm(&pending, &account.username, &town, &link)
                        .with_link_until(outbox::link_expiry(now, change_ttl))
                        .for_account(&account.id)
                }
                _ => return Err(cannot),
            };
            outbox::enqueue(conn, &email, now)?;
            tracing::info!(event = "email_resent", kind = %sent.kind, account = %account.id);
            Ok(())
        })
        .await
}
