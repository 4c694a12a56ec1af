//! « Mot de passe oublié ? » (SECURITY.md ).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::mail::{wait_for_mail, wait_for_mails};
use crate::helpers::{PASSWORD, spawn_app, unique};

const NEW_PASSWORD: &str = "nouvelle phrase secrète du mercredi";

#[tokio::test]
async fn known_and_unknown_addresses_get_the_same_answer_and_no_token() {
    let app = spawn_app().await;
    let (_, email) = app.activated_account().await;
    let known = app
        .post_json("/api/password-resets", &json!({"email": email}))
        .await;
    let unknown = app
        .post_json(
            "/api/password-resets",
            &json!({"email": format!("{}@exemple.fr", unique("x"))}),
        )
        .await;
    assert_eq!(known.status(), StatusCode::ACCEPTED);
    assert_eq!(unknown.status(), StatusCode::ACCEPTED);
    let (known, unknown) = (
        known.text().await.expect("body"),
        unknown.text().await.expect("body"),
    );
    assert_eq!(known, unknown);
    let mail = wait_for_mail(&email, "Réinitialisation").await;
    assert!(!known.contains(&mail.token("/reinitialiser-mot-de-passe")));
}

#[tokio::test]
async fn a_reset_link_works_once_kills_older_links_sessions_and_sends_a_notice() {
    let app = spawn_app().await;
    let family = app.family().await;
    // The second request only once the first one's mail is in: the mail server may store
    // two messages that arrive together in either order.
    app.post_json("/api/password-resets", &json!({"email": family.email}))
        .await;
    let older = wait_for_mail(&family.email, "Réinitialisation")
        .await
        .token("/reinitialiser-mot-de-passe");
    app.post_json("/api/password-resets", &json!({"email": family.email}))
        .await;
    let mails = wait_for_mails(&family.email, 3).await; // activation + two resets
    let tokens: Vec<String> = mails
        .iter()
        .filter(|m| m.subject.contains("Réinitialisation"))
        .map(|m| m.token("/reinitialiser-mot-de-passe"))
        .collect();
    assert_eq!(tokens.len(), 2);
    let newer = tokens.iter().find(|t| **t != older).expect("a second link");
    let older = &older;

    let weak = app
        .post_json(
            "/api/password-resets/confirm",
            &json!({"token": newer, "password": "court"}),
        )
        .await;
    assert_eq!(
        weak.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a refused password does not burn the link"
    );
    let ok = app
        .post_json(
            "/api/password-resets/confirm",
            &json!({"token": newer, "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(ok.status(), StatusCode::OK);
    let again = app
        .post_json(
            "/api/password-resets/confirm",
            &json!({"token": newer, "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(again.status(), StatusCode::GONE);
    let old = app
        .post_json(
            "/api/password-resets/confirm",
            &json!({"token": older, "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(old.status(), StatusCode::GONE);

    assert_eq!(
        app.get_auth("/api/me", &family.access_token).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.refresh(&family.refresh_cookie).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(&family.username, PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(&family.username, NEW_PASSWORD).await.status(),
        StatusCode::OK
    );
    let notice = wait_for_mail(&family.email, "mot de passe a été modifié").await;
    assert!(!notice.text.contains(NEW_PASSWORD));
}

#[tokio::test]
async fn twenty_simultaneous_uses_of_one_link_succeed_once() {
    let app = spawn_app().await;
    let (_, email) = app.activated_account().await;
    app.post_json("/api/password-resets", &json!({"email": email}))
        .await;
    let token = wait_for_mail(&email, "Réinitialisation")
        .await
        .token("/reinitialiser-mot-de-passe");
    let attempts = (0..20).map(|i| {
        let (client, url, token) = (
            app.client.clone(),
            app.url("/api/password-resets/confirm"),
            token.clone(),
        );
        async move {
            client
                .post(url)
                .json(&json!({"token": token, "password": format!("{NEW_PASSWORD} {i}")}))
                .send()
                .await
                .expect("request")
                .status()
        }
    });
    let statuses = futures_util::future::join_all(attempts).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::GONE),
        "{statuses:?}"
    );
    let body: Value = app
        .login(&email, "nimporte quoi")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(body["code"], "unauthorized");
}
