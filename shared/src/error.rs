//! RFC 9457 problem documents, extended with a stable machine code and field errors.
//!
//! The SPA matches on [`ErrorCode`] and on the field codes of [`FieldCode`] and turns them
//! into French sentences in one place; the `detail` text is for humans reading raw API output.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What went wrong, as a stable snake_case code clients can match on.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// One or more fields are invalid: see `fields`.
    ValidationFailed,
    /// The body is not valid JSON.
    MalformedJson,
    /// The body is not `application/json`.
    UnsupportedMediaType,
    /// The body is larger than the endpoint accepts.
    PayloadTooLarge,
    /// No valid credentials were presented (or they were wrong).
    Unauthorized,
    /// The password is right but the account has not been activated from its email yet.
    AccountNotActivated,
    /// The current terms of use (CGU) must be accepted first.
    TermsNotAccepted,
    /// The caller may not do this.
    Forbidden,
    /// A connected application's token lacks the scope this route needs (see `detail`).
    InsufficientScope,
    /// No such resource (or not yours).
    NotFound,
    /// The resource changed in the meantime, or already exists.
    Conflict,
    /// `If-Match` names an older version: someone changed the resource meanwhile (412).
    PreconditionFailed,
    /// The write needs an `If-Match` header with the version read (428).
    PreconditionRequired,
    /// The dossier is waiting for the town's decision: the family cannot change it now.
    DossierLocked,
    /// The link or token is unknown, used or expired.
    LinkExpired,
    /// The dossier number, name and first name do not match a known dossier.
    DossierReferenceNotFound,
    /// Staff: the password is right; now the code of the authenticator app is needed.
    TotpRequired,
    /// Staff: the authenticator code is wrong, expired or already used.
    TotpInvalid,
    /// Staff: the password is right, but no authenticator is enrolled yet: enrol first.
    TotpEnrolmentRequired,
    /// An upload needs an `Idempotency-Key` header (400), so a retry creates nothing twice.
    IdempotencyKeyRequired,
    /// This `Idempotency-Key` was already used for a different request (422).
    IdempotencyKeyReused,
    /// A request with this `Idempotency-Key` is still being processed (409): retry later.
    RequestInProgress,
    /// Too many attempts: wait before trying again (see `Retry-After`).
    TooManyRequests,
    /// The server is overloaded or a dependency is down: retry later (see `Retry-After`).
    ServiceUnavailable,
    /// Registrations to this période open later: see `opens_at` (409).
    WindowNotOpen,
    /// Unexpected failure on our side; nothing was changed.
    Internal,
    /// The URL does not exist.
    RouteNotFound,
    /// The HTTP method is not allowed here.
    MethodNotAllowed,
}

/// Why one field was refused. Serialised as snake_case strings.
pub type FieldCode = &'static str;

/// Field path (e.g. `password`, `dossier_reference.nom`) → the codes of what is wrong with it.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// An RFC 9457 problem document (`application/problem+json`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Problem {
    /// A URI naming the problem type.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short, human-readable summary of the problem type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// Human-readable explanation of this occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Stable machine-readable code.
    pub code: ErrorCode,
    /// Field errors, when `code` is `validation_failed`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: FieldErrors,
    /// `window_not_open`: when registrations open (by the server's clock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens_at: Option<chrono::DateTime<chrono::Utc>>,
    /// A refused enrolment: every reason in full (the codes are also in `fields._`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub raisons: Vec<crate::eligibility::Reason>,
    /// The request's id (also its `X-Request-Id` header), to quote when asking for help: it
    /// names the server's log lines of this request. The server's alone: the browser's
    /// build has no such field (each field costs the bundle, and the SPA does not show it).
    #[cfg(feature = "server")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl Problem {
    /// Field codes for one field (empty when the field has no error).
    pub fn field(&self, name: &str) -> &[String] {
        self.fields.get(name).map(Vec::as_slice).unwrap_or(&[])
    }
}
