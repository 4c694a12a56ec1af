//! Short-lived access tokens (JWT, HS256).
//!
//! One pinned algorithm; `exp`, `iat`, `aud`, `iss` and `sub` required; no leeway; a
//! `typ` claim so that no other kind of token can pass for an access token (B-04).
//! Header fields such as `jwk`/`jku` are never consulted: the key is ours alone.

use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

/// The audience of family and staff access tokens. Connected applications' tokens have
/// their own, so a token of one kind is refused by the other's routes.
pub const FAMILY_AUDIENCE: &str = "portail-famille/family";
/// The audience of connected applications' tokens (`/api/integration/`).
pub const INTEGRATION_AUDIENCE: &str = "portail-famille/integration";
/// How long an application's token lives: a revoked application is refused at its next
/// request anyway (the application is checked on each), this bounds a stolen token.
pub const INTEGRATION_TOKEN_TTL: Duration = Duration::from_secs(300);
const ACCESS_TYPE: &str = "access";

/// What an access token says.
#[derive(Debug, Serialize, Deserialize, Clone, PartialEq)]
pub struct Claims {
    /// Account id.
    pub sub: String,
    /// Session id: revoking the session revokes its access tokens at once.
    pub sid: String,
    pub iat: i64,
    pub exp: i64,
    pub aud: String,
    pub iss: String,
    pub typ: String,
}

/// What a connected application's access token says.
#[derive(Debug, Serialize, Deserialize, Clone, PartialEq)]
pub struct IntegrationClaims {
    /// Application id (its OAuth `client_id`).
    pub sub: String,
    /// The scopes granted, space-separated.
    pub scope: String,
    pub iat: i64,
    pub exp: i64,
    pub aud: String,
    pub iss: String,
    pub typ: String,
}

/// Signing and verification keys plus the expected issuer.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    issuer: String,
    ttl: Duration,
}

impl JwtKeys {
    /// Keys derived from the configured secret.
    pub fn new(secret: &str, issuer: &str, ttl: Duration) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            issuer: issuer.to_string(),
            ttl,
        }
    }

    /// Access token lifetime.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Signs an access token for `account_id` in `session_id`.
    pub fn issue(&self, account_id: &str, session_id: &str) -> anyhow::Result<String> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: account_id.to_string(),
            sid: session_id.to_string(),
            iat: now,
            exp: now + self.ttl.as_secs() as i64,
            aud: FAMILY_AUDIENCE.to_string(),
            iss: self.issuer.clone(),
            typ: ACCESS_TYPE.to_string(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| anyhow::anyhow!("Failed to sign an access token: {e}"))
    }

    /// Verifies signature, algorithm, expiry, audience, issuer and type.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let data =
            decode::<Claims>(token, &self.decoding, &self.validation(FAMILY_AUDIENCE)).ok()?;
        (data.claims.typ == ACCESS_TYPE).then_some(data.claims)
    }

    /// Signs a connected application's token for `scope`; answers it with its lifetime.
    pub fn issue_integration(
        &self,
        application_id: &str,
        scope: &str,
    ) -> anyhow::Result<(String, Duration)> {
        let now = chrono::Utc::now().timestamp();
        let ttl = INTEGRATION_TOKEN_TTL;
        let claims = IntegrationClaims {
            sub: application_id.to_string(),
            scope: scope.to_string(),
            iat: now,
            exp: now + ttl.as_secs() as i64,
            aud: INTEGRATION_AUDIENCE.to_string(),
            iss: self.issuer.clone(),
            typ: ACCESS_TYPE.to_string(),
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| anyhow::anyhow!("Failed to sign an application token: {e}"))?;
        Ok((token, ttl))
    }

    /// Verifies a connected application's token as [`Self::verify`] does a family's.
    pub fn verify_integration(&self, token: &str) -> Option<IntegrationClaims> {
        let validation = self.validation(INTEGRATION_AUDIENCE);
        let data = decode::<IntegrationClaims>(token, &self.decoding, &validation).ok()?;
        (data.claims.typ == ACCESS_TYPE).then_some(data.claims)
    }

    fn validation(&self, audience: &str) -> Validation {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_audience(&[audience]);
        validation.set_issuer(&[&self.issuer]);
        validation.set_required_spec_claims(&["exp", "iat", "aud", "iss", "sub"]);
        validation
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    fn keys() -> JwtKeys {
        JwtKeys::new(
            "test-secret-test-secret-test-secret!",
            "http://portail.test",
            Duration::from_secs(600),
        )
    }

    fn forge(header: &str, claims: serde_json::Value, signature: &str) -> String {
        format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(claims.to_string()),
            signature
        )
    }

    fn claims(overrides: serde_json::Value) -> serde_json::Value {
        let now = chrono::Utc::now().timestamp();
        let mut base = serde_json::json!({
            "sub": "a", "sid": "s", "iat": now, "exp": now + 300,
            "aud": FAMILY_AUDIENCE, "iss": "http://portail.test", "typ": "access"
        });
        if let (Some(base), Some(extra)) = (base.as_object_mut(), overrides.as_object()) {
            for (k, v) in extra {
                if v.is_null() {
                    base.remove(k);
                } else {
                    base.insert(k.clone(), v.clone());
                }
            }
        }
        base
    }

    fn sign(claims: serde_json::Value) -> String {
        encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(b"test-secret-test-secret-test-secret!"),
        )
        .expect("sign")
    }

    #[test]
    fn a_token_we_issued_verifies() {
        let token = keys().issue("account", "session").expect("issue");
        let claims = keys().verify(&token).expect("valid");
        assert_eq!(
            (claims.sub.as_str(), claims.sid.as_str()),
            ("account", "session")
        );
        assert!(claims.exp - claims.iat <= 900);
    }

    #[test]
    fn family_and_application_tokens_are_not_interchangeable() {
        let family = keys().issue("account", "session").expect("issue");
        let (application, ttl) = keys()
            .issue_integration("app", "dossiers:read")
            .expect("issue");
        assert!(ttl.as_secs() <= 300, "at most 5 minutes");
        let claims = keys().verify_integration(&application).expect("valid");
        assert_eq!(
            (claims.sub.as_str(), claims.scope.as_str()),
            ("app", "dossiers:read")
        );
        assert!(
            keys().verify(&application).is_none(),
            "an application token on family routes"
        );
        assert!(
            keys().verify_integration(&family).is_none(),
            "a family token on integration routes"
        );
    }

    #[test]
    fn forged_or_misused_tokens_are_refused() {
        let now = chrono::Utc::now().timestamp();
        let cases = [
            (
                "alg none",
                forge(
                    r#"{"alg":"none","typ":"JWT"}"#,
                    claims(serde_json::json!({})),
                    "",
                ),
            ),
            (
                "empty signature",
                forge(
                    r#"{"alg":"HS256","typ":"JWT"}"#,
                    claims(serde_json::json!({})),
                    "",
                ),
            ),
            (
                "embedded jwk",
                forge(
                    r#"{"alg":"HS256","jwk":{"kty":"oct","k":"YQ"}}"#,
                    claims(serde_json::json!({})),
                    "c2ln",
                ),
            ),
            (
                "expired 61 s ago",
                sign(claims(serde_json::json!({"exp": now - 61}))),
            ),
            ("no exp", sign(claims(serde_json::json!({"exp": null})))),
            (
                "wrong aud",
                sign(claims(serde_json::json!({"aud": "portail-famille/staff"}))),
            ),
            (
                "wrong iss",
                sign(claims(serde_json::json!({"iss": "https://evil.example"}))),
            ),
            (
                "refresh used as access",
                sign(claims(serde_json::json!({"typ": "refresh"}))),
            ),
            ("other secret", {
                encode(
                    &Header::new(Algorithm::HS256),
                    &claims(serde_json::json!({})),
                    &EncodingKey::from_secret(b"other"),
                )
                .expect("sign")
            }),
        ];
        for (name, token) in cases {
            assert!(keys().verify(&token).is_none(), "{name} must be refused");
        }
    }
}
