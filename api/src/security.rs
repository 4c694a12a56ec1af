//! Response hardening on every route (SECURITY.md F-05) and the cross-site request check
//! for state-changing calls (B-03).

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{ResponseError, web};

use crate::error::ApiError;
use crate::state::AppState;

/// The Content-Security-Policy of the SPA: its own scripts and WASM only, no inline code
/// except the hashes of the loader scripts Trunk writes into `index.html`.
///
/// `blob:` frames and images are the back office's document viewer: files fetched with the
/// access token and shown from object URLs that only the app's own code can create.
pub fn spa_csp(inline_script_hashes: &[String]) -> String {
    let hashes: String = inline_script_hashes
        .iter()
        .map(|h| format!(" '{h}'"))
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; img-src 'self' data: blob:; \
         frame-src blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Swagger UI ships inline styles and scripts: a looser policy, on its pages only.
const SWAGGER_CSP: &str = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// Refuses state-changing requests sent from another site, then adds the security headers.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    if is_cross_site_write(&req, state.as_ref().map(|s| s.get_ref())) {
        tracing::warn!(path = %req.path(), "cross-site request refused");
        let response = ApiError::Forbidden.error_response();
        return Ok(add_headers(req.into_response(response), ""));
    }
    let csp = state.map(|s| s.spa_csp.clone()).unwrap_or_default();
    let response = next.call(req).await?.map_into_boxed_body();
    Ok(add_headers(as_problem(response), &csp))
}

/// A write whose `Origin` (or `Sec-Fetch-Site`) says it comes from another site. Calls
/// without those headers (integrators, curl) are not browser-driven and carry their own
/// bearer credentials.
fn is_cross_site_write(req: &ServiceRequest, state: Option<&AppState>) -> bool {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let headers = req.headers();
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site")
    {
        return true;
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => false,
        Some(origin) => {
            let allowed = state.map(|s| origin_of(&s.public_url)).unwrap_or_default();
            let own = req.connection_info().host().to_string();
            let same_host = origin.split("://").nth(1).is_some_and(|h| h == own);
            origin != allowed && !same_host
        }
    }
}

/// Gives actix's own bare 404 and 405 answers (unknown route, wrong method) the same
/// problem-document shape as every other error.
fn as_problem(response: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let error = match response.status() {
        actix_web::http::StatusCode::NOT_FOUND => ApiError::NotFound,
        actix_web::http::StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
        _ => return response,
    };
    if response.headers().contains_key(header::CONTENT_TYPE) {
        return response;
    }
    let (req, _) = response.into_parts();
    ServiceResponse::new(req, error.error_response())
}

fn origin_of(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default()
}

fn add_headers(mut response: ServiceResponse<BoxBody>, spa_csp: &str) -> ServiceResponse<BoxBody> {
    let path = response.request().path().to_string();
    let is_swagger = path.starts_with("/swagger-ui");
    let is_api = path.starts_with("/api") || is_swagger;
    let headers = response.headers_mut();
    let set =
        |headers: &mut actix_web::http::header::HeaderMap, name: &'static str, value: &str| {
            if let Ok(value) = header::HeaderValue::from_str(value) {
                headers.insert(header::HeaderName::from_static(name), value);
            }
        };
    if !is_api && !headers.contains_key(header::CACHE_CONTROL) {
        set(headers, "cache-control", crate::spa::cache_control(&path));
    }
    set(
        headers,
        "strict-transport-security",
        "max-age=31536000; includeSubDomains",
    );
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "referrer-policy", "no-referrer");
    set(headers, "x-frame-options", "DENY");
    set(headers, "cross-origin-opener-policy", "same-origin");
    set(
        headers,
        "permissions-policy",
        "camera=(), microphone=(), geolocation=()",
    );
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        let csp = if is_swagger {
            SWAGGER_CSP
        } else if spa_csp.is_empty() {
            "default-src 'none'; frame-ancestors 'none'"
        } else {
            spa_csp
        };
        set(headers, "content-security-policy", csp);
    }
    response
}
