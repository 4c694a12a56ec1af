//! The request id (`X-Request-Id`): what ties a family's « une erreur est survenue » to the
//! log lines of the request that failed, across the proxy and the replicas.
//!
//! The proxy's id is kept when it sent a sane one (so its own log and ours agree), else one
//! is generated. It is answered in the `X-Request-Id` header, carried by every log line the
//! request writes (a tracing span around it) and by every problem document (`request_id`).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;

pub const HEADER: &str = "x-request-id";

tokio::task_local! {
    /// The id of the request this task is serving.
    static CURRENT: String;
}

/// The id of the request being served, if any (a problem document built outside a request,
/// in a job, has none).
pub fn current() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

/// An id we may repeat in our headers and logs: short, and nothing a log reader or a header
/// parser could mistake for something else.
fn acceptable(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// The outermost middleware: every other one, and the handler, run inside the request's span.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|value| acceptable(value))
        .map_or_else(|| uuid::Uuid::new_v4().simple().to_string(), str::to_string);
    let span = tracing::info_span!("request", request_id = %id);
    // Handlers' and extractors' errors become answers inside the scope, so their problem
    // documents carry the id. (The request cannot be kept aside to do the same for a
    // middleware's error: routing needs it unshared.)
    let mut response = CURRENT
        .scope(id.clone(), next.call(req).instrument(span))
        .await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(HEADER), value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::acceptable;

    #[test]
    fn only_short_plain_ids_are_taken_from_the_client() {
        assert!(acceptable("3f2a9c1e-77b0-4d1e-9a51-0c2f6f0c8a11"));
        assert!(acceptable("haproxy:7F000001_1F90_6752"));
        assert!(!acceptable(""));
        assert!(!acceptable(&"a".repeat(65)));
        assert!(!acceptable("id\nforged log line"));
        assert!(!acceptable("Zoé"));
    }
}
