//! The two credential mechanisms several handlers share: emailing a one-time link to the
//! owner of an address (activation resend, forgotten password), and replacing a password
//! (reset link, « Mon compte ») with everything that must follow it.

use std::time::Duration;

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
/// answers the same 202 either way, and the email leaves through the outbox, so neither
/// the answer nor its timing tells whether the address is known.
pub async fn send_link_to_owner<F>(
    state: &AppState,
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
        .hit(&client.ip.to_string())
        .map_err(|retry_after| ApiError::TooManyRequests { retry_after })?;
    let key = email_key(email);
    let base = state.public_url.clone();
    state
        .write(move |conn| {
            let now = now();
            let Some(account) = Account::find_by_email(conn, &key)? else {
                return Ok(());
            };
            let hour_ago = now - chrono::Duration::hours(1);
            let recent = outbox::queued_since(conn, &account.email, request.kind, hour_ago)?;
            if !(request.eligible)(&account) || recent >= LINKS_PER_HOUR {
                return Ok(());
            }
            let token = action_token::issue(conn, &account.id, request.purpose, request.ttl, None)?;
            let link = format!("{base}/{}#token={token}", request.route);
            outbox::enqueue(conn, &(request.compose)(&account, &link), now)?;
            Ok(())
        })
        .await
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
