//! Wiring: database, mailer, background jobs and the HTTP server.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpResponse, web};
use anyhow::Context;
use lettre::message::Mailbox;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::throttle::LoginPolicy;
use crate::config::Settings;
use crate::db::models::town;
use crate::email::{Mailer, worker};
use crate::error::ApiError;
use crate::openapi::ApiDoc;
use crate::state::AppState;
use crate::{db, demo, jobs, routes, security, spa};

/// A built, not yet running, application.
pub struct Application {
    port: u16,
    server: Server,
    /// Shared state, exposed for tests (database pool, hasher metrics).
    pub state: web::Data<AppState>,
}

/// The server's socket, bound with the configured backlog (`LISTEN_BACKLOG`): the standard
/// library's `TcpListener::bind` always asks for 128.
fn listen(settings: &Settings) -> std::io::Result<TcpListener> {
    use socket2::{Domain, Socket, Type};
    let address = std::net::SocketAddr::new(settings.bind_address, settings.port);
    let socket = Socket::new(Domain::for_address(address), Type::STREAM, None)?;
    // A restarted server binds again at once, without waiting out TIME_WAIT connections.
    socket.set_reuse_address(true)?;
    socket.bind(&address.into())?;
    socket.listen(i32::try_from(settings.listen_backlog).unwrap_or(i32::MAX))?;
    Ok(socket.into())
}

/// File descriptors kept for everything but families' connections: the database pool, the
/// blocking threads' files (uploads, storage, mail), logs, the hashing child processes.
const RESERVED_DESCRIPTORS: u64 = 512;

/// How many connections each worker may hold open. Every connection is a file descriptor,
/// and a process may only have so many (20,000 on the benchmark machine): past that,
/// `accept` fails with « Too many open files » and so does everything else that opens a
/// file — a database connection, an upload. With the cap, a worker stops accepting at
/// its share and the next families wait in the listen backlog until a connection closes
/// (BENCHMARKS.md, « Opening morning », run 9). actix's own default is 25,000 per worker.
fn connections_per_worker(open_files: u64, settings: &Settings, workers: usize) -> usize {
    let reserved = RESERVED_DESCRIPTORS
        .saturating_add(u64::from(settings.database_pool_size))
        .saturating_add(u64::try_from(settings.blocking_threads).unwrap_or(u64::MAX));
    share_per_worker(open_files, reserved, workers)
}

/// What is left of `open_files` once `reserved` is set aside, shared between `workers`;
/// never below 64 per process, never above actix's default of 25,000 per worker.
fn share_per_worker(open_files: u64, reserved: u64, workers: usize) -> usize {
    let for_families = open_files.saturating_sub(reserved).max(64);
    let per_worker = for_families / u64::try_from(workers.max(1)).unwrap_or(1);
    usize::try_from(per_worker)
        .unwrap_or(usize::MAX)
        .min(25_000)
}

/// Raises the soft open-files limit to the hard one (the soft default is often 1,024) and
/// answers the limit the process now has.
fn open_files_limit() -> u64 {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => limit,
        Err(error) => {
            tracing::warn!(%error, "could not read the open-files limit; assuming 1,024");
            1024
        }
    }
}

impl Application {
    /// Builds the application with the default login throttle.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with(settings, LoginPolicy::default()).await
    }

    /// Binds the port, connects and migrates the database, loads demo content if asked,
    /// starts the outbox worker and the purge job, and prepares the server.
    pub async fn build_with(settings: Settings, login_policy: LoginPolicy) -> anyhow::Result<Self> {
        let listener = listen(&settings).with_context(|| {
            format!("Failed to bind {}:{}", settings.bind_address, settings.port)
        })?;
        let port = listener.local_addr()?.port();
        let public_url = settings.public_url_or(port);
        crate::monitoring::install();

        let (url, size, timeout, demo_content) = (
            settings.database_url.clone(),
            settings.database_pool_size,
            settings.database_timeout,
            settings.demo_content,
        );
        let first_settings = town::TownSettings {
            name: settings.town_name.clone(),
            tagline: settings.town_tagline.clone(),
            contact: settings.town_contact.clone(),
            welcome_text: String::new(),
            codes_postaux: settings.town_postal_codes.clone(),
            dpo_contact: String::new(),
        };
        let pool = tokio::task::spawn_blocking(move || -> anyhow::Result<db::DbPool> {
            let pool = db::connect_with(&url, size, timeout)?;
            town::ensure(&mut *pool.get()?, &first_settings, db::now())
                .context("Failed to write the town's first settings")?;
            if demo_content {
                demo::load(&mut *pool.get()?).context("Failed to load the demo content")?;
            }
            Ok(pool)
        })
        .await??;

        let mailer = Mailer::new(settings.smtp_url.as_deref(), settings.mail_dir.clone())?;
        let from: Mailbox = settings
            .mail_from
            .parse()
            .context("MAIL_FROM is not a valid address")?;
        let state = web::Data::new(AppState::new(
            pool,
            settings,
            public_url.clone(),
            login_policy,
        )?);
        if state.settings.demo_content {
            demo::load_documents(&state)
                .await
                .context("Failed to load the demo document")?;
        }
        if state.settings.outbox_worker {
            let delivery = worker::Delivery {
                mailer,
                from,
                clock: state.clock.clone(),
                give_up_after: chrono::Duration::from_std(state.settings.email_retry)
                    .context("EMAIL_RETRY_HOURS is out of range")?,
            };
            tokio::spawn(worker::run(
                state.pool.clone(),
                delivery,
                state.outbox_wake.clone(),
                state.settings.outbox_poll_interval,
            ));
        }
        tokio::spawn(jobs::run(
            state.pool.clone(),
            state.storage.clone(),
            state.settings.connection_log_retention_days,
            state.settings.orphan_grace,
        ));
        if state.settings.outbox_worker {
            // The webhooks' outbox, under the same switch as the emails'.
            tokio::spawn(crate::integrations::deliveries::run(
                state.clone(),
                state.settings.outbox_poll_interval,
            ));
        }
        if let Some(scanner) = state.scanner.clone() {
            tokio::spawn(crate::documents::scanning::run(
                state.clone(),
                scanner,
                std::time::Duration::from_secs(1),
            ));
        }
        tokio::spawn(crate::privacy::retention::run(
            state.clone(),
            std::time::Duration::from_secs(3600),
        ));
        tokio::spawn(crate::privacy::export::run(
            state.clone(),
            std::time::Duration::from_secs(60),
        ));
        tokio::spawn(jobs::run_activity_jobs(
            state.clone(),
            std::time::Duration::from_secs(60),
        ));

        // actix's own default, named here because the blocking threads are shared out
        // between the workers.
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        let max_connections = connections_per_worker(open_files_limit(), &state.settings, workers);
        tracing::info!(
            workers,
            max_connections_per_worker = max_connections,
            "connections bounded by the open-files limit"
        );
        let app_state = state.clone();
        let server = actix_web::HttpServer::new(move || app(app_state.clone()))
            // Answers leave at once: actix-http writes a file's headers and body separately
            // and leaves Nagle's algorithm on, so on a kept-alive connection the body waited
            // for the browser's delayed ACK (~40 ms per static file).
            .on_connect(|connection, _| {
                if let Some(tcp) = connection.downcast_ref::<actix_web::rt::net::TcpStream>() {
                    let _ = tcp.set_nodelay(true);
                }
            })
            // An upload refused before its body was read answers, then reads and drops what
            // the client still sends for a moment before closing: closing at once with
            // unread data resets the connection and the client never sees the answer.
            .client_disconnect_timeout(std::time::Duration::from_secs(1))
            .keep_alive(state.settings.keep_alive)
            // Stopping is ours: first « not ready » for a while, then actix's graceful stop
            // (see `run_until_signalled`).
            .disable_signals()
            .shutdown_timeout(state.settings.shutdown_timeout.as_secs())
            .workers(workers)
            .max_connections(max_connections)
            .worker_max_blocking_threads(state.settings.blocking_threads.div_ceil(workers).max(1))
            .listen(listener)?
            .run();
        tracing::info!(%public_url, "Portail Famille is listening");
        Ok(Self {
            port,
            server,
            state,
        })
    }

    /// The bound port (useful when the settings asked for port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the server is stopped (tests: when their runtime ends).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    /// Serves until the process is asked to stop. On SIGTERM (an orchestrator, a rolling restart)
    /// the server first answers « not ready » for `DRAIN_SECONDS` while still serving, so
    /// the load balancer stops sending it requests, then stops accepting connections,
    /// finishes the requests in flight (at most `SHUTDOWN_TIMEOUT_SECONDS`) and exits: no
    /// client sees a failed request. Ctrl-C (SIGINT) skips the wait.
    pub async fn run_until_signalled(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        let (draining, drain) = (self.state.draining.clone(), self.state.settings.drain);
        tokio::spawn(async move {
            let wait = match stop_signal().await {
                Ok(StopSignal::Terminate) => drain,
                Ok(StopSignal::Interrupt) => std::time::Duration::ZERO,
                Err(error) => {
                    tracing::warn!(%error, "cannot listen for stop signals");
                    return;
                }
            };
            draining.store(true, std::sync::atomic::Ordering::Relaxed);
            tracing::info!(
                drain_seconds = wait.as_secs(),
                "stopping: draining, then finishing the requests in flight"
            );
            tokio::time::sleep(wait).await;
            handle.stop(true).await;
        });
        self.server.await
    }
}

/// Which signal asked the server to stop.
enum StopSignal {
    Terminate,
    Interrupt,
}

async fn stop_signal() -> std::io::Result<StopSignal> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(tokio::select! {
        _ = terminate.recv() => StopSignal::Terminate,
        _ = interrupt.recv() => StopSignal::Interrupt,
    })
}

/// The actix application: API under `/api`, OpenAPI document and Swagger UI, the SPA.
fn app(
    state: web::Data<AppState>,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let dist = state.settings.web_dist.clone();
    let api_docs = state.settings.api_docs;
    let metrics_path = state.settings.metrics_path.clone();
    let (app, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .app_data(state)
        .app_data(web::QueryConfig::default().error_handler(|error, _| {
            ApiError::field("_query", shared::validation::codes::INVALID_TYPE)
                .with_log(&error.to_string())
                .into()
        }))
        .service(utoipa_actix_web::scope("/api").configure(routes::configure))
        .split_for_parts();
    let mut api = api;
    crate::openapi::complete(&mut api);
    let app = app
        .app_data(web::Data::new(crate::methods::Routes::from_document(&api)))
        .wrap(from_fn(crate::methods::middleware))
        .wrap(from_fn(crate::auth::extractor::staff_door))
        .wrap(from_fn(crate::auth::integration::integration_door))
        .wrap(from_fn(spa::precompressed))
        .wrap(from_fn(security::middleware))
        .wrap(from_fn(crate::compression::middleware))
        .wrap(from_fn(crate::telemetry::access_log))
        .wrap(from_fn(crate::request_id::middleware));
    // Integrators generate their clients from the document: public unless API_DOCS=off.
    let app = if api_docs {
        app.service(web::redirect("/swagger-ui", "/swagger-ui/"))
            .service(SwaggerUi::new("/swagger-ui/{_:.*}").url("/api-docs/openapi.json", api))
    } else {
        app
    };
    let app = match metrics_path {
        Some(path) => {
            app.service(web::resource(path).route(web::get().to(crate::monitoring::render)))
        }
        None => app,
    };
    // The back office first: the family SPA's fallback would answer its client routes.
    let app = match spa::backoffice_service(&dist) {
        Some(files) => app
            .service(web::redirect(spa::BACKOFFICE_PATH, "/backoffice/"))
            .service(files),
        None => app,
    };
    let app = match spa::public_service(&dist) {
        Some(files) => app.service(files),
        None => app,
    };
    match spa::service(&dist) {
        Some(files) => app
            .service(
                web::resource("/")
                    .route(web::get().to(spa::index_page))
                    .route(web::head().to(spa::index_page)),
            )
            .service(files),
        None => app.default_service(web::to(|| async {
            HttpResponse::from_error(ApiError::NotFound)
        })),
    }
}

impl ApiError {
    fn with_log(self, message: &str) -> Self {
        tracing::debug!(message, "request refused");
        self
    }
}

#[cfg(test)]
mod tests {
    use super::share_per_worker;

    #[test]
    fn connections_are_shared_out_below_the_open_files_limit() {
        // The benchmark machine: 20,000 files, two workers.
        assert_eq!(share_per_worker(20_000, 542, 2), 9_729);
        // A generous limit: actix's own default per worker.
        assert_eq!(share_per_worker(1 << 20, 542, 2), 25_000);
        // A tiny limit still serves someone rather than nobody.
        assert_eq!(share_per_worker(256, 542, 2), 32);
    }
}
