//! The API's error type and how it becomes an RFC 9457 problem document.
//!
//! Policy (after crates.io): model functions return `diesel::QueryResult`; code outside a
//! request (jobs, start-up) returns `anyhow::Result` with `.context("Failed to …")`;
//! handlers return `Result<_, ApiError>`. Client errors carry a stable [`ErrorCode`] and,
//! for invalid input, field codes. Anything unexpected becomes `Internal`: the client gets
//! an opaque 500 and the whole cause chain is logged, at error level and only there.

use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use shared::error::{ErrorCode, FieldErrors, Problem};

/// Everything a handler can fail with.
#[derive(thiserror::Error)]
pub enum ApiError {
    #[error("invalid input: {0:?}")]
    Validation(FieldErrors),
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unauthorized")]
    Unauthorized,
    /// An integration route without a valid application token (401 with
    /// `WWW-Authenticate: Bearer error="invalid_token"`, RFC 6750 §3).
    #[error("invalid or missing application token")]
    InvalidToken,
    /// An application token without the scope a route needs (403, RFC 6750 §3.1).
    #[error("insufficient scope: {0} needed")]
    InsufficientScope(&'static str),
    #[error("account not activated")]
    AccountNotActivated,
    #[error("terms not accepted")]
    TermsNotAccepted,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("precondition failed: stale version")]
    PreconditionFailed,
    #[error("precondition required: If-Match")]
    PreconditionRequired,
    #[error("dossier locked")]
    DossierLocked,
    #[error("link expired or already used")]
    LinkExpired,
    #[error("dossier reference not found")]
    DossierReferenceNotFound,
    #[error("too many requests")]
    TooManyRequests { retry_after: Duration },
    #[error("service unavailable: {reason}")]
    Unavailable {
        retry_after: Duration,
        reason: &'static str,
    },
    /// An uploaded file (or the upload itself) refused, with a French `detail` that names
    /// the file and the limit, and one field error (`fichiers.<index>`, `fichiers`, …).
    #[error("upload refused: {detail}")]
    UploadRefused {
        status: StatusCode,
        field: String,
        field_code: &'static str,
        detail: String,
    },
    /// A stored file that malware scanning found infected: never served.
    #[error("file quarantined")]
    Quarantined,
    #[error("second factor required")]
    TotpRequired,
    #[error("second factor invalid")]
    TotpInvalid,
    #[error("second factor not enrolled")]
    TotpEnrolmentRequired,
    #[error("idempotency key required")]
    IdempotencyKeyRequired,
    #[error("idempotency key reused for another request")]
    IdempotencyKeyReused,
    #[error("a request with this idempotency key is in progress")]
    RequestInProgress,
    /// An enrolment refused: every reason (422, their codes under field `_`).
    #[error("not eligible: {0:?}")]
    NotEligible(Vec<shared::eligibility::Reason>),
    /// Registrations open at this instant (409).
    #[error("registrations open at {0}")]
    WindowNotOpen(chrono::DateTime<chrono::Utc>),
    #[error(transparent)]
    Internal(anyhow::Error),
}

impl std::fmt::Debug for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Show the whole cause chain in logs (zero2prod's `error_chain_fmt`).
        writeln!(f, "{self}")?;
        let mut current = std::error::Error::source(self);
        while let Some(cause) = current {
            writeln!(f, "Caused by:\n\t{cause}")?;
            current = cause.source();
        }
        Ok(())
    }
}

impl ApiError {
    /// A single field error.
    pub fn field(field: &str, code: &'static str) -> Self {
        let mut fields = FieldErrors::new();
        fields.insert(field.to_string(), vec![code.to_string()]);
        Self::Validation(fields)
    }

    fn code(&self) -> ErrorCode {
        match self {
            Self::Validation(_) => ErrorCode::ValidationFailed,
            Self::MalformedJson(_) => ErrorCode::MalformedJson,
            Self::UnsupportedMediaType => ErrorCode::UnsupportedMediaType,
            Self::PayloadTooLarge => ErrorCode::PayloadTooLarge,
            Self::Unauthorized | Self::InvalidToken => ErrorCode::Unauthorized,
            Self::InsufficientScope(_) => ErrorCode::InsufficientScope,
            Self::AccountNotActivated => ErrorCode::AccountNotActivated,
            Self::TermsNotAccepted => ErrorCode::TermsNotAccepted,
            Self::Forbidden | Self::Quarantined => ErrorCode::Forbidden,
            Self::NotFound => ErrorCode::NotFound,
            Self::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::NotEligible(_) => ErrorCode::ValidationFailed,
            Self::WindowNotOpen(_) => ErrorCode::WindowNotOpen,
            Self::LinkExpired => ErrorCode::LinkExpired,
            Self::PreconditionFailed => ErrorCode::PreconditionFailed,
            Self::PreconditionRequired => ErrorCode::PreconditionRequired,
            Self::DossierLocked => ErrorCode::DossierLocked,
            Self::DossierReferenceNotFound => ErrorCode::DossierReferenceNotFound,
            Self::TooManyRequests { .. } => ErrorCode::TooManyRequests,
            Self::Unavailable { .. } => ErrorCode::ServiceUnavailable,
            Self::UploadRefused { status, .. } => match *status {
                StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
                StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
                _ => ErrorCode::ValidationFailed,
            },
            Self::TotpRequired => ErrorCode::TotpRequired,
            Self::TotpInvalid => ErrorCode::TotpInvalid,
            Self::TotpEnrolmentRequired => ErrorCode::TotpEnrolmentRequired,
            Self::IdempotencyKeyRequired => ErrorCode::IdempotencyKeyRequired,
            Self::IdempotencyKeyReused => ErrorCode::IdempotencyKeyReused,
            Self::RequestInProgress => ErrorCode::RequestInProgress,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The human-readable explanation, in French like the rest of the portal.
    fn detail(&self) -> Option<String> {
        let text = match self {
            Self::WindowNotOpen(at) => {
                let local = shared::paris::local(*at);
                return Some(format!(
                    "Les inscriptions à cette période ouvrent le {} à {} (heure de Paris).",
                    local.format("%d/%m/%Y"),
                    local.format("%H h %M")
                ));
            }
            Self::NotEligible(_) => "Cet enfant ne peut pas être inscrit : voir `raisons`.",
            Self::Validation(_) => "Certains champs sont invalides : voir `fields`.",
            Self::MalformedJson(_) => "Le corps de la requête n'est pas un JSON valide.",
            Self::UnsupportedMediaType => {
                "Le corps de la requête doit être de type application/json."
            }
            Self::PayloadTooLarge => "Le corps de la requête est trop volumineux.",
            Self::Unauthorized => {
                "Nom d'utilisateur ou mot de passe incorrect, ou session expirée."
            }
            Self::AccountNotActivated => {
                "Votre compte n'est pas encore activé : suivez le lien reçu par email."
            }
            Self::TermsNotAccepted => {
                "Vous devez prendre connaissance des conditions générales d'utilisation."
            }
            Self::Forbidden => "Vous n'avez pas accès à cette ressource.",
            Self::Quarantined => {
                "Ce fichier a été mis en quarantaine : l'analyse antivirus y a trouvé un logiciel malveillant. Il n'est transmis à personne."
            }
            Self::InvalidToken => {
                "Jeton d'accès d'application absent, invalide ou expiré, ou application révoquée : demandez-en un nouveau à /api/oauth/token."
            }
            Self::InsufficientScope(scope) => {
                return Some(format!(
                    "Cette application n'a pas la permission « {scope} » : un administrateur peut la lui accorder."
                ));
            }
            Self::NotFound => "Ressource introuvable.",
            Self::MethodNotAllowed => "Cette méthode HTTP n'est pas acceptée ici.",
            Self::Conflict(what) => what,
            Self::LinkExpired => "Ce lien n'est plus valide : il a expiré ou a déjà été utilisé.",
            Self::PreconditionFailed => {
                "Ce dossier a été modifié entre-temps (autre onglet ou autre parent) : rechargez-le avant d'enregistrer."
            }
            Self::PreconditionRequired => {
                "L'en-tête If-Match (la version lue du dossier) est obligatoire pour modifier."
            }
            Self::DossierLocked => {
                "Ce dossier est en attente de validation par la mairie : il ne peut pas être modifié."
            }
            Self::DossierReferenceNotFound => {
                "Aucun dossier famille ne correspond à ces informations."
            }
            Self::TooManyRequests { .. } => {
                "Trop de tentatives : veuillez patienter avant de réessayer."
            }
            Self::Unavailable { reason, .. } => match *reason {
                FILE_STORE_UNAVAILABLE => {
                    "Le stockage des fichiers est momentanément indisponible : rien n'a été enregistré. Veuillez réessayer dans quelques minutes."
                }
                NOT_SCANNED_YET => {
                    "Ce fichier est en cours d'analyse antivirus : il pourra être téléchargé dans quelques minutes."
                }
                SCRATCH_SPACE_FULL => {
                    "Le serveur manque momentanément de place pour recevoir des fichiers : rien n'a été enregistré. Veuillez réessayer dans quelques minutes."
                }
                _ => {
                    "Le service est momentanément surchargé : veuillez réessayer dans quelques instants."
                }
            },
            Self::UploadRefused { detail, .. } => detail.as_str(),
            Self::TotpRequired => {
                "Saisissez le code à 6 chiffres affiché par votre application d'authentification."
            }
            Self::TotpInvalid => {
                "Ce code n'est pas valide (erroné, expiré ou déjà utilisé) : saisissez le code actuel."
            }
            Self::TotpEnrolmentRequired => {
                "Associez d'abord une application d'authentification à votre compte."
            }
            Self::IdempotencyKeyRequired => {
                "L'en-tête Idempotency-Key est obligatoire : il évite qu'un envoi répété crée deux pièces."
            }
            Self::IdempotencyKeyReused => {
                "Cette clé Idempotency-Key a déjà servi pour un autre envoi : utilisez-en une nouvelle."
            }
            Self::RequestInProgress => {
                "Un envoi avec cette clé Idempotency-Key est en cours : patientez puis réessayez."
            }
            Self::Internal(_) => "Erreur inattendue : rien n'a été modifié. Veuillez réessayer.",
        };
        Some(text.to_string())
    }

    /// The problem document sent to the client.
    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let code = self.code();
        let slug = serde_json::to_value(code)
            .ok()
            .and_then(|v| v.as_str().map(|s| s.replace('_', "-")))
            .unwrap_or_default();
        Problem {
            problem_type: format!("/problems/{slug}"),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: self.detail(),
            code,
            fields: match self {
                Self::Validation(fields) => fields.clone(),
                Self::UploadRefused {
                    field, field_code, ..
                } => FieldErrors::from([(field.clone(), vec![field_code.to_string()])]),
                Self::NotEligible(reasons) => FieldErrors::from([(
                    "_".to_string(),
                    reasons.iter().map(|r| r.code().to_string()).collect(),
                )]),
                _ => FieldErrors::new(),
            },
            opens_at: match self {
                Self::WindowNotOpen(at) => Some(*at),
                _ => None,
            },
            raisons: match self {
                Self::NotEligible(reasons) => reasons.clone(),
                _ => Vec::new(),
            },
            request_id: crate::request_id::current(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Validation(_) | Self::DossierReferenceNotFound => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Self::MalformedJson(_) => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Unauthorized | Self::InvalidToken => StatusCode::UNAUTHORIZED,
            Self::AccountNotActivated
            | Self::TermsNotAccepted
            | Self::Forbidden
            | Self::Quarantined
            | Self::InsufficientScope(_) => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) | Self::WindowNotOpen(_) => StatusCode::CONFLICT,
            Self::NotEligible(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::LinkExpired => StatusCode::GONE,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            Self::DossierLocked => StatusCode::CONFLICT,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::UploadRefused { status, .. } => *status,
            Self::TotpRequired | Self::TotpInvalid => StatusCode::UNAUTHORIZED,
            Self::TotpEnrolmentRequired => StatusCode::FORBIDDEN,
            Self::IdempotencyKeyRequired => StatusCode::BAD_REQUEST,
            Self::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            Self::RequestInProgress => StatusCode::CONFLICT,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(_) = self {
            tracing::error!(error = ?self, "request failed");
        }
        if let Self::Unavailable { reason, .. } = self {
            crate::monitoring::record_unavailable(reason);
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        response.insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
        if let Self::TooManyRequests { retry_after } | Self::Unavailable { retry_after, .. } = self
        {
            response.insert_header((
                header::RETRY_AFTER,
                retry_after.as_secs().max(1).to_string(),
            ));
        }
        match self {
            Self::InvalidToken => {
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer error=\"invalid_token\""),
                ));
            }
            Self::InsufficientScope(scope) => {
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    format!("Bearer error=\"insufficient_scope\", scope=\"{scope}\""),
                ));
            }
            _ => {}
        }
        response.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match error {
            Error::NotFound => Self::NotFound,
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                Self::Conflict("Cette ressource existe déjà ou a été modifiée entre-temps.")
            }
            ref gone if database_gone(gone) => Self::database_unavailable(gone),
            other => Self::Internal(anyhow::Error::new(other).context("Database query failed")),
        }
    }
}

impl From<anyhow::Error> for ApiError {
    /// A database failure carried through code that speaks `anyhow` keeps its meaning: a
    /// database restarting is a 503 to retry, wherever the error was wrapped.
    fn from(error: anyhow::Error) -> Self {
        if let Some(gone) = error
            .downcast_ref::<diesel::result::Error>()
            .filter(|e| database_gone(e))
        {
            return Self::database_unavailable(gone);
        }
        if let Some(pool) = error.downcast_ref::<diesel::r2d2::PoolError>() {
            tracing::warn!(%pool, "no database connection available");
            return Self::Unavailable {
                retry_after: Duration::from_secs(5),
                reason: "database unavailable",
            };
        }
        Self::Internal(error)
    }
}

/// Whether a database error says the database went away (restart, network) or a
/// statement ran out of time: the client may retry, nothing was committed.
fn database_gone(error: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match error {
        Error::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        )
        // A transaction whose connection died under it (commit or rollback failed).
        | Error::BrokenTransactionManager
        | Error::RollbackErrorOnCommit { .. } => true,
        Error::DatabaseError(_, info) => {
            info.message().contains("statement timeout") || database_going_away(info.message())
        }
        _ => false,
    }
}

/// Whether PostgreSQL's message says the server is stopping, starting or gone: a restart
/// (`pg_ctl restart -m fast` ends every session with « terminating connection due to
/// administrator command ») or a failover, which a retry gets past. diesel reports these
/// as errors of an unknown kind, with the server's message.
fn database_going_away(message: &str) -> bool {
    [
        "terminating connection due to administrator command",
        "the database system is shutting down",
        "the database system is starting up",
        "the database system is in recovery mode",
        "server closed the connection unexpectedly",
        "no connection to the server",
    ]
    .iter()
    .any(|known| message.contains(known))
}

/// `Unavailable` reasons with their own French detail (and metric label).
const FILE_STORE_UNAVAILABLE: &str = "file store unavailable";
const SCRATCH_SPACE_FULL: &str = "scratch space full";
const NOT_SCANNED_YET: &str = "file not scanned yet";

impl ApiError {
    /// The file store failed to keep or give back a file: a fault of the store (down,
    /// unreachable, out of space), not of the request, so the client may retry.
    pub fn file_store_unavailable(error: anyhow::Error) -> Self {
        tracing::warn!(error = format!("{error:#}"), "file store unavailable");
        Self::Unavailable {
            retry_after: Duration::from_secs(30),
            reason: FILE_STORE_UNAVAILABLE,
        }
    }

    /// A stored file waits for its malware scan: it will be served once found clean.
    pub fn not_scanned_yet() -> Self {
        Self::Unavailable {
            retry_after: Duration::from_secs(30),
            reason: NOT_SCANNED_YET,
        }
    }

    /// Writing an upload to the scratch directory failed. A full disk (or quota) is a
    /// passing condition of the server, told as such; any other error is unexpected.
    pub fn scratch_write_failed(error: std::io::Error) -> Self {
        use std::io::ErrorKind;
        if matches!(
            error.kind(),
            ErrorKind::StorageFull | ErrorKind::QuotaExceeded
        ) {
            tracing::warn!(%error, "no space left in the upload scratch directory");
            Self::Unavailable {
                retry_after: Duration::from_secs(60),
                reason: SCRATCH_SPACE_FULL,
            }
        } else {
            Self::Internal(anyhow::Error::new(error).context("Failed to write a scratch file"))
        }
    }

    fn database_unavailable(error: &diesel::result::Error) -> Self {
        tracing::warn!(%error, "database unavailable");
        Self::Unavailable {
            retry_after: Duration::from_secs(5),
            reason: "database unavailable",
        }
    }
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(error: diesel::r2d2::PoolError) -> Self {
        tracing::warn!(%error, "no database connection available");
        Self::Unavailable {
            retry_after: Duration::from_secs(5),
            reason: "database unavailable",
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        Self::Internal(anyhow::anyhow!("blocking task failed: {error}"))
    }
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(errors: validator::ValidationErrors) -> Self {
        Self::Validation(shared::validation::field_errors(&errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::result::{DatabaseErrorKind, Error};

    fn from_message(message: &str) -> ApiError {
        ApiError::from(Error::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new(message.to_string()),
        ))
    }

    #[test]
    fn a_database_restarting_is_unavailable_not_an_internal_error() {
        for message in [
            "terminating connection due to administrator command",
            "FATAL:  the database system is shutting down",
            "the database system is starting up",
            "canceling statement due to statement timeout",
        ] {
            assert!(
                matches!(from_message(message), ApiError::Unavailable { .. }),
                "{message}"
            );
        }
        assert!(matches!(
            ApiError::from(Error::BrokenTransactionManager),
            ApiError::Unavailable { .. }
        ));
        assert!(matches!(
            from_message("column \"x\" does not exist"),
            ApiError::Internal(_)
        ));
        // The same, carried through `anyhow` (functions that return `anyhow::Result`).
        let wrapped = anyhow::Error::new(Error::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new("server closed the connection unexpectedly".to_string()),
        ));
        assert!(matches!(
            ApiError::from(wrapped),
            ApiError::Unavailable { .. }
        ));
        assert!(matches!(
            ApiError::from(anyhow::anyhow!("a bug")),
            ApiError::Internal(_)
        ));
    }
}
