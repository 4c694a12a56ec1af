//! The staff's second factor: time-based one-time passwords (RFC 6238: SHA-1, 6 digits,
//! 30-second steps, one step of clock skew), as every authenticator app expects.

use totp_rs::{Secret, Totp};

/// A new random secret (160 bits), base32 as authenticator apps show it.
pub fn new_secret() -> String {
    Secret::generate().to_base32()
}

fn totp(secret: &str, issuer: &str, account: &str) -> anyhow::Result<Totp> {
    let secret = Secret::try_from_base32(secret)
        .map_err(|e| anyhow::anyhow!("stored TOTP secret is not base32: {e:?}"))?;
    totp_rs::Builder::new()
        .with_secret(secret)
        .with_issuer(Some(issuer.replace(':', " ")))
        .with_account_name(account.replace(':', " "))
        .build()
        .map_err(|e| anyhow::anyhow!("TOTP settings refused: {e:?}"))
}

/// The `otpauth://` address an authenticator app reads (from a QR code, or typed).
pub fn enrolment_url(secret: &str, issuer: &str, account: &str) -> anyhow::Result<String> {
    totp(secret, issuer, account)?
        .to_url()
        .map_err(|e| anyhow::anyhow!("TOTP URL: {e:?}"))
}

/// The time step `code` is valid for at `unix_time`, if it is valid.
pub fn check(secret: &str, code: &str, unix_time: u64) -> anyhow::Result<Option<u64>> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    Ok(totp(secret, "Portail Famille", "agent")?.check(&code, unix_time))
}

/// The code for `unix_time` (tests and the administrator's command line).
pub fn code_at(secret: &str, unix_time: u64) -> anyhow::Result<String> {
    Ok(totp(secret, "Portail Famille", "agent")?
        .generate(unix_time)
        .to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_valid_for_its_step_and_the_neighbouring_ones_only() {
        let secret = new_secret();
        let code = code_at(&secret, 1_000_000_000).expect("code");
        assert_eq!(code.len(), 6);
        let step = 1_000_000_000 / 30;
        assert_eq!(
            check(&secret, &code, 1_000_000_000).expect("check"),
            Some(step)
        );
        assert_eq!(
            check(&secret, &code, 1_000_000_030).expect("check"),
            Some(step)
        );
        assert_eq!(check(&secret, &code, 1_000_000_090).expect("check"), None);
        assert_eq!(
            check(&secret, "000000x", 1_000_000_000).expect("check"),
            None
        );
        assert!(
            enrolment_url(&secret, "Ville de Chartres", "agent@mairie.fr")
                .expect("url")
                .starts_with("otpauth://totp/")
        );
    }
}
