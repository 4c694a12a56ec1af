//! Activation, login, token refresh and password reset.

use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::validation::{validate_email, validate_not_empty, validate_password};

/// « Activer mon compte »: the token from the email link, exchanged by POST so it never
/// sits in a server log or a Referer header.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    #[validate(custom(function = "validate_not_empty"), length(max = 200))]
    #[cfg_attr(feature = "server", schema(min_length = 1, max_length = 200))]
    pub token: String,
}

/// « Renvoyer le lien » and « Mot de passe oublié ? »: an email address.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EmailRequest {
    #[validate(custom(function = "validate_email"))]
    #[cfg_attr(feature = "server", schema(example = "parent@exemple.fr", format = Email, max_length = 254))]
    pub email: String,
}

/// « Se connecter ».
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Nom d'utilisateur or adresse email (case does not matter).
    #[validate(custom(function = "validate_not_empty"), length(max = 254))]
    #[cfg_attr(
        feature = "server",
        schema(example = "DEMONSTRATION", min_length = 1, max_length = 254)
    )]
    pub login: String,
    /// Checked exactly as typed. Longer than 256 bytes is refused before any hashing.
    #[validate(length(max = 256))]
    #[cfg_attr(feature = "server", schema(max_length = 256))]
    pub password: String,
    /// Staff only: the 6-digit code of their authenticator app (second factor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(max = 12))]
    #[cfg_attr(feature = "server", schema(max_length = 12))]
    pub totp_code: Option<String>,
}

/// Staff enrolment of the second factor: the password again, to get a TOTP secret.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TotpEnrolmentRequest {
    #[validate(custom(function = "validate_not_empty"), length(max = 254))]
    #[cfg_attr(feature = "server", schema(min_length = 1, max_length = 254))]
    pub login: String,
    #[validate(length(max = 256))]
    #[cfg_attr(feature = "server", schema(max_length = 256))]
    pub password: String,
}

/// The secret to add to an authenticator app; the next login with one of its codes
/// completes the enrolment.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TotpEnrolmentResponse {
    /// Base32 secret, to type into the app.
    pub secret: String,
    /// `otpauth://totp/…`, to show as a QR code.
    pub otpauth_url: String,
}

/// A short-lived access token; the refresh token travels only in an HttpOnly cookie.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    /// JWT to send as `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Seconds until the session ends if it is not used (idle timeout).
    pub idle_expires_in: u64,
    /// Whether the current CGU version has been accepted; if not, show the consent page.
    pub terms_accepted: bool,
    /// `famille`, `agent` or `administrateur`: staff see the back office, not the family
    /// screens.
    #[serde(default = "famille")]
    pub role: String,
}

fn famille() -> String {
    "famille".to_string()
}

/// « Nouveau mot de passe » from a reset link.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    #[validate(custom(function = "validate_not_empty"), length(max = 200))]
    #[cfg_attr(feature = "server", schema(min_length = 1, max_length = 200))]
    pub token: String,
    #[validate(custom(function = "validate_password"))]
    #[cfg_attr(feature = "server", schema(min_length = 12, max_length = 256))]
    pub password: String,
}

/// An empty JSON object, for calls whose body carries nothing but must be JSON (the token
/// refresh: a cross-site form cannot send `application/json`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct EmptyRequest {}
