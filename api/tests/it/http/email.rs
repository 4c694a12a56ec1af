//! The outbox: sign-up answers at once while SMTP is down, and the email goes out, once,
//! when the server comes back (SECURITY.md L-06).

use std::time::{Duration, Instant};

use api::db::schema::outbox_emails;
use diesel::prelude::*;
use reqwest::StatusCode;

use crate::helpers::mail::{MAIL, mails_to, wait_for_mails};
use crate::helpers::{PASSWORD, spawn_app_with, unique};

/// Forwards connections from `port` to the real SMTP server, from now on.
async fn forward_smtp(port: u16) {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind the SMTP port");
    tokio::spawn(async move {
        while let Ok((mut inbound, _)) = listener.accept().await {
            tokio::spawn(async move {
                if let Ok(mut outbound) =
                    tokio::net::TcpStream::connect(("127.0.0.1", MAIL.smtp_port)).await
                {
                    let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                }
            });
        }
    });
}

#[tokio::test]
async fn sign_up_answers_fast_while_smtp_is_down_and_the_email_is_sent_once_it_is_back() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let app = spawn_app_with(
        |s| s.smtp_url = Some(format!("smtp://127.0.0.1:{port}")),
        Default::default(),
    )
    .await;
    let username = unique("panne");
    let email = format!("{username}@exemple.fr");

    let started = Instant::now();
    let response = app.register(&username, &email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "took {:?}",
        started.elapsed()
    );

    // The worker tried, failed and scheduled a retry.
    let mut conn = app.db.connect();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, attempts): (String, i32) = outbox_emails::table
            .select((outbox_emails::status, outbox_emails::attempts))
            .first(&mut conn)
            .expect("outbox row");
        if attempts >= 1 {
            assert_eq!(status, "pending");
            break;
        }
        assert!(Instant::now() < deadline, "the worker never tried");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(mails_to(&email).await.is_empty());

    forward_smtp(port).await;
    let mails = wait_for_mails(&email, 1).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(mails_to(&email).await.len(), 1, "delivered exactly once");
    assert!(mails[0].subject.contains("Activez votre compte"));
    let (status, text): (String, String) = outbox_emails::table
        .select((outbox_emails::status, outbox_emails::text_body))
        .first(&mut conn)
        .expect("row");
    assert_eq!(status, "sent");
    assert!(
        text.is_empty(),
        "a sent email's body (and its one-time link) is erased"
    );
}
