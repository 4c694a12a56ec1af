//! Several servers on one database (issue 15): the work every replica's background workers
//! look for — the email outbox, the webhooks' deliveries — is claimed with a lease on the
//! database's clock, so each item is done once whichever replica takes it.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use api::db::models::outbox::{self, OutgoingEmail};
use api::db::models::webhook;
use reqwest::StatusCode;
use serde_json::json;
use shared::api::integration::WebhookEventType;

use crate::helpers::mail::{delete_mails, mails_to};
use crate::helpers::receiver::Receiver;
use crate::helpers::spawn::spawn_replica;
use crate::helpers::{spawn_app, unique};
use crate::webhooks::{application, subscribe};

const QUEUED: usize = 1_000;

#[tokio::test]
async fn three_replicas_deliver_each_queued_email_and_webhook_once() {
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let contact = format!("{}@portail.test", unique("replicas-contact-"));
    let (_, token) = application(&app, &contact).await;
    let (status, _) = subscribe(&app, &token, &receiver.url, &["demande.soumise"]).await;
    assert_eq!(status, StatusCode::CREATED);
    let replicas = [spawn_replica(&app).await, spawn_replica(&app).await];
    for replica in &replicas {
        let ready = app
            .client
            .get(format!("{}/api/health/ready", replica.address))
            .send()
            .await
            .expect("ready");
        assert_eq!(ready.status(), StatusCode::OK);
    }

    // 1,000 emails and 1,000 events, queued at once while the three servers' workers poll.
    let to = format!("{}@portail.test", unique("replicas-"));
    let mut conn = app.db.connect();
    api::db::write_tx(&mut conn, |conn| {
        let now = api::db::now();
        for n in 0..QUEUED {
            let email = OutgoingEmail {
                kind: "test",
                to: to.clone(),
                subject: format!("Message {n:04}"),
                text: format!("Message numéro {n}."),
                html: format!("<p>Message numéro {n}.</p>"),
                link_expires_at: None,
                account_id: None,
                attachment: None,
            };
            outbox::enqueue(conn, &email, now)?;
            webhook::emit(
                conn,
                WebhookEventType::DemandeSoumise,
                |_| Ok(json!({ "n": n })),
                now,
            )?;
        }
        Ok::<_, diesel::result::Error>(())
    })
    .expect("queue the work");

    // (About 40 s for the webhooks in a debug build: each delivery builds its HTTP client
    // pinned to the address it checked, SECURITY.md's SSRF rule.)
    wait_until(|| async { receiver.received() }).await;
    wait_until(|| async { mails_to(&to).await }).await;
    // Time for a second delivery of anything, if one were coming.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mails = mails_to(&to).await;
    let subjects: HashSet<_> = mails.iter().map(|m| m.subject.clone()).collect();
    delete_mails(&mails).await;
    assert_eq!(subjects.len(), QUEUED, "every email delivered");
    assert_eq!(mails.len(), QUEUED, "and each once");
    let hooks = receiver.received();
    let ids: HashSet<_> = hooks.iter().map(|h| h.id.clone()).collect();
    assert_eq!(ids.len(), QUEUED, "every webhook delivered");
    assert_eq!(hooks.len(), QUEUED, "and each once");
}

/// Polls `read` until it holds [`QUEUED`] items (at most three minutes) and answers them.
async fn wait_until<T, F, Fut>(read: F) -> Vec<T>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Vec<T>>,
{
    let started = Instant::now();
    loop {
        let items = read().await;
        if items.len() >= QUEUED || started.elapsed() > Duration::from_secs(180) {
            return items;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
