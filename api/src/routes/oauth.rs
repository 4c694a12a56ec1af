//! `POST /api/oauth/token`: a connected application exchanges its credentials for an
//! access token (OAuth 2.0 client credentials, RFC 6749 §4.4). Its errors are OAuth's
//! (§5.2), which every OAuth client library reads, not problem documents.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, post, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use shared::api::integration::{OAuthError, TokenRequest, TokenResponse, scope_string};

/// The token request's fields as sent ([`TokenRequest`] documents them): each read once,
/// checked here so that each refusal is OAuth's.
#[derive(Default)]
struct Form {
    grant_type: String,
    scope: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

use crate::db::now;
use crate::error::ApiError;
use crate::integrations::applications::{self, TokenRefusal};
use crate::state::AppState;

/// Largest token request read (a form of four short fields).
const MAX_BODY_BYTES: usize = 4 * 1024;

/// An access token for a connected application.
#[utoipa::path(
    tag = "Intégrations",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, description = "`invalid_request`, `unsupported_grant_type` or `invalid_scope`", body = OAuthError),
        (status = 401, description = "`invalid_client`: unknown client, wrong or expired secret, revoked application", body = OAuthError,
            headers(("WWW-Authenticate" = String, description = "Basic realm=\"portail-famille\""))),
        (status = 429, description = "`too_many_requests`: more than 30 token requests a minute for this client id; retry after `Retry-After` seconds", body = shared::error::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds"))),
    ),
    security((), ("client_basic" = []))
)]
#[post("/oauth/token")]
pub async fn token(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (client_id, client_secret, scope) = match request_of(&req, payload).await {
        Ok(request) => request,
        Err(refusal) => return Ok(refusal.response()),
    };
    if let Err(wait) = state
        .limits
        .token_requests
        .take(&state, client_id.clone())
        .await?
    {
        tracing::warn!(client = %client_id.chars().take(40).collect::<String>(), "token requests throttled");
        return Err(ApiError::TooManyRequests { retry_after: wait });
    }
    let exchanged = state
        .read(move |conn| {
            applications::exchange(conn, &client_id, &client_secret, scope.as_deref(), now())
        })
        .await?;
    let (application, scopes) = match exchanged {
        Ok(found) => found,
        Err(TokenRefusal::InvalidClient) => return Ok(Refusal::invalid_client().response()),
        Err(TokenRefusal::InvalidScope) => {
            return Ok(Refusal::bad_request(
                "invalid_scope",
                "Une permission demandée n'existe pas ou n'a pas été accordée à cette application.",
            )
            .response());
        }
    };
    let scope = scope_string(&scopes);
    let (access_token, ttl) = state.jwt.issue_integration(&application.id, &scope)?;
    tracing::info!(application = %application.id, %scope, "application token issued");
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"))
        .json(TokenResponse {
            access_token,
            token_type: "Bearer".into(),
            expires_in: ttl.as_secs(),
            scope,
        }))
}

/// An OAuth error answer (RFC 6749 §5.2).
struct Refusal {
    status: StatusCode,
    error: &'static str,
    description: String,
}

impl Refusal {
    fn bad_request(error: &'static str, description: &str) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error,
            description: description.to_string(),
        }
    }

    fn invalid_request(description: &str) -> Self {
        Self::bad_request("invalid_request", description)
    }

    fn invalid_client() -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: "Identifiant ou secret d'application incorrect, secret expiré ou application révoquée.".into(),
        }
    }

    fn response(self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        response.insert_header((header::CACHE_CONTROL, "no-store"));
        if self.status == StatusCode::UNAUTHORIZED {
            response.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"portail-famille\""));
        }
        response.json(OAuthError {
            error: self.error.to_string(),
            error_description: self.description,
        })
    }
}

/// The client's id and secret and the scope it asks for, from a well-formed
/// `client_credentials` request.
async fn request_of(
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<(String, String, Option<String>), Refusal> {
    let form = read_form(req, payload).await?;
    if form.grant_type != "client_credentials" {
        return Err(Refusal::bad_request(
            "unsupported_grant_type",
            "Seul grant_type=client_credentials est accepté.",
        ));
    }
    let (id, secret) = credentials(req, &form)?.ok_or_else(Refusal::invalid_client)?;
    Ok((id, secret, form.scope))
}

/// The body, up to [`MAX_BODY_BYTES`]; `None` past it (read no further).
async fn read_body(mut payload: web::Payload) -> Option<Vec<u8>> {
    use futures_util::StreamExt;
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.ok()?;
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return None;
        }
        body.extend_from_slice(&chunk);
    }
    Some(body)
}

/// The form's fields.
async fn read_form(req: &HttpRequest, payload: web::Payload) -> Result<Form, Refusal> {
    let form_encoded = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    let body = if form_encoded {
        read_body(payload).await
    } else {
        None
    };
    let body = body.ok_or_else(|| {
        Refusal::invalid_request(
            "La requête doit être un formulaire application/x-www-form-urlencoded de moins de 4 Kio.",
        )
    })?;
    let mut form = Form::default();
    let mut grant_type = None;
    for (name, value) in url::form_urlencoded::parse(&body) {
        let slot = match name.as_ref() {
            "grant_type" => &mut grant_type,
            "scope" => &mut form.scope,
            "client_id" => &mut form.client_id,
            "client_secret" => &mut form.client_secret,
            // RFC 6749 §3.2: unknown parameters are ignored.
            _ => continue,
        };
        // §3.2: a parameter must not appear twice.
        if slot.is_some() {
            return Err(Refusal::invalid_request(&format!(
                "Le paramètre {name} est répété."
            )));
        }
        *slot = Some(value.into_owned());
    }
    form.grant_type = grant_type
        .ok_or_else(|| Refusal::invalid_request("Le paramètre grant_type est obligatoire."))?;
    Ok(form)
}

/// The client's id and secret, from HTTP Basic or the form (one of them, RFC 6749 §2.3).
fn credentials(req: &HttpRequest, form: &Form) -> Result<Option<(String, String)>, Refusal> {
    let basic = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        });
    let in_form = form.client_id.is_some() || form.client_secret.is_some();
    match (basic, in_form) {
        (Some(_), true) => Err(Refusal::invalid_request(
            "Authentifiez l'application d'une seule façon : en-tête Basic ou formulaire.",
        )),
        (Some(encoded), false) => Ok(decode_basic(encoded.trim())),
        (None, true) => Ok(form.client_id.clone().zip(form.client_secret.clone())),
        (None, false) => Ok(None),
    }
}

/// `client_id:client_secret`, each form-encoded (RFC 6749 §2.3.1), in base64.
fn decode_basic(encoded: &str) -> Option<(String, String)> {
    let bytes = STANDARD.decode(encoded).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (id, secret) = text.split_once(':')?;
    let decode = |part: &str| {
        url::form_urlencoded::parse(format!("v={part}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((decode(id)?, decode(secret)?))
}

#[cfg(test)]
mod tests {
    use super::decode_basic;

    #[test]
    fn basic_credentials_are_form_decoded() {
        // "a%3Ab:s+c%25" → id "a:b", secret "s c%".
        assert_eq!(
            decode_basic("YSUzQWI6cytjJTI1"),
            Some(("a:b".to_string(), "s c%".to_string()))
        );
        assert_eq!(decode_basic("not base64!"), None);
        assert_eq!(decode_basic("bm9jb2xvbg=="), None, "no colon");
    }
}
