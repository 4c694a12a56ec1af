//! Device cookies (OWASP, « Slow Down Online Guessing Attacks with Device Cookies »): a
//! signed cookie marks a browser where an account logged in successfully. Attempts from
//! such a known device are throttled on their own — per device — and escape the locks that
//! strangers can trigger (the account-wide ceiling, the per-address limit), so hammering an
//! account from many addresses never locks its family out of the browser it uses
//! (SECURITY.md A-09).
//!
//! The cookie holds no identifier in clear: one entry per account that logged in on this
//! browser (a few at most: two parents on the family computer), each `tag.nonce.sig` where
//! `tag` is a keyed hash of the account id, `nonce` names the device (its own lock), and
//! `sig` signs both under `SECRETS_KEY`.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// The cookie's name. `__Host-` forces `Secure`, `Path=/` and no `Domain`.
pub const DEVICE_COOKIE: &str = "__Host-pf_device";
/// How long a browser stays known without a new successful login.
pub const DEVICE_DAYS: i64 = 180;
/// Accounts remembered per browser.
const MAX_ENTRIES: usize = 4;

type HmacSha256 = Hmac<Sha256>;

/// Signs and reads device cookies.
#[derive(Clone)]
pub struct DeviceCookies {
    key: Vec<u8>,
}

impl DeviceCookies {
    /// Keys derived from `SECRETS_KEY`.
    pub fn new(secret: &str) -> Self {
        Self {
            key: [b"device-cookie\0".as_slice(), secret.as_bytes()].concat(),
        }
    }

    fn mac(&self, parts: &[&[u8]]) -> HmacSha256 {
        // HMAC accepts keys of any length: the fallback is never used.
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(&self.key)
            .unwrap_or_else(|_| <HmacSha256 as KeyInit>::new(&Default::default()));
        for part in parts {
            mac.update(part);
            mac.update(b"\0");
        }
        mac
    }

    fn tag(&self, account_id: &str) -> String {
        let digest = self.mac(&[b"account", account_id.as_bytes()]).finalize();
        URL_SAFE_NO_PAD.encode(&digest.into_bytes()[..16])
    }

    fn sign(&self, tag: &str, nonce: &str) -> String {
        URL_SAFE_NO_PAD.encode(
            self.mac(&[b"entry", tag.as_bytes(), nonce.as_bytes()])
                .finalize()
                .into_bytes(),
        )
    }

    /// The device's nonce for `account_id` if `cookie` (the request's value) holds a valid
    /// entry for it: this browser is where the account last logged in successfully.
    pub fn device_of(&self, cookie: Option<&str>, account_id: &str) -> Option<String> {
        let tag = self.tag(account_id);
        cookie?.split('~').find_map(|entry| {
            let mut parts = entry.split('.');
            let (entry_tag, nonce, sig) = (parts.next()?, parts.next()?, parts.next()?);
            let valid = parts.next().is_none()
                && entry_tag == tag
                && self
                    .mac(&[b"entry", entry_tag.as_bytes(), nonce.as_bytes()])
                    .verify_slice(&URL_SAFE_NO_PAD.decode(sig).ok()?)
                    .is_ok();
            valid.then(|| nonce.to_string())
        })
    }

    /// The cookie after a successful login of `account_id`: a fresh entry for it first,
    /// then the others this browser knew (at most [`MAX_ENTRIES`] in all).
    pub fn after_login(&self, cookie: Option<&str>, account_id: &str) -> Cookie<'static> {
        let tag = self.tag(account_id);
        let mut nonce = [0u8; 16];
        rand::rng().fill_bytes(&mut nonce);
        let nonce = URL_SAFE_NO_PAD.encode(nonce);
        let mut entries = vec![format!("{tag}.{nonce}.{}", self.sign(&tag, &nonce))];
        entries.extend(
            cookie
                .unwrap_or_default()
                .split('~')
                .filter(|e| !e.is_empty() && !e.starts_with(&format!("{tag}.")))
                .filter(|e| e.len() < 200)
                .take(MAX_ENTRIES - 1)
                .map(str::to_string),
        );
        Cookie::build(DEVICE_COOKIE, entries.join("~"))
            .path("/")
            .secure(true)
            .http_only(true)
            .same_site(SameSite::Strict)
            .max_age(CookieDuration::days(DEVICE_DAYS))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_valid_for_its_account_only_and_cannot_be_forged() {
        let cookies = DeviceCookies::new("secret");
        let first = cookies.after_login(None, "account-a");
        let value = first.value().to_string();
        let nonce = cookies.device_of(Some(&value), "account-a").expect("known");
        assert!(cookies.device_of(Some(&value), "account-b").is_none());
        assert!(
            DeviceCookies::new("other")
                .device_of(Some(&value), "account-a")
                .is_none()
        );
        let forged = value.replacen(&nonce, "AAAAAAAAAAAAAAAAAAAAAA", 1);
        assert!(cookies.device_of(Some(&forged), "account-a").is_none());
        assert!(!value.contains("account-a"), "no identifier in clear");
    }

    #[test]
    fn a_browser_remembers_a_few_accounts_newest_first() {
        let cookies = DeviceCookies::new("secret");
        let mut value: Option<String> = None;
        for account in ["a", "b", "c", "d", "e"] {
            value = Some(
                cookies
                    .after_login(value.as_deref(), account)
                    .value()
                    .to_string(),
            );
        }
        let value = value.expect("cookie");
        assert!(cookies.device_of(Some(&value), "e").is_some());
        assert!(cookies.device_of(Some(&value), "b").is_some());
        assert!(
            cookies.device_of(Some(&value), "a").is_none(),
            "the oldest is dropped"
        );
        let again = cookies.after_login(Some(&value), "b").value().to_string();
        assert_eq!(again.split('~').count(), MAX_ENTRIES);
    }
}
