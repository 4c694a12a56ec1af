//! Faults of the parts the server depends on (SECURITY.md L-05): a silent network drop
//! between the server and PostgreSQL answers 503 within the timeout — never a hang — and
//! the server serves again once the network is back, without restarting.

use std::time::{Duration, Instant};

use reqwest::StatusCode;

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
