//! Operations (issue 15): health for the load balancer (`live`, `ready`, not ready while
//! stopping), a request id in every answer, problem document and log line, Prometheus
//! metrics, and a stop on SIGTERM that answers « not ready » first, then finishes what it
//! serves and exits cleanly.

use std::process::Command;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::process::Server;
use crate::helpers::spawn_app;
use crate::helpers::test_db::TestDb;
use crate::helpers::test_db::tempdir::TempDir;

#[tokio::test]
async fn live_and_ready_tell_the_load_balancer_whether_to_send_traffic() {
    let app = spawn_app().await;
    let get = |path: &'static str| app.client.get(app.url(path)).send();
    assert_eq!(
        get("/api/health/live").await.expect("live").status(),
        StatusCode::OK
    );
    let ready = get("/api/health/ready").await.expect("ready");
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(ready.json::<Value>().await.expect("json")["status"], "ok");

    // Asked to stop: still alive and serving, but no new traffic please.
    app.state.draining.store(true, Ordering::Relaxed);
    let ready = get("/api/health/ready").await.expect("ready");
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(ready.headers().contains_key("retry-after"));
    assert_eq!(
        get("/api/health/live").await.expect("live").status(),
        StatusCode::OK
    );
    assert_eq!(
        get("/api/health").await.expect("health").status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn every_answer_and_problem_carries_the_request_id() {
    let app = spawn_app().await;
    // Generated when the client sent none.
    let answer = app
        .client
        .get(app.url("/api/health/live"))
        .send()
        .await
        .expect("live");
    let generated = answer.headers()["x-request-id"]
        .to_str()
        .expect("ascii")
        .to_string();
    assert_eq!(generated.len(), 32, "{generated}");
    // The proxy's own id is kept, and a problem document quotes it.
    let answer = app
        .client
        .get(app.url("/api/dossiers/00000000-0000-0000-0000-000000000000"))
        .header("x-request-id", "proxy-7f3a.42")
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(answer.headers()["x-request-id"], "proxy-7f3a.42");
    let problem: Value = answer.json().await.expect("problem");
    assert_eq!(problem["request_id"], "proxy-7f3a.42");
    // An id that could forge a log line or a header is replaced.
    let answer = app
        .client
        .get(app.url("/api/health/live"))
        .header("x-request-id", "a b\tc")
        .send()
        .await
        .expect("live");
    assert_ne!(answer.headers()["x-request-id"], "a b\tc");
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_tell_the_queues() {
    let app = spawn_app().await;
    for _ in 0..3 {
        app.client
            .get(app.url("/api/health/live"))
            .send()
            .await
            .expect("live");
    }
    app.client
        .get(app.url("/api/nothing-here-zoe-martin"))
        .send()
        .await
        .expect("unknown");
    let answer = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("metrics");
    assert_eq!(answer.status(), StatusCode::OK);
    assert!(
        answer.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/plain"),
    );
    let text = answer.text().await.expect("text");
    let counted = text
        .lines()
        .find(|l| {
            l.starts_with("portail_http_requests_total{")
                && l.contains(r#"route="/api/health/live""#)
                && l.contains(r#"status="200""#)
        })
        .unwrap_or_else(|| panic!("requests counted by route:\n{text}"));
    let count: f64 = counted
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a count");
    assert!(count >= 3.0, "{counted}");
    for expected in [
        "portail_http_request_duration_seconds_bucket{",
        r#"portail_db_pool_connections{state="idle"}"#,
        "portail_db_pool_max_connections ",
        "portail_password_hash_waiting ",
        "portail_enrolment_waiting ",
        r#"portail_outbox_backlog{queue="emails"}"#,
        r#"portail_outbox_oldest_age_seconds{queue="webhooks"}"#,
        r#"route="unmatched""#,
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    // A path a client typed never becomes a label.
    assert!(!text.contains("zoe-martin"));
}

#[tokio::test]
async fn sigterm_drains_then_stops_cleanly_and_logs_carry_the_request_id() {
    let db = TestDb::new();
    let dir =
        TempDir(std::env::temp_dir().join(format!("pf-stop-{}", uuid::Uuid::new_v4().simple())));
    let mut server = Server::start_with(&db, &dir.0, &[("DRAIN_SECONDS", "2")]);
    let client = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", server.base);
    let started = Instant::now();
    while client.get(url("/api/health/ready")).send().await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let answer = client
        .get(url("/api/health/live"))
        .header("x-request-id", "trace-me-1234")
        .send()
        .await
        .expect("live");
    assert_eq!(answer.status(), StatusCode::OK);

    let pid = server.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill")
            .success()
    );
    // Draining: not ready, but still serving what comes.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let ready = client
        .get(url("/api/health/ready"))
        .send()
        .await
        .expect("ready");
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let live = client
        .get(url("/api/health/live"))
        .send()
        .await
        .expect("live");
    assert_eq!(live.status(), StatusCode::OK);
    // Then it exits by itself, successfully.
    let stopping = Instant::now();
    let status = loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            stopping.elapsed() < Duration::from_secs(15),
            "still running"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "{status:?}");
    assert!(
        stopping.elapsed() >= Duration::from_secs(1),
        "it drained first"
    );
    let logs = server.text();
    let line = logs
        .lines()
        .find(|l| l.contains("/api/health/live") && l.contains("trace-me-1234"))
        .unwrap_or_else(|| panic!("the access line carries the request id:\n{logs}"));
    assert!(line.contains("status=200"), "{line}");
}
