//! « Mon compte »: profile, password and email changes, « Dernières connexions ».

use api::db::models::connection_log;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::mail::wait_for_mail;
use crate::helpers::{PASSWORD, spawn_app, unique};

#[tokio::test]
async fn the_profile_shows_the_account_and_no_secret() {
    let app = spawn_app().await;
    let family = app.family().await;
    let response = app.get_auth("/api/me", &family.access_token).await;
    assert_eq!(response.headers()["cache-control"], "no-store");
    let text = response.text().await.expect("body");
    assert!(
        !text.contains("argon2") && !text.contains("password"),
        "{text}"
    );
    let me: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(me["username"], family.username);
    assert_eq!(me["subscription"], "Famille");
    assert_eq!(me["new_household"], true);
    assert_eq!(me["terms_accepted"], true);
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_closes_other_sessions() {
    let app = spawn_app().await;
    let family = app.family().await;
    let other: Value = app
        .login(&family.username, PASSWORD)
        .await
        .json()
        .await
        .expect("json");
    let other_token = other["access_token"].as_str().expect("token");

    let missing = app
        .put_json_auth(
            "/api/me/password",
            &family.access_token,
            &json!({"new_password": "x"}),
        )
        .await;
    assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let wrong = app
        .put_json_auth(
            "/api/me/password",
            &family.access_token,
            &json!({"current_password": "faux", "new_password": "une toute autre phrase longue"}),
        )
        .await;
    assert_eq!(
        wrong.json::<Value>().await.expect("json")["fields"]["current_password"][0],
        "wrong_password"
    );
    let changed = app
        .put_json_auth(
            "/api/me/password",
            &family.access_token,
            &json!({"current_password": PASSWORD, "new_password": "une toute autre phrase longue"}),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get_auth("/api/me", &family.access_token).await.status(),
        StatusCode::OK,
        "this session stays"
    );
    assert_eq!(
        app.get_auth("/api/me", other_token).await.status(),
        StatusCode::UNAUTHORIZED,
        "others end"
    );
    wait_for_mail(&family.email, "mot de passe a été modifié").await;
}

#[tokio::test]
async fn a_new_email_is_confirmed_from_its_own_inbox_and_the_old_one_is_told() {
    let app = spawn_app().await;
    let family = app.family().await;
    let new_email = format!("{}@exemple.fr", unique("nouvelle"));
    let wrong = app
        .post_json_auth(
            "/api/me/email",
            &family.access_token,
            &json!({"password": "faux", "new_email": new_email}),
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let asked = app
        .post_json_auth(
            "/api/me/email",
            &family.access_token,
            &json!({"password": PASSWORD, "new_email": new_email}),
        )
        .await;
    assert_eq!(asked.status(), StatusCode::ACCEPTED);
    wait_for_mail(&family.email, "Changement d'adresse").await;
    let me: Value = app
        .get_auth("/api/me", &family.access_token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        me["email"], family.email,
        "nothing changes before confirmation"
    );
    assert_eq!(me["pending_email"], new_email);

    let token = wait_for_mail(&new_email, "Confirmez")
        .await
        .token("/confirmer-email");
    assert_eq!(
        app.post_json("/api/email-changes/confirm", &json!({"token": token}))
            .await
            .status(),
        StatusCode::OK
    );
    let me: Value = app
        .get_auth("/api/me", &family.access_token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["email"], new_email);
    assert_eq!(
        app.login(&new_email, PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn recent_connections_list_successes_and_failures_newest_first_and_old_ones_are_purged() {
    let app = spawn_app().await;
    let family = app.family().await;
    app.login(&family.username, "mauvais mot de passe").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await; // failures are logged off the request path
    let page: Value = app
        .get_auth("/api/me/connections?per_page=1", &family.access_token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(page["total"], 2);
    assert_eq!(page["items"].as_array().expect("items").len(), 1);
    assert_eq!(page["items"][0]["success"], false, "newest first");
    assert_eq!(page["retention_days"], 183);
    let second: Value = app
        .get_auth(
            "/api/me/connections?page=2&per_page=1",
            &family.access_token,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(second["items"][0]["success"], true);
    assert_eq!(
        app.get_auth("/api/me/connections?page=abc", &family.access_token)
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let capped: Value = app
        .get_auth("/api/me/connections?per_page=100000", &family.access_token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(capped["per_page"], 100, "page size is capped");

    let me: Value = app
        .get_auth("/api/me", &family.access_token)
        .await
        .json()
        .await
        .expect("json");
    let old = api::db::now() - chrono::Duration::days(200);
    connection_log::record(
        &mut app.db.connect(),
        me["id"].as_str().expect("id"),
        old,
        "192.0.2.1",
        "vieux",
        true,
    )
    .expect("old row");
    let purged = api::jobs::purge(&app.state.pool, 183, api::db::now()).expect("purge");
    assert_eq!(purged.connection_logs, 1);
    let page: Value = app
        .get_auth("/api/me/connections", &family.access_token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(page["total"], 2);
}

#[tokio::test]
async fn a_password_change_kills_a_pending_email_change_link() {
    let app = spawn_app().await;
    let family = app.family().await;
    let new_email = format!("{}@exemple.fr", unique("attente"));
    app.post_json_auth(
        "/api/me/email",
        &family.access_token,
        &json!({"password": PASSWORD, "new_email": new_email}),
    )
    .await;
    let token = wait_for_mail(&new_email, "Confirmez")
        .await
        .token("/confirmer-email");
    let changed = app
        .put_json_auth(
            "/api/me/password",
            &family.access_token,
            &json!({"current_password": PASSWORD, "new_password": "une toute autre phrase longue"}),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::NO_CONTENT);
    let confirm = app
        .post_json("/api/email-changes/confirm", &json!({"token": token}))
        .await;
    assert_eq!(confirm.status(), StatusCode::GONE);
}
