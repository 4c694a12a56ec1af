//! What every handler shares, and the one way handlers reach the database.

use std::sync::Arc;
use std::time::Duration;

use actix_web::web;
use tokio::sync::Notify;

use crate::auth::jwt::JwtKeys;
use crate::auth::password::PasswordHasher;
use crate::auth::throttle::{LoginPolicy, LoginThrottle};
use crate::config::Settings;
use crate::db::{DbConn, DbPool, write_tx};
use crate::documents::inspect::Inspector;
use crate::documents::storage::Storage;
use crate::domain::password_policy::PasswordPolicy;
use crate::error::ApiError;
use crate::limits::Limits;

/// Application state, shared as `web::Data<AppState>`.
pub struct AppState {
    pub pool: DbPool,
    pub settings: Settings,
    /// Base URL for links in emails and the CSRF origin check.
    pub public_url: String,
    pub hasher: Arc<PasswordHasher>,
    pub jwt: JwtKeys,
    pub login_throttle: LoginThrottle,
    /// Signs the known-device cookies that let a family past locks strangers caused.
    pub devices: crate::auth::device::DeviceCookies,
    pub limits: Limits,
    /// Built on the deployment's `TOWN_NAME` (the first town name), which stays refused in
    /// passwords even if administrators rename the town later.
    pub password_policy: PasswordPolicy,
    /// The public catalogue, read at most once per `CATALOGUE_FRESH_MS`.
    pub catalogue: Arc<crate::snapshot::Snapshot<crate::compression::Encoded>>,
    /// The town's settings, read at most once a second (every email needs its name).
    pub town_settings: Arc<crate::snapshot::Snapshot<crate::db::models::town::TownSettings>>,
    /// Admission control of enrolments (opening morning): 503 + Retry-After beyond it.
    pub enrolments: Arc<crate::admission::Gate>,
    /// The database's clock, for leases and retries (tests move it forward).
    pub clock: Arc<crate::clock::Clock>,
    /// Wakes the outbox worker after a transaction queued an email.
    pub outbox_wake: Arc<Notify>,
    /// Wakes the job preparing copies of data after a family asked for one.
    pub exports_wake: Arc<Notify>,
    /// The SPA's Content-Security-Policy (with the hashes of its inline loader).
    pub spa_csp: String,
    /// Where pieces' files are stored.
    pub storage: Storage,
    /// The malware scanner (`CLAMD_ADDRESS`), when there is one.
    pub scanner: Option<crate::documents::scanning::Scanner>,
    /// Checks uploaded files in child processes.
    pub inspector: Inspector,
    /// Seals the secrets stored in the database (staff TOTP secrets).
    pub secrets: crate::auth::sealed::SecretBox,
    /// Bytes of upload bodies read so far (a metric: tests check limits cut bodies off).
    pub upload_bytes_read: Arc<std::sync::atomic::AtomicU64>,
    /// Set when the server was asked to stop: `/api/health/ready` answers 503 so the load
    /// balancer sends new requests elsewhere while this one finishes its own.
    pub draining: Arc<std::sync::atomic::AtomicBool>,
}

impl AppState {
    /// Builds the state around an existing pool.
    pub fn new(
        pool: DbPool,
        settings: Settings,
        public_url: String,
        login_policy: LoginPolicy,
    ) -> anyhow::Result<Self> {
        let storage = Storage::open(
            &settings.storage,
            &settings.upload_scratch_dir,
            &settings.web_dist,
        )?;
        let program = match &settings.inspector_program {
            Some(program) => program.clone(),
            None => std::env::current_exe()?,
        };
        let inspector = Inspector::new(
            program,
            settings.inspector_concurrency,
            settings.inspector_timeout,
        );
        let scanner = settings
            .scanner_address()
            .map(crate::documents::scanning::Scanner::parse)
            .transpose()?;
        Ok(Self {
            storage,
            scanner,
            inspector,
            upload_bytes_read: Arc::default(),
            draining: Arc::default(),
            secrets: crate::auth::sealed::SecretBox::new(&settings.secrets_key),
            hasher: Arc::new(PasswordHasher::new(
                settings.hash_concurrency,
                settings.hash_queue,
            )?),
            jwt: JwtKeys::new(&settings.jwt_secret, &public_url, settings.access_token_ttl),
            login_throttle: LoginThrottle::new(login_policy),
            devices: crate::auth::device::DeviceCookies::new(&settings.secrets_key),
            limits: Limits::new(&settings),
            password_policy: PasswordPolicy::new(&settings.town_name),
            outbox_wake: Arc::new(Notify::new()),
            exports_wake: Arc::new(Notify::new()),
            clock: Arc::default(),
            catalogue: Arc::new(crate::snapshot::Snapshot::new(settings.catalogue_fresh_for)),
            town_settings: Arc::new(crate::snapshot::Snapshot::new(settings.catalogue_fresh_for)),
            enrolments: Arc::new(crate::admission::Gate::new(
                settings.enrolment_concurrency,
                settings.enrolment_queue,
                settings.enrolment_max_wait,
            )),
            spa_csp: crate::security::spa_csp(&crate::spa::inline_script_hashes(
                &settings.web_dist,
            )),
            pool,
            settings,
            public_url,
        })
    }

    /// The town's settings as administrators last saved them (name, tagline, contact,
    /// welcome text): read each time, so every server of a deployment agrees at once.
    pub async fn town(&self) -> Result<crate::db::models::town::TownSettings, ApiError> {
        let kept = self
            .town_settings
            .get(|| self.read(|conn| Ok(crate::db::models::town::current(conn)?)))
            .await?;
        Ok((*kept).clone())
    }

    /// Runs read-only database work on the blocking pool (diesel is synchronous and actix
    /// workers are single-threaded: never block them).
    pub async fn read<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let pool = self.pool.clone();
        self.bounded(web::block(move || {
            let mut conn = pool.get()?;
            work(&mut conn)
        }))
        .await?
    }

    /// A unit of database work that outlives the database timeout by a second answers
    /// 503 instead of hanging: a network drop that still answers TCP (a stuck proxy, a
    /// half-open connection) defeats the driver's own timeouts. The blocked thread finishes
    /// or fails on its own later; a write may then still commit — as with any timeout, the
    /// client retries (with its `Idempotency-Key` where one is required).
    async fn bounded<T>(
        &self,
        work: impl std::future::Future<Output = Result<T, actix_web::error::BlockingError>>,
    ) -> Result<T, ApiError> {
        let limit = self.settings.database_timeout + Duration::from_secs(1);
        match tokio::time::timeout(limit, work).await {
            Ok(result) => Ok(result?),
            Err(_) => {
                tracing::warn!(seconds = limit.as_secs(), "database work timed out");
                Err(ApiError::Unavailable {
                    retry_after: Duration::from_secs(5),
                    reason: "database timeout",
                })
            }
        }
    }

    /// Runs database work in one write transaction on the blocking pool: all of it is
    /// committed, or none of it. Wakes the outbox worker afterwards, in case it queued mail.
    pub async fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let pool = self.pool.clone();
        let result = self
            .bounded(web::block(move || {
                let mut conn = pool.get()?;
                write_tx(&mut conn, work)
            }))
            .await?;
        self.outbox_wake.notify_one();
        result
    }

    /// Runs database work that opens its own write transactions (the enrolment, which
    /// rolls back what a replayed request started) on the blocking pool. Wakes the outbox
    /// worker afterwards, like [`write`](Self::write).
    pub async fn transact<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let pool = self.pool.clone();
        let result = self
            .bounded(web::block(move || {
                let mut conn = pool.get()?;
                work(&mut conn)
            }))
            .await?;
        self.outbox_wake.notify_one();
        result
    }

    /// A link into the SPA carrying a token in its fragment.
    pub fn link(&self, route: &str, token: &str) -> String {
        format!("{}/{route}#token={token}", self.public_url)
    }
}
