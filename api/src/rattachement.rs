//! Rattachement à un dossier existant (« Mes références dossier », SECURITY.md A-15).
//!
//! Numbers are printed on the town's letters and names are easy to learn, so knowing a
//! dossier's number and the nom and prénom of one of its adults only *starts* a
//! rattachement; the account sees nothing of the dossier until it proves control:
//! - **by code** when the dossier has an address on record (the town's import, an agent,
//!   or the address of the account that created it): a six-digit code goes to *that*
//!   address, short-lived, a few tries, single use;
//! - **by validation** otherwise (or when the family no longer reads that address): a
//!   « demande de rattachement à un dossier » waits in the agents' queue.
//!
//! Either way the accounts already linked are told by email when a new one joins.
//! Wrong references are throttled per IP and per dossier number by the handlers
//! ([`crate::state::Limits`]); the answer is the same whether the number exists or not.

use chrono::NaiveDateTime;
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;
use shared::api::dossier::{DemandeKind, DemandeStatus, Role};
use shared::api::rattachement::{
    LinkedAccount, RattachementMethod, RattachementStatus, RattachementView,
};
use shared::api::registration::DossierReference;
use shared::validation::codes;

use crate::db::DbConn;
use crate::db::models::account::Account;
use crate::db::models::demande::{self, Actor};
use crate::db::models::dossier::{self, Dossier};
use crate::db::models::rattachement::{self as row, NewRattachement, Rattachement, method, status};
use crate::db::models::{member, outbox};
use crate::email::templates;
use crate::error::ApiError;
use crate::state::AppState;

/// How long a code may be typed.
pub const CODE_TTL_MINUTES: i64 = 30;
/// Wrong tries allowed on one code; the code is spent after them.
pub const MAX_CODE_TRIES: i32 = 5;
/// Codes one rattachement may receive in all; then the family asks for an agent.
pub const MAX_CODES: i32 = 5;
/// Time between two codes.
pub const RESEND_AFTER_SECONDS: i64 = 60;

/// The answer to a decision or a code that came second (a concurrent one won).
const ALREADY_DECIDED: &str = "Cette demande de rattachement a déjà été traitée : rechargez-la.";

/// What the emails of a rattachement need.
#[derive(Clone)]
pub struct Mailing {
    pub town: String,
    pub public_url: String,
    /// Keys the codes' hashes (`SECRETS_KEY`): a six-digit code hashed without a key
    /// would be read back from a copy of the database in a million tries.
    pub secret: String,
}

impl Mailing {
    fn demarches(&self) -> String {
        format!("{}/demarches", self.public_url)
    }
}

impl Mailing {
    /// From the running portal's settings.
    pub async fn of(state: &AppState) -> Result<Self, ApiError> {
        Ok(Self {
            town: state.town().await?.name,
            public_url: state.public_url.clone(),
            secret: state.settings.secrets_key.clone(),
        })
    }
}

/// How long a client must wait after too many wrong references.
const GUESS_WAIT: std::time::Duration = std::time::Duration::from_secs(900);

/// The dossier a reference typed at « Mes références dossier » names — or 422
/// `dossier_reference_not_found`, the same answer (and the same single query) whether the
/// number exists or not. Wrong references are counted per client IP and per number; past
/// either limit every reference is refused with 429 for a while, right or wrong.
pub async fn find_reference(
    state: &AppState,
    ip: &str,
    reference: DossierReference,
) -> Result<Dossier, ApiError> {
    let number_key = reference.numero.trim().to_lowercase();
    if state.limits.dossier_guesses.check(state, ip).await?
        || state
            .limits
            .dossier_number_guesses
            .check(state, number_key.clone())
            .await?
    {
        tracing::warn!(event = "dossier_reference", outcome = "throttled", ip = %ip);
        return Err(ApiError::TooManyRequests {
            retry_after: GUESS_WAIT,
        });
    }
    let found = state
        .read(move |conn| find_dossier(conn, &reference))
        .await?;
    match found {
        Some(target) => Ok(target),
        None => {
            let _ = state.limits.dossier_guesses.take(state, ip).await?;
            let _ = state
                .limits
                .dossier_number_guesses
                .take(state, number_key)
                .await?;
            tracing::warn!(event = "dossier_reference", outcome = "not_found", ip = %ip);
            Err(ApiError::DossierReferenceNotFound)
        }
    }
}

/// The dossier whose number is `reference.numero` and one of whose adults (responsable,
/// second responsable légal, conjoint) has that nom and prénom (case and accents aside).
/// A child's name, easier to learn, is not accepted.
pub fn find_dossier(
    conn: &mut DbConn,
    reference: &DossierReference,
) -> Result<Option<Dossier>, ApiError> {
    let found = member::dossier_with_adult(
        conn,
        &reference.numero,
        &reference.nom,
        &reference.prenom,
        &[Role::Responsable, Role::ResponsableLegal, Role::Conjoint],
    )?;
    Ok(match found {
        Some(id) => Some(dossier::find(conn, &id)?),
        None => None,
    })
}

/// Starts a rattachement of `account_id` to `target` (found by [`find_dossier`]): by code
/// when the dossier has an address on record, else by an agent. An account still waiting
/// for activation begins it when activated ([`begin`]); an active one at once.
pub fn request(
    conn: &mut DbConn,
    account_id: &str,
    target: &Dossier,
    reference: &DossierReference,
    active: bool,
    mailing: &Mailing,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    if dossier::of_account(conn, account_id)?.is_some() {
        return Err(ApiError::Conflict(
            "Votre compte est déjà rattaché à un dossier famille.",
        ));
    }
    row::insert(
        conn,
        &NewRattachement {
            account_id,
            dossier_id: &target.id,
            numero: reference.numero.trim(),
            nom: reference.nom.trim(),
            prenom: reference.prenom.trim(),
            method: if target.contact_email.is_some() {
                method::CODE
            } else {
                method::VALIDATION
            },
        },
        now,
    )?;
    tracing::info!(event = "rattachement", outcome = "started", account = %account_id, dossier = %target.id);
    if active {
        begin(conn, account_id, mailing, now)?;
    }
    Ok(())
}

/// Sends the first code, or opens the agents' request, of the account's pending
/// rattachement (at activation, or at once for an active account).
pub fn begin(
    conn: &mut DbConn,
    account_id: &str,
    mailing: &Mailing,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let Some(pending) = row::of_account(conn, account_id)?.filter(Rattachement::is_pending) else {
        return Ok(());
    };
    match pending.method.as_str() {
        method::CODE if pending.codes_sent == 0 => send_code(conn, &pending, mailing, now),
        method::VALIDATION if pending.demande_id.is_none() => open_demande(conn, &pending, now),
        _ => Ok(()),
    }
}

/// « Renvoyer un code »: a new code (the previous one stops working), at most one a
/// minute and [`MAX_CODES`] in all.
pub fn resend_code(
    conn: &mut DbConn,
    account_id: &str,
    mailing: &Mailing,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let pending = pending_of(conn, account_id, method::CODE)?;
    if let Some(wait) = resend_wait(&pending, now) {
        return Err(ApiError::TooManyRequests { retry_after: wait });
    }
    send_code(conn, &pending, mailing, now)
}

/// What typing a code did. The transaction commits in every case: a wrong try counts.
#[derive(Debug, PartialEq, Eq)]
pub enum CodeOutcome {
    Linked,
    Wrong,
    /// Expired, or spent by too many wrong tries: ask for a new one.
    Expired,
}

impl CodeOutcome {
    /// The answer for the family: nothing, or the field error on `code`.
    pub fn into_result(self) -> Result<(), ApiError> {
        match self {
            Self::Linked => Ok(()),
            Self::Wrong => Err(ApiError::field("code", codes::RATTACHEMENT_CODE_INVALID)),
            Self::Expired => Err(ApiError::field("code", codes::RATTACHEMENT_CODE_EXPIRED)),
        }
    }
}

/// Checks a typed code (six digits, see `shared::validation::check_rattachement_code`)
/// and links the account when it is the one sent.
pub fn confirm_code(
    conn: &mut DbConn,
    account_id: &str,
    code: &str,
    mailing: &Mailing,
    now: NaiveDateTime,
) -> Result<CodeOutcome, ApiError> {
    let pending = pending_of(conn, account_id, method::CODE)?;
    let Some(stored) = &pending.code_hash else {
        return Ok(CodeOutcome::Expired);
    };
    if !code_is_valid(&pending, now) {
        return Ok(CodeOutcome::Expired);
    }
    if !verify_code(&mailing.secret, &pending.id, code, stored) {
        row::count_wrong_try(conn, &pending.id, now)?;
        tracing::warn!(event = "rattachement_code", outcome = "wrong", account = %account_id);
        return Ok(if pending.code_attempts + 1 >= MAX_CODE_TRIES {
            CodeOutcome::Expired
        } else {
            CodeOutcome::Wrong
        });
    }
    link(conn, &pending, mailing, now)?;
    tracing::info!(event = "rattachement", method = "code", outcome = "linked", account = %account_id);
    Ok(CodeOutcome::Linked)
}

/// « Je n'ai plus accès à cette adresse »: the pending rattachement goes to an agent.
pub fn ask_validation(
    conn: &mut DbConn,
    account_id: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let pending = pending_of(conn, account_id, method::CODE)?;
    open_demande(conn, &pending, now)
}

/// An agent's decision on a « demande de rattachement » (already recorded on the request
/// by the caller): link the account, or refuse with the agent's message.
pub fn decide(
    conn: &mut DbConn,
    demande_id: &str,
    validated: bool,
    message: Option<&str>,
    mailing: &Mailing,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let pending = row::of_demande(conn, demande_id)?
        .filter(Rattachement::is_pending)
        .ok_or(ApiError::Conflict(ALREADY_DECIDED))?;
    if validated {
        link(conn, &pending, mailing, now)?;
    } else {
        if !row::conclude(conn, &pending.id, status::REFUSE, now)? {
            return Err(ApiError::Conflict(ALREADY_DECIDED));
        }
        let account = Account::find(conn, &pending.account_id)?;
        outbox::enqueue(
            conn,
            &templates::rattachement_decided(
                &account.email,
                &account.username,
                &mailing.town,
                &pending.numero,
                false,
                message,
                &mailing.demarches(),
            ),
            now,
        )?;
    }
    tracing::info!(
        event = "rattachement",
        method = "validation",
        outcome = if validated { "linked" } else { "refused" },
        account = %pending.account_id
    );
    Ok(())
}

/// The account's rattachement as the family sees it (`agent_message` from its request).
pub fn view(
    conn: &mut DbConn,
    account_id: &str,
    now: NaiveDateTime,
) -> Result<Option<RattachementView>, ApiError> {
    let Some(found) = row::of_account(conn, account_id)? else {
        return Ok(None);
    };
    let agent_message = match &found.demande_id {
        Some(id) => demande::find(conn, id)?.agent_message,
        None => None,
    };
    let code_valid = code_is_valid(&found, now);
    Ok(Some(RattachementView {
        numero: found.numero.clone(),
        method: match found.method.as_str() {
            method::CODE => RattachementMethod::Code,
            _ => RattachementMethod::Validation,
        },
        status: match found.status.as_str() {
            status::RATTACHE => RattachementStatus::Rattache,
            status::REFUSE => RattachementStatus::Refuse,
            _ => RattachementStatus::EnAttente,
        },
        code_valide: code_valid,
        code_expire_le: found
            .code_expires_at
            .filter(|_| code_valid)
            .map(|at| at.and_utc()),
        essais_restants: if code_valid {
            u32::try_from(MAX_CODE_TRIES - found.code_attempts).unwrap_or(0)
        } else {
            0
        },
        codes_envoyes: u32::try_from(found.codes_sent).unwrap_or_default(),
        renvoi_possible: found.is_pending()
            && found.method == method::CODE
            && resend_wait(&found, now).is_none(),
        demande_id: found
            .demande_id
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(anyhow::Error::from)?,
        agent_message,
        created_at: found.created_at.and_utc(),
    }))
}

/// The accounts linked to the account's dossier, oldest first.
pub fn linked_accounts(
    conn: &mut DbConn,
    account_id: &str,
) -> Result<Vec<LinkedAccount>, ApiError> {
    let Some(found) = dossier::of_account(conn, account_id)? else {
        return Ok(Vec::new());
    };
    Ok(dossier::linked_accounts(conn, &found.id)?
        .into_iter()
        .map(|(id, username, linked_at)| LinkedAccount {
            vous: id == account_id,
            username,
            linked_at: linked_at.and_utc(),
        })
        .collect())
}

/// Whether the code last sent may still be typed.
fn code_is_valid(found: &Rattachement, now: NaiveDateTime) -> bool {
    found.code_hash.is_some()
        && found.code_expires_at.is_some_and(|at| at > now)
        && found.code_attempts < MAX_CODE_TRIES
}

fn pending_of(conn: &mut DbConn, account_id: &str, on: &str) -> Result<Rattachement, ApiError> {
    row::of_account(conn, account_id)?
        .filter(|r| r.is_pending() && r.method == on)
        .ok_or(ApiError::NotFound)
}

/// How long before another code may be sent, if it may not be now.
fn resend_wait(pending: &Rattachement, now: NaiveDateTime) -> Option<std::time::Duration> {
    if pending.codes_sent >= MAX_CODES {
        // No more codes: the family asks an agent instead (« Demander une vérification »).
        return Some(std::time::Duration::from_secs(24 * 3600));
    }
    if !code_is_valid(pending, now) {
        // Nothing usable to wait for: the code expired or was spent by wrong tries.
        return None;
    }
    let next = pending.code_sent_at? + chrono::Duration::seconds(RESEND_AFTER_SECONDS);
    (next > now).then(|| (next - now).to_std().unwrap_or_default())
}

fn send_code(
    conn: &mut DbConn,
    pending: &Rattachement,
    mailing: &Mailing,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let target = dossier::find(conn, &pending.dossier_id)?;
    let Some(address) = target.contact_email else {
        // The address was cleared since: an agent decides instead.
        return open_demande(conn, pending, now);
    };
    let code = format!("{:06}", rand::rng().random_range(0..1_000_000u32));
    let expires_at = now + chrono::Duration::minutes(CODE_TTL_MINUTES);
    row::set_code(
        conn,
        &pending.id,
        &hash_code(&mailing.secret, &pending.id, &code),
        expires_at,
        now,
    )?;
    outbox::enqueue(
        conn,
        &templates::rattachement_code(
            &address,
            &mailing.town,
            target.numero.as_deref().unwrap_or(&pending.numero),
            &code,
            CODE_TTL_MINUTES,
            &mailing.demarches(),
        )
        .with_link_until(expires_at),
        now,
    )?;
    tracing::info!(event = "rattachement_code", outcome = "sent", account = %pending.account_id);
    Ok(())
}

fn open_demande(
    conn: &mut DbConn,
    pending: &Rattachement,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let id = demande::create(
        conn,
        &pending.dossier_id,
        DemandeKind::RattachementDossier,
        DemandeStatus::EnAttenteValidation,
        Actor::Famille(&pending.account_id),
        now,
    )?;
    row::to_validation(conn, &pending.id, &id, now)?;
    tracing::info!(event = "rattachement", method = "validation", outcome = "requested", account = %pending.account_id);
    Ok(())
}

/// Links the account (once: a concurrent confirmation or decision gets 409) and tells the
/// accounts already linked, then the account itself.
fn link(
    conn: &mut DbConn,
    pending: &Rattachement,
    mailing: &Mailing,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    if !row::conclude(conn, &pending.id, status::RATTACHE, now)? {
        return Err(ApiError::Conflict(ALREADY_DECIDED));
    }
    let account = Account::find(conn, &pending.account_id)?;
    let target = dossier::find(conn, &pending.dossier_id)?;
    let numero = target.numero.unwrap_or_else(|| pending.numero.clone());
    let account_page = format!("{}/mon-compte", mailing.public_url);
    for (email, username) in dossier::account_emails(conn, &pending.dossier_id)? {
        outbox::enqueue(
            conn,
            &templates::rattachement_notice(
                &email,
                &username,
                &mailing.town,
                &account.username,
                &numero,
                &account_page,
            ),
            now,
        )?;
    }
    dossier::link_account(conn, &pending.account_id, &pending.dossier_id, now)?;
    outbox::enqueue(
        conn,
        &templates::rattachement_decided(
            &account.email,
            &account.username,
            &mailing.town,
            &numero,
            true,
            None,
            &mailing.demarches(),
        ),
        now,
    )?;
    Ok(())
}

type HmacSha256 = Hmac<Sha256>;

fn code_mac(secret: &str, rattachement_id: &str, code: &str) -> HmacSha256 {
    // HMAC takes a key of any length: `new_from_slice` cannot fail, and the fallback
    // (an empty key) is never reached.
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| <HmacSha256 as KeyInit>::new(&Default::default()));
    mac.update(b"rattachement-code\0");
    mac.update(rattachement_id.as_bytes());
    mac.update(b"\0");
    mac.update(code.as_bytes());
    mac
}

/// The stored form of a code: hex HMAC-SHA256 under `SECRETS_KEY`, bound to its
/// rattachement.
fn hash_code(secret: &str, rattachement_id: &str, code: &str) -> String {
    hex::encode(
        code_mac(secret, rattachement_id, code)
            .finalize()
            .into_bytes(),
    )
}

/// Compares in constant time.
fn verify_code(secret: &str, rattachement_id: &str, code: &str, stored: &str) -> bool {
    hex::decode(stored).is_ok_and(|expected| {
        code_mac(secret, rattachement_id, code)
            .verify_slice(&expected)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_verifies_only_for_its_rattachement_and_its_key() {
        let stored = hash_code("key", "r1", "042817");
        assert!(verify_code("key", "r1", "042817", &stored));
        assert!(!verify_code("key", "r1", "042818", &stored));
        assert!(!verify_code("key", "r2", "042817", &stored));
        assert!(!verify_code("other", "r1", "042817", &stored));
        assert!(!verify_code("key", "r1", "042817", "not hex"));
    }
}
