//! Staff accounts from the command line: there is no default account in production, so
//! the first administrator is created with `portail-famille create-admin USERNAME EMAIL`
//! (the password is read from standard input). They enrol their authenticator app at
//! their first login.

use crate::auth::password::hash_now;
use crate::db::models::account::{Account, NewAccount, role, state};
use crate::db::{DbConn, new_id, now, write_tx};
use crate::domain::normalize::{email_key, username_key};
use crate::domain::password_policy::PasswordPolicy;
use crate::error::ApiError;

/// Creates an active administrator. Answers a French explanation when refused.
pub fn create_administrator(
    conn: &mut DbConn,
    town_name: &str,
    username: &str,
    email: &str,
    password: &str,
) -> Result<String, String> {
    let username = username.trim();
    let email = email.trim();
    if shared::validation::validate_username(username).is_err() {
        return Err(
            "Nom d'utilisateur invalide (3 à 30 lettres, chiffres, « . », « - » ou « _ »).".into(),
        );
    }
    if shared::validation::validate_email(email).is_err() {
        return Err("Adresse email invalide.".into());
    }
    if let (Err(code), _) = PasswordPolicy::new(town_name).evaluate(password, username, email) {
        return Err(format!(
            "Mot de passe refusé ({code}) : au moins 12 caractères, difficile à deviner."
        ));
    }
    let hash = hash_now(password.as_bytes()).map_err(|e| e.to_string())?;
    let id = new_id();
    write_tx(conn, |conn| {
        if Account::username_taken(conn, &username_key(username))?
            || Account::find_by_email(conn, &email_key(email))?.is_some()
        {
            return Err(ApiError::Conflict(
                "Ce nom d'utilisateur ou cette adresse est déjà utilisé.",
            ));
        }
        let now = now();
        NewAccount {
            id: &id,
            username,
            username_normalized: &username_key(username),
            email,
            email_normalized: &email_key(email),
            password_hash: Some(&hash),
            state: state::PENDING_ACTIVATION,
            new_household: false,
            created_at: now,
        }
        .insert(conn)?;
        Account::activate(conn, &id, now)?;
        Account::set_role(conn, &id, role::ADMINISTRATEUR)?;
        Ok(())
    })
    .map_err(|e| match e {
        ApiError::Conflict(message) => message.to_string(),
        other => format!("Échec de l'enregistrement : {other}"),
    })?;
    Ok(id)
}
