//! Secrets the server must read back (the staff's TOTP secrets) are stored sealed with
//! AES-256-GCM under a key from `SECRETS_KEY`, so a copy of the database alone does not
//! give away anyone's second factor.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use sha2::{Digest, Sha256};

/// Seals and opens small secrets.
#[derive(Clone)]
pub struct SecretBox {
    cipher: Aes256Gcm,
}

impl SecretBox {
    /// The key is SHA-256 of the configured value (at least 32 random bytes in production).
    pub fn new(configured: &str) -> Self {
        let key = Sha256::digest(configured.as_bytes());
        Self {
            cipher: Aes256Gcm::new(&key),
        }
    }

    /// `base64(nonce ‖ ciphertext)`, with a fresh random nonce each time.
    pub fn seal(&self, plaintext: &str) -> anyhow::Result<String> {
        let nonce: [u8; 12] = rand::random();
        let sealed = self
            .cipher
            .encrypt(&Nonce::from(nonce), plaintext.as_bytes())
            .map_err(|_| anyhow::anyhow!("failed to seal a secret"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(STANDARD_NO_PAD.encode(out))
    }

    /// The plaintext of [`seal`](Self::seal)'s output; an error if it was tampered with
    /// or sealed under another key.
    pub fn open(&self, sealed: &str) -> anyhow::Result<String> {
        let bytes = STANDARD_NO_PAD.decode(sealed)?;
        anyhow::ensure!(bytes.len() > 12, "sealed secret too short");
        let (nonce, ciphertext) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into()?;
        let plain = self
            .cipher
            .decrypt(&Nonce::from(nonce), ciphertext)
            .map_err(|_| anyhow::anyhow!("sealed secret does not open with SECRETS_KEY"))?;
        Ok(String::from_utf8(plain)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_its_key() {
        let one = SecretBox::new("a key of at least thirty-two bytes, for tests");
        let sealed = one.seal("JBSWY3DPEHPK3PXP").expect("seal");
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_ne!(
            sealed,
            one.seal("JBSWY3DPEHPK3PXP").expect("seal"),
            "fresh nonce"
        );
        assert_eq!(one.open(&sealed).expect("open"), "JBSWY3DPEHPK3PXP");
        assert!(SecretBox::new("another key").open(&sealed).is_err());
        assert!(one.open("AAAA").is_err());
    }
}
