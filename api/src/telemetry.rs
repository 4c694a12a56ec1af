//! Logging: human-readable locally, JSON lines in production (one event per line, UTC).

use tracing_subscriber::EnvFilter;

use crate::config::Environment;

/// Installs the global subscriber; `RUST_LOG` overrides the default level.
pub fn init(environment: Environment) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    // Colours only for a person at a terminal: a log file or collector gets plain text.
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(terminal);
    let _ = match environment {
        Environment::Production => builder.json().try_init(),
        Environment::Local => builder.try_init(),
    };
}

/// One line per request: method, route *pattern* (`/api/dossiers/{id}`), status and time.
/// Never the query string nor the raw path: the agents' search `?q=<nom>` would put
/// families' names into the logs, and a client can put anything in a URL (SECURITY.md F-03).
/// Paths that match no API route (the SPA's files, unknown URLs) are logged as their first
/// segment only.
pub async fn access_log(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let started = std::time::Instant::now();
    let method = req.method().clone();
    let ip = crate::extract::client_info(req.request()).ip;
    let fallback = first_segment(req.path());
    let response = next.call(req).await?;
    let pattern = response.request().match_pattern();
    crate::monitoring::record_request(
        method.as_str(),
        pattern.as_deref().unwrap_or("unmatched"),
        response.status().as_u16(),
        started.elapsed(),
    );
    let route = pattern.unwrap_or(fallback);
    tracing::info!(
        target: "access",
        %method,
        route = %route,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        %ip,
    );
    Ok(response)
}

/// `/demarches/demande/…` → `/demarches/*`: enough to tell pages apart, nothing typed.
fn first_segment(path: &str) -> String {
    let segment = path
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default();
    let safe = !segment.is_empty()
        && segment.len() <= 40
        && segment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    match (safe, path.trim_start_matches('/').contains('/')) {
        (false, _) if segment.is_empty() => "/".into(),
        (false, _) => "/<autre>".into(),
        (true, true) => format!("/{segment}/*"),
        (true, false) => format!("/{segment}"),
    }
}

#[cfg(test)]
mod tests {
    use super::first_segment;

    #[test]
    fn unmatched_paths_are_logged_by_their_first_segment_only() {
        assert_eq!(first_segment("/"), "/");
        assert_eq!(first_segment("/favicon.ico"), "/favicon.ico");
        assert_eq!(first_segment("/demarches/demande/1234"), "/demarches/*");
        assert_eq!(first_segment("/Zoé%20Martin/x"), "/<autre>");
    }
}
