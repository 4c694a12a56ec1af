//! Prometheus metrics, at `METRICS_PATH` (`/metrics` by default; empty: not served).
//!
//! Counted as they happen: requests by method, route *pattern* and status, with their
//! durations (a histogram); answers 503 by reason (admission, hashing queue, database);
//! the background jobs' last success. Read when scraped: the database pool's use, the
//! requests waiting for a hash or an enrolment place, and the email and webhook outboxes'
//! backlog and the age of their oldest waiting item (by the database's clock).
//!
//! The recorder is the process's: one per process, shared by every server a test process
//! starts. The proxy must not expose the path to the Internet (the deployment examples
//! refuse it): it names no family, but tells how busy the town's portal is.

use std::sync::OnceLock;
use std::time::Duration;

use actix_web::{HttpResponse, web};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::error::ApiError;
use crate::state::AppState;

/// From 1 ms (the catalogue from its snapshot) to 10 s (a timeout), in seconds.
const DURATION_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's recorder, installed on first use. `None` when another recorder was
/// installed first (metrics are then not served rather than the server not started).
fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let installed = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Suffix("_duration_seconds".into()),
                    DURATION_BUCKETS,
                )
                .and_then(PrometheusBuilder::install_recorder);
            match installed {
                Ok(handle) => {
                    // Without the exporter's own listener, the histograms' buffers are
                    // drained by this upkeep (and by each scrape).
                    let upkeep = handle.clone();
                    std::thread::Builder::new()
                        .name("metrics-upkeep".into())
                        .spawn(move || {
                            loop {
                                std::thread::sleep(Duration::from_secs(5));
                                upkeep.run_upkeep();
                            }
                        })
                        .ok()?;
                    Some(handle)
                }
                Err(error) => {
                    tracing::warn!(%error, "metrics are not recorded");
                    None
                }
            }
        })
        .as_ref()
}

/// Installs the recorder before the first request is counted.
pub fn install() {
    let _ = handle();
}

/// One answered request. `route` is the matched pattern, or `unmatched`: a path typed by a
/// client never becomes a label (each label value is a series kept for ever).
pub fn record_request(method: &str, route: &str, status: u16, took: Duration) {
    let (method, route) = (method.to_string(), route.to_string());
    metrics::counter!(
        "portail_http_requests_total",
        "method" => method.clone(),
        "route" => route.clone(),
        "status" => status.to_string()
    )
    .increment(1);
    metrics::histogram!(
        "portail_http_request_duration_seconds",
        "method" => method,
        "route" => route
    )
    .record(took.as_secs_f64());
}

/// An answer 503, by its (fixed) reason.
pub fn record_unavailable(reason: &'static str) {
    metrics::counter!("portail_unavailable_total", "reason" => reason).increment(1);
}

/// A background job finished a pass without error (its lag is now minus this).
pub fn record_job_success(job: &'static str) {
    let now = chrono::Utc::now().timestamp();
    metrics::gauge!("portail_job_last_success_timestamp_seconds", "job" => job).set(now as f64);
}

/// `GET METRICS_PATH`: the Prometheus text format.
pub async fn render(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let handle = handle().ok_or(ApiError::NotFound)?;
    let pool = state.pool.state();
    let in_use = pool.connections.saturating_sub(pool.idle_connections);
    metrics::gauge!("portail_db_pool_connections", "state" => "in_use").set(f64::from(in_use));
    metrics::gauge!("portail_db_pool_connections", "state" => "idle")
        .set(f64::from(pool.idle_connections));
    metrics::gauge!("portail_db_pool_max_connections").set(f64::from(state.pool.max_size()));
    metrics::gauge!("portail_password_hash_waiting").set(state.hasher.waiting() as f64);
    metrics::gauge!("portail_enrolment_waiting").set(state.enrolments.waiting() as f64);
    let clock = state.clock.clone();
    let backlogs = state
        .read(move |conn| {
            let now = clock.now(conn)?;
            Ok([
                ("emails", crate::db::models::outbox::backlog(conn)?),
                ("webhooks", crate::db::models::webhook::backlog(conn)?),
            ]
            .map(|(queue, (count, oldest))| {
                let age = oldest.map_or(0.0, |at| {
                    ((now - at).num_milliseconds() as f64 / 1000.0).max(0.0)
                });
                (queue, count, age)
            }))
        })
        .await?;
    for (queue, count, age) in backlogs {
        metrics::gauge!("portail_outbox_backlog", "queue" => queue).set(count as f64);
        metrics::gauge!("portail_outbox_oldest_age_seconds", "queue" => queue).set(age);
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(handle.render()))
}
