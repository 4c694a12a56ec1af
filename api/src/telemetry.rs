//! Logging: human-readable locally, JSON lines in production (one event per line, UTC).

use tracing_subscriber::EnvFilter;

use crate::config::Environment;

/// Installs the global subscriber; `RUST_LOG` overrides the default level.
pub fn init(environment: Environment) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match environment {
        Environment::Production => builder.json().try_init(),
        Environment::Local => builder.try_init(),
    };
}
