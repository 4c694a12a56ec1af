//! The outbox: sign-up answers at once while SMTP is down, and the email goes out, once,
//! when the server comes back (SECURITY.md L-06).

use std::time::{Duration, Instant};

use api::db::schema::outbox_emails;
use diesel::prelude::*;
use reqwest::StatusCode;

use api::email::Mailer;
use api::email::worker::{Delivery, deliver_due};
use serde_json::Value;

use crate::helpers::mail::{MAIL, mails_to, wait_for_mails};
use crate::helpers::relay::{Mode, Relay};
use crate::helpers::{PASSWORD, spawn_app_with, unique};

#[tokio::test]
async fn sign_up_answers_fast_while_smtp_is_down_and_the_email_is_sent_once_it_is_back() {
    // First an SMTP server that accepts connections and never answers (L-07): a request
    // that waited for it would wait for lettre's 15-second timeout.
    let hanging = Relay::start(MAIL.smtp_port).await;
    hanging.set(Mode::BlackHole);
    let app = spawn_app_with(
        |s| s.smtp_url = Some(format!("smtp://127.0.0.1:{}", hanging.port)),
        Default::default(),
    )
    .await;
    let username = unique("panne");
    let email = format!("{username}@exemple.fr");

    let started = Instant::now();
    let response = app.register(&username, &email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "sign-up waited for the mail server ({:?})",
        started.elapsed()
    );
    // Then the server is down (connections refused) until it comes back below.
    hanging.set(Mode::Refuse);

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

    hanging.set(Mode::Forward);
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

/// A delivery pass of the worker, with the app's clock.
fn delivery(app: &crate::helpers::spawn::TestApp, relay_port: u16) -> Delivery {
    Delivery {
        mailer: Mailer::new(
            Some(&format!("smtp://127.0.0.1:{relay_port}")),
            std::env::temp_dir(),
        )
        .expect("mailer"),
        from: "Portail Famille <ne-pas-repondre@portail.test>"
            .parse()
            .expect("from"),
        clock: app.state.clock.clone(),
        give_up_after: chrono::Duration::hours(48),
    }
}

fn statuses(app: &crate::helpers::spawn::TestApp) -> Vec<(String, i32)> {
    outbox_emails::table
        .select((outbox_emails::status, outbox_emails::attempts))
        .load(&mut app.db.connect())
        .expect("outbox")
}

/// L-07, with a controllable clock: SMTP refuses connections for a whole (simulated) day;
/// every email is retried with capped backoff, none is given up, and once the server is
/// back each is delivered exactly once.
#[tokio::test]
async fn a_day_of_smtp_outage_loses_no_email_and_sends_each_once() {
    let relay = Relay::start(MAIL.smtp_port).await;
    relay.set(Mode::Refuse);
    let app = spawn_app_with(
        |s| {
            s.smtp_url = Some(format!("smtp://127.0.0.1:{}", relay.port));
            // This test is the only sender: its passes run on the clock it moves.
            s.outbox_worker = false;
        },
        Default::default(),
    )
    .await;
    let addresses: Vec<String> = (0..8)
        .map(|_| format!("{}@exemple.fr", unique("jour")))
        .collect();
    for address in &addresses {
        let username = address.trim_end_matches("@exemple.fr").to_string();
        assert_eq!(
            app.register(&username, address, PASSWORD).await.status(),
            StatusCode::ACCEPTED
        );
    }
    let sender = delivery(&app, relay.port);
    for _ in 0..(24 * 12) {
        app.state.clock.advance(chrono::Duration::minutes(5));
        deliver_due(&app.state.pool, &sender).await.expect("pass");
    }
    let after_a_day = statuses(&app);
    assert_eq!(after_a_day.len(), addresses.len());
    for (status, attempts) in &after_a_day {
        assert_eq!(status, "pending", "still retried after a day");
        assert!(*attempts >= 24, "capped backoff keeps trying: {attempts}");
        assert!(
            *attempts <= 40,
            "at most one attempt an hour once capped: {attempts}"
        );
    }
    for address in &addresses {
        assert!(mails_to(address).await.is_empty());
    }

    relay.set(Mode::Forward);
    app.state.clock.advance(chrono::Duration::hours(1));
    deliver_due(&app.state.pool, &sender).await.expect("pass");
    for _ in 0..3 {
        app.state.clock.advance(chrono::Duration::hours(1));
        deliver_due(&app.state.pool, &sender).await.expect("pass");
    }
    for address in &addresses {
        let mails = wait_for_mails(address, 1).await;
        assert_eq!(mails.len(), 1, "{address}: delivered exactly once");
        assert!(mails[0].subject.contains("Activez votre compte"));
    }
    assert!(statuses(&app).iter().all(|(status, _)| status == "sent"));
}

/// L-07: an email that cannot be delivered within its retry window is given up, never in
/// silence: the family reads « échec » in « Mon compte » (and can ask for a fresh link),
/// administrators get the list and can queue them again; a body holding a one-time link is
/// erased once the link expires.
#[tokio::test]
async fn an_email_given_up_is_shown_to_the_family_and_to_administrators() {
    let relay = Relay::start(MAIL.smtp_port).await;
    let app = spawn_app_with(
        |s| s.smtp_url = Some(format!("smtp://127.0.0.1:{}", relay.port)),
        Default::default(),
    )
    .await;
    let family = app.family().await;
    let (admin, _) = crate::http::staff::administrator(&app);
    let (_, staff_token) = crate::http::staff::staff_session(&app, &admin).await;

    relay.set(Mode::Refuse);
    let new_address = format!("{}@exemple.fr", unique("nouvelle"));
    let change = app
        .post_json_auth(
            "/api/me/email",
            &family.access_token,
            &serde_json::json!({"password": PASSWORD, "new_email": new_address}),
        )
        .await;
    assert_eq!(change.status(), StatusCode::ACCEPTED);
    // Two days and a half of outage, as the (real) worker lives it.
    let mut conn = app.db.connect();
    for _ in 0..(60 * 2) {
        app.state.clock.advance(chrono::Duration::minutes(30));
        app.state.outbox_wake.notify_one();
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let waiting: i64 = outbox_emails::table
            .filter(outbox_emails::status.ne("failed"))
            .filter(outbox_emails::status.ne("sent"))
            .count()
            .get_result(&mut conn)
            .expect("count");
        if waiting == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{waiting} email(s) never given up"
        );
        app.state.clock.advance(chrono::Duration::minutes(30));
        app.state.outbox_wake.notify_one();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    relay.set(Mode::Forward);
    // Back to today: what follows is queued with the servers' own time.
    app.state.clock.reset();

    let listed: Value = app
        .get_auth("/api/me/emails", &family.access_token)
        .await
        .json()
        .await
        .expect("json");
    let find = |kind: &str| {
        listed["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|e| e["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} in {listed}"))
            .clone()
    };
    let confirm = find("email_change_confirm");
    let notice = find("email_change_notice");
    assert_eq!(confirm["status"], "echec");
    assert_eq!(confirm["renvoi_possible"], true);
    assert_eq!(notice["status"], "echec");
    assert_eq!(find("activation")["status"], "envoye");
    assert!(!listed.to_string().contains("Bonjour"), "never the body");
    let confirm_body: String = outbox_emails::table
        .filter(outbox_emails::kind.eq("email_change_confirm"))
        .select(outbox_emails::text_body)
        .first(&mut conn)
        .expect("row");
    assert!(
        confirm_body.is_empty(),
        "the expired link is erased, unsent"
    );

    let failed: Value = app
        .get_auth("/api/backoffice/emails/echecs", &staff_token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(failed["total"], 2, "{failed}");
    assert_eq!(
        app.get_auth("/api/backoffice/emails/echecs", &family.access_token)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // The family asks for a fresh confirmation; the administrator queues the rest again.
    let resent = app
        .post_json_auth(
            &format!(
                "/api/me/emails/{}/renvoi",
                confirm["id"].as_str().expect("id")
            ),
            &family.access_token,
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(resent.status(), StatusCode::ACCEPTED);
    let not_resendable = app
        .post_json_auth(
            &format!(
                "/api/me/emails/{}/renvoi",
                notice["id"].as_str().expect("id")
            ),
            &family.access_token,
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(not_resendable.status(), StatusCode::CONFLICT);
    let requeued: Value = app
        .post_json_auth(
            "/api/backoffice/emails/echecs/renvoi",
            &staff_token,
            &serde_json::json!({}),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        requeued["requeued"], 1,
        "only the one without an expired link"
    );
    crate::helpers::mail::wait_for_mail(&new_address, "Confirmez").await;
    crate::helpers::mail::wait_for_mail(&family.email, "Changement d'adresse").await;
}
