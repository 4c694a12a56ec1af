//! Faults of the database (SECURITY.md L-04, L-05): a silent network drop between the
//! server and PostgreSQL answers 503 within the timeout — never a hang — and the server
//! serves again once the network is back, without restarting; PostgreSQL restarted twice
//! during the opening-morning rush loses no acknowledged login or enrolment.

use std::time::{Duration, Instant};

use reqwest::StatusCode;

use crate::helpers::private_postgres::PrivatePostgres;
use crate::helpers::relay::{Mode, Relay};
use crate::helpers::spawn_app_with;
use crate::helpers::test_db::backend;

#[tokio::test]
async fn a_silent_database_drop_answers_503_in_time_and_the_server_recovers() {
    if backend() != "postgres" {
        eprintln!("PostgreSQL only: SQLite is a file, not a network peer");
        return;
    }
    // The server reaches PostgreSQL through a relay that can black-hole traffic: bytes are
    // held, nothing answers and nothing resets, as on a dropped network path.
    let relay = Relay::start(5432).await;
    let app = spawn_app_with(
        |s| {
            s.database_url = s
                .database_url
                .replace("127.0.0.1:5432", &format!("127.0.0.1:{}", relay.port));
            s.database_timeout = Duration::from_secs(2);
        },
        Default::default(),
    )
    .await;
    let family = app.family().await;

    relay.set(Mode::BlackHole);
    let started = Instant::now();
    let answers = futures_util::future::join_all((0..12).map(|_| {
        let request = app
            .client
            .get(app.url("/api/me"))
            .bearer_auth(&family.access_token)
            .timeout(Duration::from_secs(30))
            .send();
        async move {
            let response = request.await.expect("an answer, not a hang");
            let status = response.status();
            let retry_after = response.headers().contains_key("retry-after");
            let kind = response.headers()["content-type"].clone();
            (status, retry_after, kind, started.elapsed())
        }
    }))
    .await;
    for (status, retry_after, kind, elapsed) in answers {
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(retry_after, "503 says when to retry");
        assert_eq!(kind, "application/problem+json");
        // The database timeout is 2 s (plus a second for the unit of work): far from a
        // hang, whatever the machine's load.
        assert!(
            elapsed < Duration::from_secs(15),
            "answered after {elapsed:?}"
        );
    }

    relay.set(Mode::Forward);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status = app.get_auth("/api/me", &family.access_token).await.status();
        if status == StatusCode::OK {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the server never recovered (last answer {status})"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_restarted_during_the_rush_loses_no_acknowledged_write() {
    if backend() != "postgres" {
        eprintln!("PostgreSQL only: SQLite is a file in the server's process");
        return;
    }
    // A PostgreSQL of this test's own: the machine's is shared by every other test.
    let postgres = std::sync::Arc::new(PrivatePostgres::start());
    postgres.create_database("portail");
    let app = spawn_app_with(
        |s| {
            s.database_url = postgres.url("portail");
            s.database_timeout = Duration::from_secs(2);
        },
        Default::default(),
    )
    .await;
    let plan = crate::opening::race(150, 3, chrono::Duration::seconds(14), "redemarrage");
    let prepared = {
        let mut conn = app.state.pool.get().expect("conn");
        api::load_seed::prepare(&mut conn, &plan).expect("seed")
    };

    // `pg_ctl restart -m fast` twice: while the families log in (sessions being written),
    // and just after the opening (enrolments being written).
    let opening = plan.opening;
    let restarts = {
        let postgres = postgres.clone();
        tokio::spawn(async move {
            let mut started = Vec::new();
            for at in [
                opening - chrono::Duration::seconds(5),
                opening + chrono::Duration::milliseconds(200),
            ] {
                let wait = (at - chrono::Utc::now()).to_std().unwrap_or_default();
                tokio::time::sleep(wait).await;
                started.push(chrono::Utc::now());
                let postgres = postgres.clone();
                tokio::task::spawn_blocking(move || postgres.restart())
                    .await
                    .expect("restart");
            }
            started
        })
    };
    let report = crate::opening::run_the_rush(&app.address, &plan, Duration::from_secs(12)).await;
    let started = restarts.await.expect("the restarts");
    // The second restart began while enrolments were still being answered. (Whether a
    // request was caught in flight depends on timing: the pool replaces the connections
    // the restart closed on their next checkout, waiting for the server to be back.)
    let rush_ended = opening + chrono::Duration::from_std(report.rush_lasted).expect("duration");
    assert!(
        started[1] < rush_ended,
        "the restart came after the rush ({} ≥ {rush_ended}): the test proved nothing\n{report}",
        started[1]
    );
    println!(
        "restarts at {started:?}; 503 answers: {}, lost: {}",
        report.unavailable, report.lost
    );
    crate::opening::assert_the_database_agrees(&mut app.state.pool.get().expect("conn"), &prepared);
    // Still the same process, serving.
    let ready = app.client.get(app.url("/api/health/ready")).send().await;
    assert_eq!(ready.expect("ready").status(), StatusCode::OK);
}
