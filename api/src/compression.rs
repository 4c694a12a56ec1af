//! Compression of answers on the fly (actix's `Compress`: Brotli, gzip or zstd, as the
//! client prefers), within a policy: API JSON, the OpenAPI document and Swagger UI. The
//! SPA's assets are not compressed here: the build wrote their Brotli and gzip copies
//! ([`crate::spa::precompressed`]).
//!
//! BREACH (and CRIME before it) reads a secret out of compressed answers that also reflect
//! text the attacker chose, by watching their sizes. Our answers that carry a secret are
//! the login, token refresh and authenticator enrolment (`/api/auth/…`: an access token, a
//! TOTP secret): they are never compressed. The other answers carry no secret — the access
//! token travels in a header, the refresh token in a cookie, and no CSRF token exists —, so
//! compressing the family's own data (or public content) gives an attacker nothing to
//! extract. Answers under 1 KiB are left as they are: compressing them saves nothing; so
//! are files (PDFs, images), compressed already.

use actix_web::body::{BodySize, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;

/// Below this size an answer is sent as it is.
pub const MIN_BYTES: u64 = 1024;

/// Marks what must not be compressed (`Content-Encoding: identity`, which `Compress`
/// respects); [`unmark`] removes the marker on the way out. Goes inside `Compress`.
pub async fn policy(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let secret = req.path().starts_with("/api/auth/");
    let mut response = next.call(req).await?;
    let small = match response.response().body().size() {
        BodySize::Sized(size) => size < MIN_BYTES,
        BodySize::None => true,
        BodySize::Stream => false,
    };
    let encoded = response.headers().contains_key(header::CONTENT_ENCODING);
    // Text only (JSON, the OpenAPI document, Swagger UI): pieces and documents are PDFs
    // and images, compressed already.
    let text = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.starts_with("application/json")
                || v.starts_with("application/problem+json")
                || v.starts_with("application/javascript")
                || v.starts_with("text/")
        });
    if !encoded && (!text || secret || small) {
        response.headers_mut().insert(
            header::CONTENT_ENCODING,
            HeaderValue::from_static("identity"),
        );
    }
    Ok(response)
}

/// Removes the marker [`policy`] set: `identity` is not a content coding to send (RFC 9110
/// §8.4.1). Goes outside `Compress`.
pub async fn unmark(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut response = next.call(req).await?;
    let marked = response
        .headers()
        .get(header::CONTENT_ENCODING)
        .is_some_and(|v| v == "identity");
    if marked {
        response.headers_mut().remove(header::CONTENT_ENCODING);
    }
    Ok(response)
}
