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
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use sha2::Digest;

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

/// A public JSON answer encoded once for everyone who reads it until it changes: its
/// bytes, Brotli and gzip copies, and their `ETag`s. On opening morning every waiting
/// family re-reads the catalogue; compressed on the fly, each reading took a Brotli
/// encoder and a turn on the blocking threads the enrolments need (actix compresses bodies
/// over 1 KiB there): in the 10,000-family run with browsers' `Accept-Encoding`, the
/// server's CPU went from 241 to 363 s and its peak RSS from 289 to 568 MiB (BENCHMARKS.md,
/// « Opening morning », run 11).
pub struct Encoded {
    identity: Bytes,
    brotli: Bytes,
    gzip: Bytes,
    /// The identity's tag; the others add `-br` and `-gz` (a strong validator names one
    /// representation, RFC 9110 §8.8.3).
    tag: String,
}

impl Encoded {
    pub fn of(body: &impl serde::Serialize) -> anyhow::Result<Self> {
        use std::io::Write;
        let identity = serde_json::to_vec(body)?;
        let tag = hex::encode(sha2::Sha256::digest(&identity))[..32].to_string();
        let mut brotli = Vec::new();
        {
            let mut writer = brotli::CompressorWriter::new(&mut brotli, 4096, 9, 22);
            writer.write_all(&identity)?;
        }
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gzip.write_all(&identity)?;
        Ok(Self {
            identity: identity.into(),
            brotli: brotli.into(),
            gzip: gzip.finish()?.into(),
            tag,
        })
    }

    /// The answer for `req`: 304 if it holds the current tag, else the representation its
    /// `Accept-Encoding` prefers (Brotli, then gzip, then none).
    pub fn respond(&self, req: &HttpRequest, cache_control: &'static str) -> HttpResponse {
        let accepted = req
            .headers()
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let (body, coding, suffix) = if accepts(accepted, "br") {
            (&self.brotli, Some("br"), "-br")
        } else if accepts(accepted, "gzip") {
            (&self.gzip, Some("gzip"), "-gz")
        } else {
            (&self.identity, None, "")
        };
        let etag = format!("\"{}{suffix}\"", self.tag);
        let fresh = req
            .headers()
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
        let mut response = if fresh {
            HttpResponse::NotModified()
        } else {
            HttpResponse::Ok()
        };
        response
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, cache_control))
            .insert_header((header::VARY, "Accept-Encoding"));
        if fresh {
            return response.finish();
        }
        if let Some(coding) = coding {
            response.insert_header((header::CONTENT_ENCODING, coding));
        }
        response.content_type("application/json").body(body.clone())
    }
}

/// Whether an `Accept-Encoding` value accepts `coding` (named, without `q=0`).
fn accepts(header: &str, coding: &str) -> bool {
    header.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let name = parts.next().unwrap_or("");
        let refused = parts.any(|p| {
            p.strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        name.eq_ignore_ascii_case(coding) && !refused
    })
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn an_encoded_answer_is_the_same_json_in_each_coding_with_its_own_tag() {
        let body = serde_json::json!({"activites": vec!["Stage de voile à Chartres"; 200]});
        let encoded = Encoded::of(&body).expect("encode");
        let read = |accept: &str| {
            let req = TestRequest::get()
                .insert_header((header::ACCEPT_ENCODING, accept))
                .to_http_request();
            encoded.respond(&req, "public, no-cache")
        };
        let plain: serde_json::Value = serde_json::from_slice(&encoded.identity).expect("json");
        assert_eq!(plain, body);

        let br = read("gzip, deflate, br, zstd");
        assert_eq!(
            br.headers().get(header::CONTENT_ENCODING).expect("coding"),
            "br"
        );
        let mut unpacked = Vec::new();
        brotli::Decompressor::new(&encoded.brotli[..], 4096)
            .read_to_end(&mut unpacked)
            .expect("brotli");
        assert_eq!(unpacked, encoded.identity);
        assert!(
            encoded.brotli.len() * 10 < encoded.identity.len(),
            "compressed"
        );

        let gz = read("gzip;q=1, br;q=0");
        assert_eq!(
            gz.headers().get(header::CONTENT_ENCODING).expect("coding"),
            "gzip"
        );
        let mut unpacked = Vec::new();
        flate2::read::GzDecoder::new(&encoded.gzip[..])
            .read_to_end(&mut unpacked)
            .expect("gzip");
        assert_eq!(unpacked, encoded.identity);

        let none = read("identity");
        assert!(none.headers().get(header::CONTENT_ENCODING).is_none());
        assert_eq!(
            none.headers().get(header::VARY).expect("vary"),
            "Accept-Encoding"
        );
        // Each representation its own tag; the right one gives 304.
        let tags: Vec<_> = [&br, &gz, &none]
            .iter()
            .map(|r| r.headers().get(header::ETAG).expect("etag").clone())
            .collect();
        assert!(tags[0] != tags[1] && tags[1] != tags[2]);
        let again = TestRequest::get()
            .insert_header((header::ACCEPT_ENCODING, "br"))
            .insert_header((header::IF_NONE_MATCH, tags[0].clone()))
            .to_http_request();
        assert_eq!(
            encoded.respond(&again, "public, no-cache").status(),
            actix_web::http::StatusCode::NOT_MODIFIED
        );
    }
}
