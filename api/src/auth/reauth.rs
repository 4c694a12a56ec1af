//! Typing the password again before a sensitive change (password, email, a copy of one's
//! data, closing the account): verified under the same throttle as the login, a wrong
//! password counted as a failed login (SECURITY.md A-04).

use shared::validation::codes;

use crate::auth::extractor::AuthUser;
use crate::auth::throttle::Origin;
use crate::db::models::account::Account;
use crate::db::now;
use crate::error::ApiError;
use crate::extract::ClientInfo;
use crate::state::AppState;

/// Verifies the account's password for a sensitive change, under the login throttle.
pub async fn check_password(
    state: &AppState,
    user: &AuthUser,
    client: &ClientInfo,
    password: String,
    field: &str,
) -> Result<Account, ApiError> {
    let (id, throttle) = (user.account_id.clone(), state.login_throttle.clone());
    let origin = Origin::of(client, &state.devices, Some(&user.account_id));
    let checked = origin.clone();
    let (account, allowed) = state
        .read(move |conn| {
            let account = Account::find(conn, &id)?;
            let allowed = throttle.may_attempt(conn, &account.id, &checked, now())?;
            Ok((account, allowed))
        })
        .await?;
    if !allowed {
        return Err(ApiError::TooManyRequests {
            retry_after: std::time::Duration::from_secs(60),
        });
    }
    let verification = state
        .hasher
        .verify(password, account.password_hash.clone())
        .await?;
    if !verification.matches {
        crate::routes::auth::record_failure(state, &account.id, &origin).await?;
        return Err(ApiError::field(field, codes::WRONG_PASSWORD));
    }
    Ok(account)
}
