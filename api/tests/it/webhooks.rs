//! Webhooks (issue 14): an application subscribes a URL to events; a change commits and
//! its event reaches the receiver signed as Standard Webhooks says (verified by the
//! receiver helper, which refuses the same message replayed later); delivered at least
//! once, « Rejouer » sends it again with the same id; a receiver that fails is retried,
//! and after three days (the clock moved) the delivery is given up, the subscription
//! paused and its contact emailed; addresses that resolve to loopback are never called
//! over https (SSRF), and plain http is refused unless the test setting allows loopback.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::activities::families;
use crate::helpers::mail::wait_for_mails;
use crate::helpers::receiver::Receiver;
use crate::helpers::spawn::TestApp;
use crate::helpers::{spawn_app, unique};
use crate::http::pieces::provide_required_pieces;
use crate::http::review::{submit, submitted};
use crate::inscriptions::{
    agent, create_activite, create_periode, enrol, family_of, periode_input,
};

/// A connected application with `webhooks:manage`: (client id, its token).
pub async fn application(app: &TestApp, contact: &str) -> (String, String) {
    let admin = agent(app).await;
    let response = app
        .post_json_auth(
            "/api/backoffice/applications",
            &admin,
            &json!({"name": unique("Logiciel enfance "), "contact_email": contact, "scopes": ["webhooks:manage"]}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let issued: Value = response.json().await.expect("json");
    let (id, secret) = (
        issued["client_id"].as_str().expect("id").to_string(),
        issued["client_secret"]
            .as_str()
            .expect("secret")
            .to_string(),
    );
    let token: Value = app
        .client
        .post(app.url("/api/oauth/token"))
        .basic_auth(&id, Some(&secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    (
        id,
        token["access_token"].as_str().expect("token").to_string(),
    )
}

pub async fn subscribe(
    app: &TestApp,
    token: &str,
    url: &str,
    events: &[&str],
) -> (StatusCode, Value) {
    let response = app
        .post_json_auth(
            "/api/integration/v1/webhooks",
            token,
            &json!({"url": url, "events": events}),
        )
        .await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn log(app: &TestApp, token: &str, subscription: &str) -> Vec<Value> {
    let response = app
        .get_auth(
            &format!("/api/integration/v1/webhooks/{subscription}/deliveries"),
            token,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    body["items"].as_array().expect("items").clone()
}

/// Polls the delivery log until its newest entry is in `state`, tried at least once.
async fn wait_for_state(app: &TestApp, token: &str, subscription: &str, state: &str) -> Value {
    let started = Instant::now();
    loop {
        let items = log(app, token, subscription).await;
        let tried = |d: &&Value| d["attempts"].as_i64().is_some_and(|a| a >= 1);
        if let Some(newest) = items.first().filter(|d| d["state"] == state).filter(tried) {
            return newest.clone();
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "no delivery {state}: {items:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn webhooks_are_signed_sent_at_least_once_retried_then_paused() {
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let contact = format!("{}@mairie.test", unique("dsi"));
    let (_, token) = application(&app, &contact).await;

    // Addresses refused at once: plain http elsewhere than loopback, other schemes.
    for url in [
        "http://erp.mairie.example/hooks",
        "ftp://erp.mairie.example/",
        "hooks",
    ] {
        let (status, problem) = subscribe(&app, &token, url, &["inscription.confirmee"]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        assert_eq!(problem["fields"]["url"], json!(["invalid_url"]));
    }
    // Subscribed: the secret once.
    let (status, created) =
        subscribe(&app, &token, &receiver.url, &["inscription.confirmee"]).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let secret = created["secret"].as_str().expect("secret").to_string();
    assert!(secret.starts_with("whsec_"));
    let subscription = created["subscription"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    // A subscription whose https host resolves to loopback: never called (SSRF).
    let (status, ssrf) = subscribe(
        &app,
        &token,
        "https://localhost:9/hooks",
        &["inscription.confirmee"],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let ssrf = ssrf["subscription"]["id"].as_str().expect("id").to_string();

    // A child gets a place: the event is written with it and delivered.
    let admin = agent(&app).await;
    let activite = create_activite(&app, &admin).await;
    let periode = create_periode(
        &app,
        &admin,
        &activite,
        &periode_input(5, "automatique", None),
    )
    .await;
    let ours = families(&app, 2);
    let family = family_of(&app, &ours[0].0).await;
    let inscription = enrol(&app, &family, &periode, &ours[0].1).await;
    let got = receiver.wait_for(1).await;
    let message = &got[0];
    let now = chrono::Utc::now().timestamp();
    assert_eq!(
        api::integrations::webhooks::verify(
            &secret,
            &message.id,
            &message.timestamp,
            &message.signature,
            message.body.as_bytes(),
            now
        ),
        Ok(()),
        "{message:?}"
    );
    let body: Value = serde_json::from_str(&message.body).expect("json");
    assert_eq!(body["type"], "inscription.confirmee");
    assert_eq!(body["data"]["inscription_id"], inscription["id"]);
    assert_eq!(body["data"]["dossier_id"], ours[0].0.as_str());
    // The receiver helper refuses the same message replayed six minutes later, or altered.
    assert_eq!(
        api::integrations::webhooks::verify(
            &secret,
            &message.id,
            &message.timestamp,
            &message.signature,
            message.body.as_bytes(),
            now + 360
        ),
        Err(api::integrations::webhooks::Refused::Timestamp)
    );
    assert_eq!(
        api::integrations::webhooks::verify(
            &secret,
            &message.id,
            &message.timestamp,
            &message.signature,
            b"{}",
            now
        ),
        Err(api::integrations::webhooks::Refused::Signature)
    );
    let delivered = wait_for_state(&app, &token, &subscription, "livree").await;
    assert_eq!(
        (
            delivered["attempts"].as_i64(),
            delivered["last_status"].as_i64()
        ),
        (Some(1), Some(200))
    );
    assert_eq!(delivered["id"], message.id.as_str());

    // The loopback one was refused before any connection, and says why.
    let refused = wait_for_state(&app, &token, &ssrf, "en_attente").await;
    assert!(
        refused["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("adresse interdite")),
        "{refused}"
    );

    // « Rejouer »: the same message again, with the same id (receivers de-duplicate on it).
    let replay = app
        .post_json_auth(
            &format!(
                "/api/integration/v1/webhooks/{subscription}/deliveries/{}/replay",
                message.id
            ),
            &token,
            &json!({}),
        )
        .await;
    assert_eq!(replay.status(), StatusCode::NO_CONTENT);
    let got = receiver.wait_for(2).await;
    assert_eq!(
        (got[1].id.as_str(), got[1].body.as_str()),
        (message.id.as_str(), message.body.as_str())
    );

    // A redirection is not followed (it could lead anywhere): the delivery failed.
    receiver.status.store(307, Ordering::SeqCst);
    let replay = app
        .post_json_auth(
            &format!(
                "/api/integration/v1/webhooks/{subscription}/deliveries/{}/replay",
                message.id
            ),
            &token,
            &json!({}),
        )
        .await;
    assert_eq!(replay.status(), StatusCode::NO_CONTENT);
    let started = Instant::now();
    while log(&app, &token, &subscription).await[0]["last_status"] != 307 {
        assert!(started.elapsed() < Duration::from_secs(15), "no 307 logged");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        receiver.followed.load(Ordering::SeqCst),
        0,
        "never followed"
    );

    // The receiver fails: retried, then given up three days after the event.
    receiver.status.store(500, Ordering::SeqCst);
    let second = family_of(&app, &ours[1].0).await;
    enrol(&app, &second, &periode, &ours[1].1).await;
    let failing = wait_for_state(&app, &token, &subscription, "en_attente").await;
    assert_eq!(
        (
            failing["attempts"].as_i64(),
            failing["last_status"].as_i64()
        ),
        (Some(1), Some(500))
    );
    app.state.clock.advance(chrono::Duration::hours(73));
    let given_up = wait_for_state(&app, &token, &subscription, "abandonnee").await;
    assert!(given_up["attempts"].as_i64().is_some_and(|a| a >= 2));
    let list: Value = app
        .get_auth("/api/integration/v1/webhooks", &token)
        .await
        .json()
        .await
        .expect("json");
    let paused = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|s| s["id"] == subscription.as_str())
        .expect("listed")
        .clone();
    assert!(paused["paused_at"].is_string(), "{paused}");
    // Both subscriptions failed for three days: one email each, naming its address.
    let mails = wait_for_mails(&contact, 2).await;
    let about_receiver = mails
        .iter()
        .find(|m| m.text.contains(&receiver.url))
        .expect("an email about the receiver's address");
    assert!(
        about_receiver
            .subject
            .starts_with("Abonnement aux événements suspendu")
    );
    assert!(
        about_receiver
            .text
            .contains(&format!("/webhooks/{subscription}/reprise"))
    );

    // Resumed: sent again.
    receiver.status.store(200, Ordering::SeqCst);
    let resumed = app
        .post_json_auth(
            &format!("/api/integration/v1/webhooks/{subscription}/reprise"),
            &token,
            &json!({}),
        )
        .await;
    assert_eq!(resumed.status(), StatusCode::OK);
    let resumed: Value = resumed.json().await.expect("json");
    assert!(resumed["paused_at"].is_null());
}

#[tokio::test]
async fn subscriptions_are_the_applications_own_and_need_their_scope() {
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let (_, mine) = application(&app, "a@mairie.test").await;
    let (_, other) = application(&app, "b@mairie.test").await;
    let (_, created) = subscribe(&app, &mine, &receiver.url, &["demande.validee"]).await;
    let id = created["subscription"]["id"]
        .as_str()
        .expect("id")
        .to_string();
    // Another application sees nothing of it and cannot touch it.
    let response = app
        .get_auth(
            &format!("/api/integration/v1/webhooks/{id}/deliveries"),
            &other,
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = app
        .client
        .delete(app.url(&format!("/api/integration/v1/webhooks/{id}")))
        .bearer_auth(&other)
        .send()
        .await
        .expect("delete");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let list: Value = app
        .get_auth("/api/integration/v1/webhooks", &other)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["items"], json!([]));
    // Its owner deletes it.
    let response = app
        .client
        .delete(app.url(&format!("/api/integration/v1/webhooks/{id}")))
        .bearer_auth(&mine)
        .send()
        .await
        .expect("delete");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    // A token without `webhooks:manage` is refused before its body is read.
    let admin = agent(&app).await;
    let issued: Value = app
        .post_json_auth(
            "/api/backoffice/applications",
            &admin,
            &json!({"name": unique("Lecteur "), "contact_email": "c@mairie.test", "scopes": ["dossiers:read"]}),
        )
        .await
        .json()
        .await
        .expect("json");
    let token: Value = app
        .client
        .post(app.url("/api/oauth/token"))
        .basic_auth(
            issued["client_id"].as_str().expect("id"),
            issued["client_secret"].as_str(),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let reader = token["access_token"].as_str().expect("token");
    let refused = app
        .post_json_auth("/api/integration/v1/webhooks", reader, &json!({"url": 42}))
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

/// The event types received so far, sorted (deliveries run in parallel: their order is
/// not the events' order).
fn types_received(receiver: &Receiver) -> Vec<String> {
    let mut types: Vec<String> = receiver
        .received()
        .iter()
        .map(|r| {
            let body: Value = serde_json::from_str(&r.body).expect("json");
            body["type"].as_str().expect("type").to_string()
        })
        .collect();
    types.sort();
    types
}

#[tokio::test]
async fn a_request_its_pieces_and_its_dossier_are_told_as_they_happen() {
    let app = spawn_app().await;
    let receiver = Receiver::start().await;
    let (_, token) = application(&app, "dsi@mairie.test").await;
    let (status, body) = subscribe(
        &app,
        &token,
        &receiver.url,
        &[
            "demande.soumise",
            "demande.a_completer",
            "demande.validee",
            "piece.deposee",
            "dossier.modifie",
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // Pieces provided with the draft are told by the submission, not one by one.
    let family = app.family().await;
    let (dossier, demande) = submitted(&app, &family).await;
    receiver.wait_for(1).await;
    assert_eq!(types_received(&receiver), ["demande.soumise"]);

    let agent = agent(&app).await;
    let decide = |decision: Value| {
        let (app, agent, demande) = (&app, &agent, &demande);
        async move {
            let response = app
                .post_json_auth(
                    &format!("/api/backoffice/demandes/{demande}/decision"),
                    agent,
                    &decision,
                )
                .await;
            assert_eq!(response.status(), StatusCode::OK);
        }
    };
    decide(
        json!({"decision": "a_completer", "message": "Merci de joindre un justificatif récent."}),
    )
    .await;
    receiver.wait_for(2).await;

    // A piece provided while « à compléter »: the town can see it, the event says so.
    provide_required_pieces(&app, &family, &dossier).await;
    let got = receiver.wait_for(4).await;
    assert_eq!(
        types_received(&receiver),
        [
            "demande.a_completer",
            "demande.soumise",
            "piece.deposee",
            "piece.deposee"
        ]
    );
    let piece: Value = got
        .iter()
        .map(|r| serde_json::from_str::<Value>(&r.body).expect("json"))
        .find(|b| b["type"] == "piece.deposee")
        .expect("a piece event");
    assert_eq!(piece["data"]["dossier_id"], dossier.as_str());

    // Submitted again and validated: the dossier gets its number, and is told changed.
    submit(&app, &family, &demande).await;
    decide(json!({"decision": "validee"})).await;
    let got = receiver.wait_for(7).await;
    assert_eq!(
        types_received(&receiver),
        [
            "demande.a_completer",
            "demande.soumise",
            "demande.soumise",
            "demande.validee",
            "dossier.modifie",
            "piece.deposee",
            "piece.deposee"
        ]
    );
    let changed: Value = got
        .iter()
        .map(|r| serde_json::from_str::<Value>(&r.body).expect("json"))
        .find(|b| b["type"] == "dossier.modifie")
        .expect("the dossier's event");
    assert_eq!(changed["data"]["dossier_id"], dossier.as_str());
    assert!(changed["data"]["numero"].is_string(), "{changed}");
}
