//! Settings, read from environment variables (documented in the README) with safe
//! defaults for a local run. Production mode refuses to start on a default secret.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::documents::storage::StorageLocation;

/// The JWT secret used when none is configured: fine for a laptop, refused in production.
const DEV_JWT_SECRET: &str = "dev-only-secret-change-me-dev-only-secret-change-me";
/// The key sealing stored secrets when none is configured: refused in production too.
const DEV_SECRETS_KEY: &str = "dev-only-secrets-key-change-me-dev-only-secrets-key";

/// Where the portal runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Local,
    Production,
}

/// Every setting of the API.
#[derive(Clone, Debug)]
pub struct Settings {
    pub environment: Environment,
    pub bind_address: IpAddr,
    /// 0 picks a free port (tests).
    pub port: u16,
    /// How many connections the kernel may hold for the server before it accepts them
    /// (`listen(2)`'s backlog, capped by `net.core.somaxconn`). The standard library's 128
    /// overflows when thousands of families connect in the same second on opening morning:
    /// the kernel then drops their SYNs, and each waits 1, 3, 7… seconds to try again.
    pub listen_backlog: u32,
    /// How long an idle kept-alive connection stays open (`KEEP_ALIVE_SECONDS`, default 10):
    /// long enough for a family's next click, shorter than the SPA's 30-second re-reading of
    /// the activity page. Each open connection costs the server about 30 KiB and a file
    /// descriptor: at 75 s, 10,000 families waiting for the opening held 10,000 connections
    /// (peak RSS 428 MiB, and 25,000 families hit the 20,000 open files a process may have
    /// here); at 10 s, 289 MiB, every family reconnecting at the opening instant
    /// (BENCHMARKS.md, « Opening morning », runs 8–10).
    pub keep_alive: Duration,
    /// How long a server asked to stop (SIGTERM) keeps serving while it answers « not ready »,
    /// so the load balancer's health checks see it before it stops accepting (`DRAIN_SECONDS`).
    pub drain: Duration,
    /// Where Prometheus reads the metrics (`METRICS_PATH`, `/metrics`; `off`: nowhere).
    pub metrics_path: Option<String>,
    /// How long it then waits for the requests in flight before exiting anyway
    /// (`SHUTDOWN_TIMEOUT_SECONDS`).
    pub shutdown_timeout: Duration,
    /// Threads the actix workers may run blocking work on — mostly database work waiting
    /// for one of the pool's connections —, all workers together (`BLOCKING_THREADS`,
    /// default twice the pool's size, at least 8). Beyond the pool's size a thread only
    /// waits: actix's default of 512 grew hundreds of threads under the opening-morning
    /// crowd, each switching in and out for nothing. Work beyond the cap waits its turn, still
    /// bounded by the database timeout.
    pub blocking_threads: usize,
    /// The address families use, for links in emails and the CSRF origin check.
    /// `None` means `http://localhost:<bound port>`.
    pub public_url: Option<String>,
    pub database_url: String,
    pub database_pool_size: u32,
    /// Bounds connecting to the database, waiting for a pooled connection and each
    /// statement (`DATABASE_TIMEOUT_SECONDS`, default 5); a unit of work that takes a second
    /// longer answers 503 (a silent network drop must not hang requests).
    pub database_timeout: Duration,
    /// `smtp://host:port` (plain), `smtps://…` (TLS) or `smtp+starttls://…`; `None` writes
    /// emails to `mail_dir` instead.
    pub smtp_url: Option<String>,
    pub mail_dir: PathBuf,
    pub mail_from: String,
    pub jwt_secret: String,
    /// Seals secrets stored in the database (staff TOTP secrets): `SECRETS_KEY`.
    pub secrets_key: String,
    pub town_name: String,
    pub town_tagline: String,
    /// The first « contact » of the town settings (`TOWN_CONTACT`); the back office owns it
    /// afterwards, like the name and the tagline.
    pub town_contact: String,
    /// `TOWN_POSTAL_CODES`: the town's postal codes (space- or comma-separated), seeding
    /// the settings at the first start; their households are residents.
    pub town_postal_codes: String,
    /// The built SPA (`trunk build` output).
    pub web_dist: PathBuf,
    pub connection_log_retention_days: u32,
    /// How long pieces' files, inactive accounts, drafts and copies of data are kept
    /// (issue 16; README « Durées de conservation »).
    pub retention: crate::privacy::policy::RetentionPolicy,
    pub demo_content: bool,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// Sign-ups accepted per client IP and hour (SECURITY.md D-03).
    pub registrations_per_hour: usize,
    /// Requests a connected application may make per minute on the integration API
    /// (`INTEGRATION_REQUESTS_PER_MINUTE`, default 600: a full sync of 10,000 dossiers in
    /// pages of 500 takes 20); beyond, 429 with `Retry-After` (SECURITY.md F-01).
    pub integration_requests_per_minute: u32,
    /// Lets webhooks go to `http://127.0.0.1` (`WEBHOOK_ALLOW_HTTP_LOOPBACK`, default
    /// false): for local development and tests only. Otherwise only `https://` to public
    /// addresses (SSRF, SECURITY.md F-06).
    pub webhook_allow_http_loopback: bool,
    /// Concurrent argon2 hashes (each takes 19 MiB), and how many may wait for one.
    pub hash_concurrency: usize,
    /// `ENROLMENT_CONCURRENCY`: enrolments running at once (each holds a database
    /// connection); by default the pool's size less two, kept for reads.
    pub enrolment_concurrency: usize,
    /// `ENROLMENT_QUEUE`: at most this many enrolments wait for a turn (besides the wait
    /// estimate); beyond, 503 at once.
    pub enrolment_queue: usize,
    /// `ENROLMENT_MAX_WAIT_MS`: how long one waits for its turn before 503.
    pub enrolment_max_wait: Duration,
    /// `CATALOGUE_FRESH_MS`: how long one reading of the public catalogue serves (0: every
    /// request reads the database).
    pub catalogue_fresh_for: Duration,
    pub hash_queue: usize,
    pub access_token_ttl: Duration,
    pub session_idle_timeout: Duration,
    pub session_absolute_timeout: Duration,
    pub activation_ttl: Duration,
    pub password_reset_ttl: Duration,
    pub email_change_ttl: Duration,
    /// A used refresh token presented again within this delay is taken for two tabs
    /// refreshing at once, not for a theft (B-05 allows a documented grace of 10–30 s).
    pub refresh_reuse_grace: Duration,
    /// How often the outbox worker looks for due emails when nobody wakes it.
    pub outbox_poll_interval: Duration,
    /// Whether this server delivers queued emails and webhooks (`OUTBOX_WORKER`, default
    /// true).
    pub outbox_worker: bool,
    /// Whether Swagger UI and `/api-docs/openapi.json` are served (`API_DOCS=public|off`,
    /// default public: integrators use them).
    pub api_docs: bool,
    /// How long an undeliverable email is retried before it is given up
    /// (`EMAIL_RETRY_HOURS`, default 48, at least 24).
    pub email_retry: Duration,
    /// Where pieces' files are stored (`STORAGE_URL`: a directory, or `s3://bucket`).
    pub storage: StorageLocation,
    /// Local directory where uploads wait while they are checked (`UPLOAD_SCRATCH_DIR`).
    pub upload_scratch_dir: PathBuf,
    /// The `portail-famille` binary that inspects uploads in a child process (`None`: this
    /// very executable; tests name the built binary).
    pub inspector_program: Option<PathBuf>,
    /// How many inspections run at once, and how long one may take.
    pub inspector_concurrency: usize,
    pub inspector_timeout: Duration,
    /// Objects no row names are deleted once older than this (an upload in flight has
    /// its objects written before its row).
    pub orphan_grace: Duration,
    /// clamd's address (`CLAMD_ADDRESS`: `host:port` or a socket path): stored files are
    /// scanned for malware and served only once found clean. None: not scanned (the
    /// embedded default; refused in production unless `CLAMD_ADDRESS=off`).
    pub clamd_address: Option<String>,
    /// An upload's Idempotency-Key held « in progress » longer than this is taken for the
    /// claim of a server that died (`UPLOAD_CLAIM_LEASE_SECONDS`, default 600): the
    /// family's retry with the same key then goes through. Longer than any upload lasts.
    pub upload_claim_lease: Duration,
    /// Failures injected by tests; never set from the environment.
    pub fault_injection: FaultInjection,
    /// G-06: more than `count` downloads of pieces by one staff member within `window`
    /// alerts the administrators (`BULK_DOWNLOAD_ALERT_COUNT`, default 200 in 10 minutes).
    pub bulk_download_alert: BulkDownloadAlert,
}

/// When many downloads by one staff member raise an alert.
#[derive(Clone, Copy, Debug)]
pub struct BulkDownloadAlert {
    pub count: u32,
    pub window: Duration,
}

/// Failures tests inject to prove what survives them (SECURITY.md H-05).
#[derive(Clone, Debug, Default)]
pub struct FaultInjection {
    /// An upload stops after storing its files, before recording them, as if the process
    /// had died there.
    pub fail_after_storing_files: bool,
    /// An upload waits this long between its quota check and its commit, so that two
    /// uploads overlap there.
    pub hold_after_quota_check: Option<Duration>,
    /// A submission waits this long after reading the dossier it freezes, before it
    /// records the request as submitted, so that an edit can arrive in between.
    pub hold_during_submission: Option<Duration>,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// `METRICS_PATH`: `off`, or an absolute path outside the API's and the SPA's own.
fn metrics_path(value: &str) -> anyhow::Result<Option<String>> {
    if value == "off" {
        return Ok(None);
    }
    let reserved = ["/api", "/backoffice", "/swagger-ui"];
    anyhow::ensure!(
        value.starts_with('/')
            && value.len() > 1
            && !reserved.iter().any(|r| value.starts_with(r))
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/-_.".contains(c)),
        "METRICS_PATH must be `off` or a path such as /metrics (not under /api, /backoffice or /swagger-ui): {value:?}"
    );
    Ok(Some(value.to_string()))
}

fn parsed<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T>
where
    T::Err: std::fmt::Display,
{
    match var(name) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse()
            .map_err(|e| anyhow::anyhow!("{name}={raw:?} is invalid: {e}")),
    }
}

impl Settings {
    /// Reads the settings from the environment.
    pub fn from_env() -> anyhow::Result<Self> {
        let environment = match var("APP_ENV").as_deref() {
            None | Some("local") => Environment::Local,
            Some("production") => Environment::Production,
            Some(other) => bail!("APP_ENV must be `local` or `production`, not {other:?}"),
        };
        let production = environment == Environment::Production;
        let trusted_proxies = var("TRUSTED_PROXIES")
            .unwrap_or_default()
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| {
                s.trim()
                    .parse()
                    .with_context(|| format!("TRUSTED_PROXIES: {s:?} is not an IP address"))
            })
            .collect::<anyhow::Result<Vec<IpAddr>>>()?;
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let pool_size: u32 = parsed("DATABASE_POOL_SIZE", 10)?;
        let enrolment_default = usize::try_from(pool_size.saturating_sub(2).max(1)).unwrap_or(1);
        let settings = Self {
            environment,
            bind_address: parsed("BIND_ADDRESS", IpAddr::from([127, 0, 0, 1]))?,
            port: parsed("PORT", 8000)?,
            listen_backlog: parsed("LISTEN_BACKLOG", 4096)?,
            keep_alive: Duration::from_secs(parsed("KEEP_ALIVE_SECONDS", 10)?),
            drain: Duration::from_secs(parsed("DRAIN_SECONDS", 5)?),
            metrics_path: metrics_path(var("METRICS_PATH").as_deref().unwrap_or("/metrics"))?,
            shutdown_timeout: Duration::from_secs(parsed("SHUTDOWN_TIMEOUT_SECONDS", 30)?),
            blocking_threads: parsed(
                "BLOCKING_THREADS",
                usize::try_from(pool_size)
                    .unwrap_or(8)
                    .saturating_mul(2)
                    .max(8),
            )?,
            public_url: var("PUBLIC_URL").map(|u| u.trim_end_matches('/').to_string()),
            database_url: var("DATABASE_URL")
                .unwrap_or_else(|| "sqlite://data/portail-famille.db".into()),
            database_pool_size: pool_size,
            database_timeout: Duration::from_secs(parsed("DATABASE_TIMEOUT_SECONDS", 5)?),
            smtp_url: var("SMTP_URL"),
            mail_dir: var("MAIL_DIR")
                .unwrap_or_else(|| "data/mails".into())
                .into(),
            mail_from: var("MAIL_FROM").unwrap_or_else(|| {
                "Portail Famille <ne-pas-repondre@portail-famille.localhost>".into()
            }),
            jwt_secret: var("JWT_SECRET").unwrap_or_else(|| DEV_JWT_SECRET.into()),
            secrets_key: var("SECRETS_KEY").unwrap_or_else(|| DEV_SECRETS_KEY.into()),
            town_name: var("TOWN_NAME").unwrap_or_else(|| "Ville de Chartres".into()),
            town_tagline: var("TOWN_TAGLINE")
                .unwrap_or_else(|| "Votre espace vie scolaire et sportive".into()),
            town_contact: var("TOWN_CONTACT")
                .unwrap_or_else(|| "Mairie — service Vie scolaire et sportive".into()),
            town_postal_codes: shared::api::content::normalize_postal_codes(
                &var("TOWN_POSTAL_CODES").unwrap_or_else(|| "28000".into()),
            ),
            web_dist: var("WEB_DIST").unwrap_or_else(|| "web/dist".into()).into(),
            connection_log_retention_days: parsed("CONNECTION_LOG_RETENTION_DAYS", 183)?,
            retention: crate::privacy::policy::RetentionPolicy {
                validated_piece_files_days: parsed("VALIDATED_PIECE_FILES_DAYS", 180)?,
                refused_piece_files_days: parsed("REFUSED_PIECE_FILES_DAYS", 30)?,
                inactive_account_days: parsed("INACTIVE_ACCOUNT_DAYS", 730)?,
                draft_days: parsed("DRAFT_DAYS", 180)?,
                deletion_notice_days: parsed("DELETION_NOTICE_DAYS", 30)?,
                data_export_days: parsed("DATA_EXPORT_DAYS", 7)?,
            },
            demo_content: parsed("DEMO_CONTENT", !production)?,
            trusted_proxies,
            registrations_per_hour: parsed("REGISTRATIONS_PER_HOUR", 10)?,
            integration_requests_per_minute: parsed("INTEGRATION_REQUESTS_PER_MINUTE", 600)?,
            webhook_allow_http_loopback: parsed("WEBHOOK_ALLOW_HTTP_LOOPBACK", false)?,
            hash_concurrency: parsed("HASH_CONCURRENCY", cores)?,
            enrolment_concurrency: parsed("ENROLMENT_CONCURRENCY", enrolment_default)?,
            enrolment_queue: parsed("ENROLMENT_QUEUE", 1000)?,
            enrolment_max_wait: Duration::from_millis(parsed("ENROLMENT_MAX_WAIT_MS", 500)?),
            catalogue_fresh_for: Duration::from_millis(parsed("CATALOGUE_FRESH_MS", 1000)?),
            hash_queue: parsed("HASH_QUEUE", 64)?,
            access_token_ttl: Duration::from_secs(parsed("ACCESS_TOKEN_TTL_SECONDS", 600)?),
            session_idle_timeout: Duration::from_secs(parsed(
                "SESSION_IDLE_TIMEOUT_SECONDS",
                30 * 60,
            )?),
            session_absolute_timeout: Duration::from_secs(parsed(
                "SESSION_ABSOLUTE_TIMEOUT_SECONDS",
                12 * 3600,
            )?),
            activation_ttl: Duration::from_secs(parsed("ACTIVATION_TTL_SECONDS", 48 * 3600)?),
            password_reset_ttl: Duration::from_secs(parsed("PASSWORD_RESET_TTL_SECONDS", 30 * 60)?),
            email_change_ttl: Duration::from_secs(parsed("EMAIL_CHANGE_TTL_SECONDS", 24 * 3600)?),
            refresh_reuse_grace: Duration::from_secs(10),
            outbox_poll_interval: Duration::from_secs(2),
            outbox_worker: parsed("OUTBOX_WORKER", true)?,
            api_docs: match var("API_DOCS").as_deref() {
                None | Some("public") => true,
                Some("off") => false,
                Some(other) => bail!("API_DOCS must be `public` or `off`, not {other:?}"),
            },
            email_retry: Duration::from_secs(3600 * parsed::<u64>("EMAIL_RETRY_HOURS", 48)?),
            storage: StorageLocation::parse(
                &var("STORAGE_URL").unwrap_or_else(|| "data/files".into()),
            ),
            upload_scratch_dir: var("UPLOAD_SCRATCH_DIR")
                .unwrap_or_else(|| "data/scratch".into())
                .into(),
            inspector_program: None,
            inspector_concurrency: parsed("INSPECTOR_CONCURRENCY", cores)?,
            inspector_timeout: Duration::from_secs(parsed("INSPECTOR_TIMEOUT_SECONDS", 10)?),
            orphan_grace: Duration::from_secs(3600),
            upload_claim_lease: Duration::from_secs(parsed("UPLOAD_CLAIM_LEASE_SECONDS", 600)?),
            clamd_address: var("CLAMD_ADDRESS"),
            fault_injection: FaultInjection::default(),
            bulk_download_alert: BulkDownloadAlert {
                count: parsed("BULK_DOWNLOAD_ALERT_COUNT", 200)?,
                window: Duration::from_secs(600),
            },
        };
        settings.check()?;
        Ok(settings)
    }

    /// clamd's address, unless scanning is off (`CLAMD_ADDRESS` unset or `off`).
    pub fn scanner_address(&self) -> Option<&str> {
        self.clamd_address.as_deref().filter(|a| *a != "off")
    }

    /// Refuses settings that are unsafe or out of their documented range.
    pub fn check(&self) -> anyhow::Result<()> {
        if self.environment == Environment::Production {
            if self.jwt_secret == DEV_JWT_SECRET || self.jwt_secret.len() < 32 {
                bail!(
                    "JWT_SECRET must be set to a random value of at least 32 bytes in production"
                );
            }
            if self.secrets_key == DEV_SECRETS_KEY || self.secrets_key.len() < 32 {
                bail!(
                    "SECRETS_KEY must be set to a random value of at least 32 bytes in production"
                );
            }
            if self.public_url.is_none() {
                bail!("PUBLIC_URL must be set in production (it is used in email links)");
            }
            if self.smtp_url.is_none() {
                bail!("SMTP_URL must be set in production");
            }
            if self.clamd_address.is_none() {
                bail!(
                    "CLAMD_ADDRESS must be set in production: uploaded files are scanned for malware (CLAMD_ADDRESS=off serves them unscanned)"
                );
            }
        }
        if let Some(address) = self.scanner_address() {
            crate::documents::scanning::Scanner::parse(address)?;
        }
        if !(1..=366).contains(&self.connection_log_retention_days) {
            bail!(
                "CONNECTION_LOG_RETENTION_DAYS must be between 1 and 366 (CNIL: 6 months to 1 year)"
            );
        }
        self.retention.validate()?;
        if self.access_token_ttl > Duration::from_secs(900) {
            bail!("ACCESS_TOKEN_TTL_SECONDS must be at most 900");
        }
        if !(24 * 3600..=14 * 24 * 3600).contains(&self.email_retry.as_secs()) {
            bail!(
                "EMAIL_RETRY_HOURS must be between 24 and 336 (emails are retried at least a day)"
            );
        }
        if !(1..=60).contains(&self.database_timeout.as_secs()) {
            bail!("DATABASE_TIMEOUT_SECONDS must be between 1 and 60");
        }
        if self.enrolment_concurrency == 0 {
            bail!("ENROLMENT_CONCURRENCY must be at least 1");
        }
        if self.hash_concurrency == 0 {
            bail!("HASH_CONCURRENCY must be at least 1");
        }
        if self.blocking_threads == 0 {
            bail!("BLOCKING_THREADS must be at least 1");
        }
        Ok(())
    }

    /// The public base URL, once the port is known.
    pub fn public_url_or(&self, port: u16) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://localhost:{port}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local() -> Settings {
        // SAFETY-free: reads the (test) environment, which sets none of these variables.
        Settings::from_env().expect("defaults are valid")
    }

    #[test]
    fn production_refuses_the_default_secret() {
        let mut settings = local();
        settings.environment = Environment::Production;
        settings.public_url = Some("https://portail.example".into());
        settings.smtp_url = Some("smtp://mail:25".into());
        assert!(settings.check().is_err());
        settings.jwt_secret = "x".repeat(48);
        assert!(
            settings.check().is_err(),
            "the default SECRETS_KEY is refused too"
        );
        settings.secrets_key = "y".repeat(48);
        assert!(
            settings.check().is_err(),
            "no malware scanner, and not said to be off"
        );
        settings.clamd_address = Some("clamav".into());
        assert!(settings.check().is_err(), "an address without a port");
        settings.clamd_address = Some("clamav:3310".into());
        assert!(settings.check().is_ok());
        settings.clamd_address = Some("off".into());
        assert!(settings.check().is_ok());
        assert_eq!(settings.scanner_address(), None);
    }

    #[test]
    fn retention_is_bounded_to_a_year() {
        let mut settings = local();
        settings.connection_log_retention_days = 400;
        assert!(settings.check().is_err());
    }
}
