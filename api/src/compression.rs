//! Compression of answers (Brotli or gzip, as the client prefers), within a policy: API
//! JSON, the OpenAPI document and Swagger UI. The SPA's assets are not compressed here:
//! the build wrote their Brotli and gzip copies ([`crate::spa::precompressed`]); neither is
//! the public catalogue, encoded once for everyone ([`Encoded`]).
//!
//! BREACH (and CRIME before it) reads a secret out of compressed answers that also reflect
//! text the attacker chose, by watching their sizes. Our answers that carry a secret are
//! the login, token refresh and authenticator enrolment (`/api/auth/…`: an access token, a
//! TOTP secret): they are never compressed. The other answers carry no secret — the access
//! token travels in a header, the refresh token in a cookie, and no CSRF token exists —, so
//! compressing the family's own data (or public content) gives an attacker nothing to
//! extract. Answers under 1 KiB are left as they are: compressing them saves nothing; so
//! are files (PDFs, images), compressed already, and streamed answers.
//!
//! Why not actix's `Compress`: it hands every chunk over 1 KiB to the blocking threads (the
//! same ones the database work waits on) with a Brotli encoder of quality 3 and a 4 MiB
//! window per answer. On opening morning the families' own answers (eligibilities, « Mes
//! inscriptions ») then queued behind each other and the encoders' memory added up
//! (BENCHMARKS.md, « Opening morning », runs 11–13). Our answers are whole in memory
//! already: a small one is encoded where it is, with a window sized to it; only a large one
//! (the OpenAPI document, Swagger UI's script) goes to the blocking threads.

use actix_web::body::{BodySize, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use sha2::Digest;

/// Below this size an answer is sent as it is.
pub const MIN_BYTES: u64 = 1024;

/// Above this size an answer is encoded on the blocking threads, not on the worker that
/// serves the other connections (about a millisecond of Brotli at [`Effort::Quick`]).
const INLINE_MAX: usize = 64 * 1024;

/// A content coding we send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Brotli,
    Gzip,
}

impl Coding {
    /// The coding an `Accept-Encoding` value prefers among ours (Brotli first: smaller),
    /// if any.
    pub fn preferred(accept: &str) -> Option<Self> {
        if accepts(accept, "br") {
            Some(Self::Brotli)
        } else if accepts(accept, "gzip") {
            Some(Self::Gzip)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Brotli => "br",
            Self::Gzip => "gzip",
        }
    }
}

/// How hard to compress: once for many readers, or once per answer.
#[derive(Debug, Clone, Copy)]
pub enum Effort {
    /// Answers encoded once and kept (the catalogue): the smallest bytes.
    Best,
    /// Answers encoded per request: a fraction of the best time for a few percent more.
    Quick,
}

/// `bytes` encoded with `coding`.
pub fn encode(coding: Coding, effort: Effort, bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    match coding {
        Coding::Brotli => {
            let quality = match effort {
                Effort::Best => 9,
                Effort::Quick => 4,
            };
            // A window no larger than the answer: the encoder's memory follows it.
            let needed = usize::BITS - bytes.len().max(1).leading_zeros();
            let window = needed.clamp(10, 22);
            let mut out = Vec::with_capacity(bytes.len() / 4);
            {
                let mut writer = brotli::CompressorWriter::new(&mut out, 4096, quality, window);
                writer.write_all(bytes)?;
            }
            Ok(out)
        }
        Coding::Gzip => {
            let level = match effort {
                Effort::Best => flate2::Compression::best(),
                Effort::Quick => flate2::Compression::new(5),
            };
            let mut gzip = flate2::write::GzEncoder::new(Vec::new(), level);
            gzip.write_all(bytes)?;
            gzip.finish()
        }
    }
}

/// Compresses what the policy allows, for the coding the client prefers.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, Bytes>>, actix_web::Error> {
    let secret = req.path().starts_with("/api/auth/");
    let coding = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .and_then(Coding::preferred);
    let mut response = next.call(req).await?;
    if secret || !compressible(&response) {
        return Ok(response.map_into_left_body());
    }
    // Caches must keep one copy per coding, even of the plain one.
    let varies = response.headers().get_all(header::VARY).any(|v| {
        v.to_str()
            .is_ok_and(|v| v.to_ascii_lowercase().contains("accept-encoding"))
    });
    if !varies {
        response
            .headers_mut()
            .append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    let Some(coding) = coding else {
        return Ok(response.map_into_left_body());
    };
    let (request, response) = response.into_parts();
    let (mut head, body) = response.into_parts();
    let bytes = match body.try_into_bytes() {
        Ok(bytes) => bytes,
        Err(body) => {
            return Ok(ServiceResponse::new(request, head.set_body(body)).map_into_left_body());
        }
    };
    let encoded = if bytes.len() <= INLINE_MAX {
        encode(coding, Effort::Quick, &bytes)
    } else {
        actix_web::web::block(move || encode(coding, Effort::Quick, &bytes)).await?
    }
    .map_err(actix_web::error::ErrorInternalServerError)?;
    head.headers_mut().insert(
        header::CONTENT_ENCODING,
        HeaderValue::from_static(coding.name()),
    );
    let response = head.set_body(Bytes::from(encoded));
    Ok(ServiceResponse::new(request, response).map_into_right_body())
}

/// Whether the policy compresses this answer: text (JSON, the OpenAPI document, Swagger
/// UI; pieces and documents are PDFs and images, compressed already), not encoded yet, of a
/// known size of at least [`MIN_BYTES`].
fn compressible<B: MessageBody>(response: &ServiceResponse<B>) -> bool {
    let large =
        matches!(response.response().body().size(), BodySize::Sized(size) if size >= MIN_BYTES);
    let encoded = response.headers().contains_key(header::CONTENT_ENCODING);
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
    large && text && !encoded
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
        let identity = serde_json::to_vec(body)?;
        let tag = hex::encode(sha2::Sha256::digest(&identity))[..32].to_string();
        Ok(Self {
            brotli: encode(Coding::Brotli, Effort::Best, &identity)?.into(),
            gzip: encode(Coding::Gzip, Effort::Best, &identity)?.into(),
            identity: identity.into(),
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
        let coding = Coding::preferred(accepted);
        let (body, suffix) = match coding {
            Some(Coding::Brotli) => (&self.brotli, "-br"),
            Some(Coding::Gzip) => (&self.gzip, "-gz"),
            None => (&self.identity, ""),
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
            response.insert_header((header::CONTENT_ENCODING, coding.name()));
        }
        response.content_type("application/json").body(body.clone())
    }
}

/// Whether an `Accept-Encoding` value accepts `coding` (named or `*`, without `q=0`).
pub fn accepts(accept: &str, coding: &str) -> bool {
    accept.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let name = parts.next().unwrap_or_default();
        let refused = parts.any(|p| {
            p.strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        (name.eq_ignore_ascii_case(coding) || name == "*") && !refused
    })
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        assert!(accepts("gzip, deflate, br, zstd", "br"));
        assert!(accepts("br;q=1.0, gzip;q=0.8", "gzip"));
        assert!(!accepts("br;q=0, gzip", "br"));
        assert!(!accepts("br; q=0.0", "br"));
        assert!(!accepts("", "gzip"));
        assert!(accepts("*", "br"));
        assert_eq!(
            Coding::preferred("gzip, deflate, br, zstd"),
            Some(Coding::Brotli)
        );
        assert_eq!(Coding::preferred("br;q=0, gzip"), Some(Coding::Gzip));
        assert_eq!(Coding::preferred("deflate, zstd"), None);
    }

    #[test]
    fn quick_encodings_read_back_whatever_the_size() {
        let mut state = 7u64;
        for size in [1, 1_000, 5_000, 70_000, 1 << 20] {
            // Text that compresses a little, like JSON with ids.
            let body: Vec<u8> = (0..size)
                .map(|i| {
                    state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
                    if i % 3 == 0 {
                        b'a' + (state >> 60) as u8
                    } else {
                        b'"'
                    }
                })
                .collect();
            let br = encode(Coding::Brotli, Effort::Quick, &body).expect("brotli");
            let mut unpacked = Vec::new();
            brotli::Decompressor::new(&br[..], 4096)
                .read_to_end(&mut unpacked)
                .expect("read brotli");
            assert_eq!(unpacked, body, "brotli, {size} bytes");
            let gz = encode(Coding::Gzip, Effort::Quick, &body).expect("gzip");
            let mut unpacked = Vec::new();
            flate2::read::GzDecoder::new(&gz[..])
                .read_to_end(&mut unpacked)
                .expect("read gzip");
            assert_eq!(unpacked, body, "gzip, {size} bytes");
        }
    }

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
