//! Request extractors: strict JSON bodies and the caller's network identity.

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::StreamExt;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use shared::error::FieldErrors;
use shared::validation::codes;
use validator::Validate;

use crate::error::ApiError;
use crate::state::AppState;

/// Largest JSON body any endpoint accepts. Account requests are tiny; uploads are multipart.
pub const JSON_LIMIT_BYTES: usize = 64 * 1024;

/// A JSON body that was checked end to end: `application/json`, at most
/// [`JSON_LIMIT_BYTES`], syntactically valid, an object wherever the API documents one,
/// exactly the expected fields with the expected types (`deny_unknown_fields` on every
/// request type), and passing its `validator` rules. Every failure becomes a problem
/// document with field codes the SPA can translate.
pub struct ValidJson<T>(pub T);

impl<T: DeserializeOwned + Serialize + Validate + 'static> FromRequest for ValidJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = req
            .mime_type()
            .ok()
            .flatten()
            .is_some_and(|m| m.essence_str() == "application/json");
        let declared_length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::UnsupportedMediaType);
            }
            // Refuse early on the declared size, and again while reading for chunked bodies.
            if declared_length.is_some_and(|len| len > JSON_LIMIT_BYTES) {
                return Err(ApiError::PayloadTooLarge);
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| ApiError::MalformedJson(e.to_string()))?;
                if body.len() + chunk.len() > JSON_LIMIT_BYTES {
                    return Err(ApiError::PayloadTooLarge);
                }
                body.extend_from_slice(&chunk);
            }
            let value = parse_json::<T>(&body)?;
            objects_where_documented(&body, &value)?;
            value.validate()?;
            Ok(Self(value))
        })
    }
}

/// Deserialises `body`, turning serde's errors into field errors where they name a field.
fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let deserializer = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let message = inner.to_string();
                let (field, code) =
                    if let Some(name) = backticked_after(&message, "unknown field `") {
                        (join_path(&path, &name), codes::UNKNOWN_FIELD)
                    } else if let Some(name) = backticked_after(&message, "missing field `") {
                        (join_path(&path, &name), codes::REQUIRED)
                    } else {
                        (
                            if path == "." { "_".to_string() } else { path },
                            codes::INVALID_TYPE,
                        )
                    };
                let mut fields = FieldErrors::new();
                fields.insert(field, vec![code.to_string()]);
                ApiError::Validation(fields)
            }
            _ => ApiError::MalformedJson(inner.to_string()),
        }
    })
}

/// serde reads a struct from a JSON array too (`["user", "password"]` as a login), which
/// skips the unknown-field check and is not what the document describes: every place where
/// the parsed value is an object must have been an object in the body. 422 naming the
/// place (`_` for the body itself) otherwise.
fn objects_where_documented<T: Serialize>(body: &[u8], parsed: &T) -> Result<(), ApiError> {
    fn walk(sent: &Value, understood: &Value, path: &str) -> Result<(), String> {
        let at = |key: &str| {
            if path.is_empty() {
                key.to_string()
            } else {
                format!("{path}.{key}")
            }
        };
        match (sent, understood) {
            (Value::Object(sent), Value::Object(understood)) => {
                for (key, inner) in understood {
                    if let Some(sent) = sent.get(key) {
                        walk(sent, inner, &at(key))?;
                    }
                }
                Ok(())
            }
            (Value::Array(sent), Value::Array(understood)) => {
                for (index, (sent, inner)) in sent.iter().zip(understood).enumerate() {
                    walk(sent, inner, &at(&index.to_string()))?;
                }
                Ok(())
            }
            (_, Value::Object(_)) => Err(if path.is_empty() {
                "_".into()
            } else {
                path.into()
            }),
            _ => Ok(()),
        }
    }
    let sent: Value =
        serde_json::from_slice(body).map_err(|e| ApiError::MalformedJson(e.to_string()))?;
    let understood = serde_json::to_value(parsed).map_err(anyhow::Error::from)?;
    walk(&sent, &understood, "").map_err(|field| ApiError::field(&field, codes::NOT_AN_OBJECT))
}

fn backticked_after(message: &str, prefix: &str) -> Option<String> {
    let start = message.find(prefix)? + prefix.len();
    let end = message[start..].find('`')?;
    Some(message[start..start + end].to_string())
}

fn join_path(parent: &str, field: &str) -> String {
    // serde_path_to_error reports the parent as "." at the top level, and for an unknown
    // field it already points at the field itself.
    if parent == "." || parent.is_empty() {
        field.to_string()
    } else if parent.ends_with(field) {
        parent.to_string()
    } else {
        format!("{parent}.{field}")
    }
}

/// Who is calling: the client IP and a shortened User-Agent, for throttling and the
/// connection log.
#[derive(Clone, Debug)]
pub struct ClientInfo {
    pub ip: IpAddr,
    pub user_agent: String,
    /// The known-device cookie, as sent (checked against an account at login).
    pub device_cookie: Option<String>,
}

impl FromRequest for ClientInfo {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(client_info(req)))
    }
}

/// The caller's IP: the TCP peer, unless the peer is a configured trusted proxy, in which
/// case the last address of `X-Forwarded-For` (the one that proxy added). A client cannot
/// choose its own throttling key by sending the header itself (SECURITY.md A-08 h).
pub fn client_info(req: &HttpRequest) -> ClientInfo {
    let peer = req
        .peer_addr()
        .map(|a| a.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    let trusted = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|s| s.settings.trusted_proxies.contains(&peer));
    let ip = if trusted {
        req.headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(peer)
    } else {
        peer
    };
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let device_cookie = req
        .cookie(crate::auth::device::DEVICE_COOKIE)
        .map(|c| c.value().to_string());
    ClientInfo {
        ip,
        user_agent,
        device_cookie,
    }
}

/// Longest `Idempotency-Key` accepted.
const MAX_IDEMPOTENCY_KEY_CHARS: usize = 255;

/// The `Idempotency-Key` header (400 without it).
pub fn idempotency_key(req: &HttpRequest) -> Result<String, ApiError> {
    optional_idempotency_key(req)?.ok_or(ApiError::IdempotencyKeyRequired)
}

/// The `Idempotency-Key` header if sent: visible ASCII, at most 128 characters (422
/// otherwise — a key sent but unreadable is not a missing one).
pub fn optional_idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(raw) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let key = raw
        .to_str()
        .map_err(|_| ApiError::field("Idempotency-Key", codes::INVALID_CHARACTERS))?
        .trim()
        .trim_matches('"');
    if key.is_empty() {
        return Ok(None);
    }
    if key.chars().count() > MAX_IDEMPOTENCY_KEY_CHARS {
        return Err(ApiError::field("Idempotency-Key", codes::TOO_LONG));
    }
    if !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::field(
            "Idempotency-Key",
            codes::INVALID_CHARACTERS,
        ));
    }
    Ok(Some(key.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::api::registration::RegisterRequest;

    fn fields(result: Result<RegisterRequest, ApiError>) -> FieldErrors {
        match result {
            Err(ApiError::Validation(fields)) => fields,
            Err(other) => panic!("expected field errors, got {other:?}"),
            Ok(_) => panic!("expected an error"),
        }
    }

    #[test]
    fn unknown_missing_and_mistyped_fields_are_named() {
        let unknown = br#"{"username":"a","email":"b","password":"c","new_household":true,"dossier_reference":null,"is_admin":true}"#;
        assert_eq!(
            fields(parse_json(unknown))["is_admin"],
            vec!["unknown_field"]
        );
        let missing =
            br#"{"username":"a","email":"b","new_household":true,"dossier_reference":null}"#;
        assert_eq!(fields(parse_json(missing))["password"], vec!["required"]);
        let mistyped = br#"{"username":"a","email":"b","password":"c","new_household":"yes","dossier_reference":null}"#;
        assert_eq!(
            fields(parse_json(mistyped))["new_household"],
            vec!["invalid_type"]
        );
        let nested = br#"{"username":"a","email":"b","password":"c","new_household":false,"dossier_reference":{"numero":"1","nom":"x"}}"#;
        assert_eq!(
            fields(parse_json(nested))["dossier_reference.prenom"],
            vec!["required"]
        );
    }

    #[test]
    fn broken_json_is_malformed() {
        assert!(matches!(
            parse_json::<RegisterRequest>(b"{\"username\":"),
            Err(ApiError::MalformedJson(_))
        ));
    }
}
