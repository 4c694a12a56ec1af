//! The one typed HTTP client of the SPA: JSON in, JSON or RFC 9457 problems out.
//!
//! Every call goes to the same origin under `/api`. Public calls use [`get`], [`post`] and
//! [`put`]; calls made on behalf of the signed-in user go through [`authed`], which attaches
//! the in-memory access token, refreshes it once on a 401 and flags a 403
//! `terms_not_accepted` so that the route guard sends the user to the consent page.
//! Writes guarded by optimistic locking (the dossier) add `If-Match: "<version>"` through
//! [`Authed::if_match`]. File uploads (multipart, with progress) and downloads of
//! protected files are in [`transfer`].

mod transfer;
mod wire;

pub use transfer::{Progress, Upload, UploadControl, save_blob};

use std::future::Future;
use std::pin::Pin;

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use shared::api::auth::TokenResponse;
use shared::error::{ErrorCode, FieldErrors, Problem};

use crate::state::Session;

/// A failed API call, always expressed as a problem document so pages handle one shape.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    /// The problem the server sent, or one made up for network and decoding failures.
    pub problem: Problem,
    /// Seconds from a `Retry-After` header (429, 503), when present.
    pub retry_after: Option<u32>,
}

impl ApiError {
    /// The stable error code.
    pub fn code(&self) -> ErrorCode {
        self.problem.code
    }

    /// The HTTP status (0 when the server could not be reached).
    pub fn status(&self) -> u16 {
        self.problem.status
    }

    /// A problem made up on the client side (network failure, unreadable answer).
    fn local(status: u16, code: ErrorCode, detail: &str) -> Self {
        Self {
            problem: Problem {
                problem_type: "about:blank".into(),
                title: detail.into(),
                status,
                detail: Some(detail.into()),
                code,
                fields: Default::default(),
                opens_at: None,
                raisons: Vec::new(),
            },
            retry_after: None,
        }
    }

    fn network() -> Self {
        Self::local(
            0,
            ErrorCode::ServiceUnavailable,
            "Le serveur ne répond pas. Vérifiez votre connexion puis réessayez.",
        )
    }

    fn unreadable(status: u16) -> Self {
        Self::local(
            status,
            ErrorCode::Internal,
            "Réponse inattendue du serveur. Réessayez dans quelques instants.",
        )
    }
}

/// The HTTP methods the API uses.
#[derive(Clone, Copy, Debug)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }
}

/// What JSON calls accept: the value, or a problem document.
const ACCEPT_JSON: &str = "application/json, application/problem+json";

/// Builds and sends one request; `body` is serialised JSON (`{}` for bodiless POST/PUT).
/// `key`: an `Idempotency-Key` header (see [`Authed::post_once`]).
async fn send(
    method: Method,
    path: &str,
    body: Option<String>,
    token: Option<&str>,
    if_match: Option<i32>,
    key: Option<&str>,
    accept: &str,
) -> Result<Response, ApiError> {
    let mut builder: RequestBuilder = match method {
        Method::Get => Request::get(path),
        Method::Post => Request::post(path),
        Method::Put => Request::put(path),
        Method::Patch => Request::patch(path),
        Method::Delete => Request::delete(path),
    };
    builder = builder.header("Accept", accept);
    if let Some(token) = token {
        builder = builder.header("Authorization", &format!("Bearer {token}"));
        // Signed-in reads always ask the server (a 304 when unchanged): an agent must see
        // their own change to a public list at once, not the copy cached for a minute.
        builder = builder.cache(web_sys::RequestCache::NoCache);
    }
    if let Some(version) = if_match {
        builder = builder.header("If-Match", &format!("\"{version}\""));
    }
    if let Some(key) = key {
        builder = builder.header("Idempotency-Key", key);
    }
    let request = match (method, body) {
        (Method::Get | Method::Delete, _) => builder.build(),
        // The API refuses POST/PUT without a JSON content type, even with an empty body.
        (_, body) => builder
            .header("Content-Type", "application/json")
            .body(body.unwrap_or_else(|| "{}".into())),
    }
    .map_err(|_| ApiError::network())?;
    request.send().await.map_err(|_| ApiError::network())
}

/// An answer as received: status, body text, `Retry-After` (429, 503) when present, and
/// the server's `Date` (ms since the epoch) for a countdown by its clock.
struct Received {
    status: u16,
    text: String,
    retry_after: Option<u32>,
    date: Option<f64>,
}

/// A boxed future: the exchange below is compiled once rather than once per response type,
/// which keeps the WASM bundle small (BENCHMARKS.md, SPA bundle).
type Exchange<'a> = Pin<Box<dyn Future<Output = Result<Received, ApiError>> + 'a>>;

/// Reads the whole answer.
async fn receive(response: Response) -> Result<Received, ApiError> {
    let status = response.status();
    let headers = response.headers();
    let retry_after = headers
        .get("Retry-After")
        .and_then(|v| v.trim().parse().ok());
    let date = headers
        .get("Date")
        .map(|date| js_sys::Date::parse(&date))
        .filter(|ms| ms.is_finite());
    let text = response
        .text()
        .await
        .map_err(|_| ApiError::unreadable(status))?;
    Ok(Received {
        status,
        text,
        retry_after,
        date,
    })
}

/// One request without the access token (public calls).
fn exchange_public(method: Method, path: &str, body: Option<String>) -> Exchange<'_> {
    Box::pin(async move {
        receive(send(method, path, body, None, None, None, ACCEPT_JSON).await?).await
    })
}

/// Decodes an answer: the value for a 2xx status, else the problem it describes.
fn decode<T: DeserializeOwned>(received: Received) -> Result<T, ApiError> {
    if let Some(error) = failure(&received) {
        return Err(error);
    }
    // 204 and empty 202 bodies decode as JSON `null` (fits `()` and `serde_json::Value`).
    let json = if received.text.trim().is_empty() {
        "null"
    } else {
        &received.text
    };
    serde_json::from_str(json).map_err(|_| ApiError::unreadable(received.status))
}

/// A problem document as [`failure`] reads it: every field of [`Problem`] but `raisons`.
/// `Problem`'s own decoder decodes the tagged `Reason`s, which cost the public pages'
/// bundle about 11 KB gzipped (measured), and only a refused enrolment (or wish) carries
/// them: [`Authed::post_once`] and [`Authed::put_with_raisons`] read them, flat
/// ([`wire`]). A test checks that this reads what the server writes.
#[derive(Deserialize)]
struct ProblemHead {
    #[serde(rename = "type")]
    problem_type: String,
    title: String,
    status: u16,
    #[serde(default)]
    detail: Option<String>,
    code: ErrorCode,
    #[serde(default)]
    fields: FieldErrors,
    #[serde(default)]
    opens_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl ProblemHead {
    fn into_problem(self) -> Problem {
        Problem {
            problem_type: self.problem_type,
            title: self.title,
            status: self.status,
            detail: self.detail,
            code: self.code,
            fields: self.fields,
            opens_at: self.opens_at,
            raisons: Vec::new(),
        }
    }
}

/// The `raisons` of a problem document (a refused enrolment), read flat ([`wire`]).
#[derive(Deserialize)]
struct Raisons {
    #[serde(default)]
    raisons: Vec<wire::ReasonWire>,
}

/// The error an answer carries, if its status is not 2xx. Kept out of line: it is the
/// same for every response type.
#[inline(never)]
fn failure(received: &Received) -> Option<ApiError> {
    let status = received.status;
    if (200..300).contains(&status) {
        return None;
    }
    let problem = serde_json::from_str::<ProblemHead>(&received.text)
        .map(ProblemHead::into_problem)
        .unwrap_or_else(|_| {
            let code = match status {
                401 => ErrorCode::Unauthorized,
                404 => ErrorCode::NotFound,
                // A proxy in front of the API may refuse a large upload with its own page.
                413 => ErrorCode::PayloadTooLarge,
                429 => ErrorCode::TooManyRequests,
                502..=504 => ErrorCode::ServiceUnavailable,
                _ => ErrorCode::Internal,
            };
            ApiError::local(status, code, "Réponse inattendue du serveur.").problem
        });
    Some(ApiError {
        problem,
        retry_after: received.retry_after,
    })
}

/// Adds to an error the `raisons` its answer carries (see [`ProblemHead`]).
fn with_raisons(received: &Received) -> impl FnOnce(ApiError) -> ApiError + use<> {
    let raisons = serde_json::from_str::<Raisons>(&received.text)
        .ok()
        .and_then(|r| wire::reasons(r.raisons))
        .unwrap_or_default();
    move |mut error| {
        error.problem.raisons = raisons;
        error
    }
}

fn to_json<B: Serialize>(body: &B) -> Result<String, ApiError> {
    serde_json::to_string(body).map_err(|_| ApiError::unreadable(0))
}

/// `GET path` without credentials other than cookies.
pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    decode(exchange_public(Method::Get, path, None).await?)
}

/// `GET path` without credentials, with the server's `Date` header (ms since the epoch)
/// when it sent one: a countdown to an opening follows the server's clock, not the phone's.
pub async fn get_dated<T: DeserializeOwned>(path: &str) -> Result<(T, Option<f64>), ApiError> {
    let received = exchange_public(Method::Get, path, None).await?;
    let date = received.date;
    Ok((decode(received)?, date))
}

/// `POST path` with a JSON body.
pub async fn post<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    decode(exchange_public(Method::Post, path, Some(to_json(body)?)).await?)
}

/// `PUT path` with a JSON body.
#[allow(dead_code)] // Part of the client's surface; public PUT endpoints come with later features.
pub async fn put<B: Serialize, T: DeserializeOwned>(path: &str, body: &B) -> Result<T, ApiError> {
    decode(exchange_public(Method::Put, path, Some(to_json(body)?)).await?)
}

/// `POST /api/auth/refresh`: a new access token from the HttpOnly refresh cookie.
pub async fn refresh() -> Result<TokenResponse, ApiError> {
    decode(exchange_public(Method::Post, "/api/auth/refresh", None).await?)
}

/// Calls made on behalf of the signed-in user (see [`authed`]).
#[derive(Clone, Copy)]
pub struct Authed {
    session: Session,
    if_match: Option<i32>,
}

/// A client that sends the session's access token.
pub fn authed(session: Session) -> Authed {
    Authed {
        session,
        if_match: None,
    }
}

impl Authed {
    /// Sends `If-Match: "<version>"`: the write applies only to that version of the resource
    /// (412 `precondition_failed` when someone changed it in the meantime).
    pub fn if_match(self, version: i32) -> Self {
        Self {
            if_match: Some(version),
            ..self
        }
    }

    /// `POST path` as the signed-in user with `Idempotency-Key: key`: a retry with the same
    /// key (after a lost answer, or a double click) gets the first answer instead of doing
    /// the write again. One fresh random key per write, reused for its retries.
    pub async fn post_once<B: Serialize, T: DeserializeOwned>(
        self,
        path: &str,
        body: &B,
        key: &str,
    ) -> Result<T, ApiError> {
        let received = self
            .exchange(Method::Post, path, Some(to_json(body)?), Some(key))
            .await?;
        let raisons = with_raisons(&received);
        self.checked(decode(received).map_err(raisons))
    }

    /// `PUT path` as the signed-in user; a refusal carries its `raisons` in full (see
    /// [`ProblemHead`]), as a refused enrolment does: the wishes of « Mes vœux ».
    pub async fn put_with_raisons<B: Serialize, T: DeserializeOwned>(
        self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        let received = self
            .exchange(Method::Put, path, Some(to_json(body)?), None)
            .await?;
        let raisons = with_raisons(&received);
        self.checked(decode(received).map_err(raisons))
    }

    /// `PATCH path` as the signed-in user.
    pub async fn patch<B: Serialize, T: DeserializeOwned>(
        self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        self.call(Method::Patch, path, Some(to_json(body)?)).await
    }

    /// `DELETE path` as the signed-in user.
    pub async fn delete<T: DeserializeOwned>(self, path: &str) -> Result<T, ApiError> {
        self.call(Method::Delete, path, None).await
    }

    /// `GET path` as the signed-in user.
    pub async fn get<T: DeserializeOwned>(self, path: &str) -> Result<T, ApiError> {
        self.call(Method::Get, path, None).await
    }

    /// `POST path` as the signed-in user.
    pub async fn post<B: Serialize, T: DeserializeOwned>(
        self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        self.call(Method::Post, path, Some(to_json(body)?)).await
    }

    /// `PUT path` as the signed-in user.
    pub async fn put<B: Serialize, T: DeserializeOwned>(
        self,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        self.call(Method::Put, path, Some(to_json(body)?)).await
    }

    async fn call<T: DeserializeOwned>(
        self,
        method: Method,
        path: &str,
        body: Option<String>,
    ) -> Result<T, ApiError> {
        let received = self.exchange(method, path, body, None).await?;
        self.checked(decode(received))
    }

    /// One JSON request with the access token, its answer read whole (see [`Exchange`]).
    fn exchange<'a>(
        self,
        method: Method,
        path: &'a str,
        body: Option<String>,
        key: Option<&'a str>,
    ) -> Exchange<'a> {
        Box::pin(
            async move { receive(self.respond(method, path, body, key, ACCEPT_JSON).await?).await },
        )
    }

    /// Sends one request with the access token; on a 401 the token may have expired while
    /// the tab slept: refresh once, retry once.
    async fn respond(
        self,
        method: Method,
        path: &str,
        body: Option<String>,
        key: Option<&str>,
        accept: &str,
    ) -> Result<Response, ApiError> {
        let token = self.session.access_token();
        let response = send(
            method,
            path,
            body.clone(),
            token.as_deref(),
            self.if_match,
            key,
            accept,
        )
        .await?;
        if response.status() == 401 && self.session.refresh().await {
            let token = self.session.access_token();
            return send(
                method,
                path,
                body,
                token.as_deref(),
                self.if_match,
                key,
                accept,
            )
            .await;
        }
        Ok(response)
    }

    /// Applies what some failures mean for the whole session, then hands the result back.
    fn checked<T>(self, result: Result<T, ApiError>) -> Result<T, ApiError> {
        if let Err(error) = &result {
            self.note_failure(error.code());
        }
        result
    }

    /// Kept out of line: the same for every response type.
    #[inline(never)]
    fn note_failure(self, code: ErrorCode) {
        match code {
            // The route guard watches this flag and opens the consent page.
            ErrorCode::TermsNotAccepted => self.session.set_terms_accepted(false),
            ErrorCode::Unauthorized => self.session.end(),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use shared::eligibility::Reason;

    use super::*;

    fn answer(status: u16, problem: &Problem) -> Received {
        Received {
            status,
            text: serde_json::to_string(problem).expect("json"),
            retry_after: Some(4),
            date: None,
        }
    }

    #[test]
    fn a_problem_is_read_whole_and_its_raisons_only_by_post_once() {
        let opens_at = chrono::Utc
            .with_ymd_and_hms(2027, 1, 5, 7, 30, 0)
            .single()
            .expect("instant");
        let problem = Problem {
            problem_type: "about:blank".into(),
            title: "Inscription impossible".into(),
            status: 422,
            detail: Some("Cet enfant ne peut pas être inscrit.".into()),
            code: ErrorCode::ValidationFailed,
            fields: FieldErrors::from([("_".into(), vec!["age".into(), "closed".into()])]),
            opens_at: Some(opens_at),
            raisons: vec![
                Reason::Age {
                    age: 5,
                    min: 6,
                    max: 11,
                },
                Reason::Closed,
            ],
        };
        let received = answer(422, &problem);
        let error = failure(&received).expect("a failure");
        assert_eq!(error.retry_after, Some(4));
        assert_eq!(
            error.problem,
            Problem {
                raisons: Vec::new(),
                ..problem.clone()
            }
        );
        let error = with_raisons(&received)(error);
        assert_eq!(error.problem, problem);
        // A problem without raisons, or no problem at all, has none.
        let plain = answer(
            503,
            &Problem {
                raisons: Vec::new(),
                ..problem
            },
        );
        let error = with_raisons(&plain)(failure(&plain).expect("a failure"));
        assert!(error.problem.raisons.is_empty());
        let garbled = Received {
            status: 503,
            text: "<html>".into(),
            retry_after: None,
            date: None,
        };
        let error = with_raisons(&garbled)(failure(&garbled).expect("a failure"));
        assert_eq!(error.code(), ErrorCode::ServiceUnavailable);
    }
}
