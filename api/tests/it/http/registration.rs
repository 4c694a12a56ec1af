//! Sign-up and activation (SECURITY.md, H-04).

use api::db::schema::{accounts, action_tokens};
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::mail::{mails_to, wait_for_mail, wait_for_mails};
use crate::helpers::{PASSWORD, spawn_app, spawn_app_with, unique};

async fn problem(response: reqwest::Response) -> Value {
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    response.json().await.expect("problem json")
}

#[tokio::test]
async fn sign_up_sends_a_french_activation_email_whose_link_activates_the_account() {
    let app = spawn_app().await;
    let username = unique("Parent");
    let email = format!("{}@exemple.fr", username.to_lowercase());

    let response = app.register(&username, &email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let mail = wait_for_mail(&email, "Activez votre compte").await;
    assert!(
        mail.text.contains(&format!("Bonjour {username},")),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("Activer mon compte"));
    assert!(mail.html.contains("Activer mon compte</a>"));
    let token = mail.token("/activation");
    assert!(token.len() >= 22);

    // Not active yet: the right password is told so, the wrong one learns nothing.
    let wrong = app.login(&username, "pas le bon mot de passe").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let right = app.login(&username, PASSWORD).await;
    assert_eq!(right.status(), StatusCode::FORBIDDEN);
    assert_eq!(problem(right).await["code"], "account_not_activated");

    let activated = app
        .post_json("/api/activations", &json!({"token": token}))
        .await;
    assert_eq!(activated.status(), StatusCode::OK);
    assert_eq!(
        app.login(&username, PASSWORD).await.status(),
        StatusCode::OK
    );

    let again = app
        .post_json("/api/activations", &json!({"token": token}))
        .await;
    assert_eq!(again.status(), StatusCode::GONE);
    assert_eq!(problem(again).await["code"], "link_expired");
}

#[tokio::test]
async fn activation_tokens_are_stored_hashed_and_a_resend_kills_the_previous_link() {
    let app = spawn_app().await;
    let username = unique("parent");
    let email = format!("{username}@exemple.fr");
    app.register(&username, &email, PASSWORD).await;
    let first = wait_for_mail(&email, "Activez").await.token("/activation");

    let hashes: Vec<String> = action_tokens::table
        .select(action_tokens::token_hash)
        .load(&mut app.db.connect())
        .expect("rows");
    assert!(hashes.contains(&api::auth::tokens::hash(&first)));
    assert!(
        !hashes.contains(&first),
        "the clear token must never be stored"
    );

    let resend = app
        .post_json(
            "/api/activations/resend",
            &json!({"email": email.to_uppercase()}),
        )
        .await;
    assert_eq!(resend.status(), StatusCode::ACCEPTED);
    let mails = wait_for_mails(&email, 2).await;
    let second = mails
        .iter()
        .map(|m| m.token("/activation"))
        .find(|t| *t != first)
        .expect("a new link");

    assert_eq!(
        app.post_json("/api/activations", &json!({"token": first}))
            .await
            .status(),
        StatusCode::GONE
    );
    assert_eq!(
        app.post_json("/api/activations", &json!({"token": second}))
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_expired_activation_link_is_refused() {
    let app = spawn_app_with(
        |s| s.activation_ttl = std::time::Duration::from_secs(1),
        Default::default(),
    )
    .await;
    let username = unique("parent");
    let email = format!("{username}@exemple.fr");
    app.register(&username, &email, PASSWORD).await;
    let token = wait_for_mail(&email, "Activez").await.token("/activation");
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    assert_eq!(
        app.post_json("/api/activations", &json!({"token": token}))
            .await
            .status(),
        StatusCode::GONE
    );
}

#[tokio::test]
async fn an_address_already_registered_gets_the_same_answer_and_an_email_instead_of_an_account() {
    let app = spawn_app().await;
    let (_, email) = app.activated_account().await;

    let new_address = app
        .register(
            &unique("autre"),
            &format!("{}@exemple.fr", unique("n")),
            PASSWORD,
        )
        .await;
    let (new_status, new_body) = (
        new_address.status(),
        new_address.text().await.expect("body"),
    );
    let existing = app
        .register(&unique("autre"), &email.to_uppercase(), PASSWORD)
        .await;
    assert_eq!(existing.status(), new_status);
    assert_eq!(existing.text().await.expect("body"), new_body);

    wait_for_mail(&email, "Un compte existe déjà").await;
    let count: i64 = accounts::table
        .filter(accounts::email_normalized.eq(email.to_lowercase()))
        .count()
        .get_result(&mut app.db.connect())
        .expect("count");
    assert_eq!(count, 1);

    // At most one such email an hour.
    app.register(&unique("autre"), &email, PASSWORD).await;
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let exists_mails = mails_to(&email)
        .await
        .into_iter()
        .filter(|m| m.subject.contains("existe déjà"))
        .count();
    assert_eq!(exists_mails, 1);
}

#[tokio::test]
async fn passwords_follow_the_policy_and_oversized_ones_cost_no_hash() {
    let app = spawn_app().await;
    let cases = [
        ("Abcdefgh12!", "password_too_short"),
        ("azertyuiop12", "password_too_common"),
        ("motdepasse123", "password_too_common"),
        ("Chartres2025!", "password_too_common"),
        ("portailfamille1", "password_too_common"),
    ];
    for (password, code) in cases {
        let response = app
            .register(
                &unique("p"),
                &format!("{}@exemple.fr", unique("p")),
                password,
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{password}"
        );
        assert_eq!(
            problem(response).await["fields"]["password"][0],
            code,
            "{password}"
        );
    }
    let before = app.state.hasher.hashes_computed();
    let huge = "é".repeat(150);
    let response = app
        .register(&unique("p"), &format!("{}@exemple.fr", unique("p")), &huge)
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problem(response).await["fields"]["password"][0],
        "password_too_long"
    );
    assert_eq!(
        app.state.hasher.hashes_computed(),
        before,
        "no hash for a refused password: it is refused before any work"
    );
}

#[tokio::test]
async fn a_taken_username_is_reported_on_the_username_field() {
    let app = spawn_app().await;
    let (username, _) = app.activated_account().await;
    let check = app
        .post_json(
            "/api/registrations/check",
            &json!({"username": username.to_uppercase(), "email": "x@exemple.fr", "password": PASSWORD}),
        )
        .await;
    assert_eq!(check.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        problem(check).await["fields"]["username"][0],
        "username_taken"
    );
    let response = app
        .register(
            &username.to_uppercase(),
            &format!("{}@exemple.fr", unique("x")),
            PASSWORD,
        )
        .await;
    assert_eq!(
        problem(response).await["fields"]["username"][0],
        "username_taken"
    );
}

#[tokio::test]
async fn the_step_check_rates_the_password() {
    let app = spawn_app().await;
    let response = app
        .post_json(
            "/api/registrations/check",
            &json!({"username": unique("p"), "email": "p@exemple.fr", "password": PASSWORD}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["password"]["acceptable"], true);
    assert!(body["password"]["score"].as_u64().expect("score") >= 3);
}

#[tokio::test]
async fn a_dossier_reference_ignores_case_and_accents_starts_a_rattachement_and_wrong_ones_are_throttled()
 {
    let app = spawn_app().await;
    let username = unique("pere");
    let body = |nom: &str, prenom: &str, username: &str| {
        json!({"username": username, "email": format!("{username}@exemple.fr"), "password": PASSWORD,
               "new_household": false, "dossier_reference": {"numero": "17484", "nom": nom, "prenom": prenom}})
    };
    let linked = app
        .post_json("/api/registrations", &body("creation", "PERE", &username))
        .await;
    assert_eq!(linked.status(), StatusCode::ACCEPTED);
    let token = wait_for_mail(&format!("{username}@exemple.fr"), "Activez")
        .await
        .token("/activation");
    app.post_json("/api/activations", &json!({"token": token}))
        .await;
    let login: Value = app
        .login(&username, PASSWORD)
        .await
        .json()
        .await
        .expect("json");
    let me: Value = app
        .get_auth("/api/me", login["access_token"].as_str().expect("token"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        me["dossier_numero"],
        Value::Null,
        "a reference alone links nothing (SECURITY.md A-15)"
    );
    assert_eq!(me["rattachement"]["numero"], "17484");
    assert_eq!(me["rattachement"]["method"], "code");
    assert_eq!(me["rattachement"]["status"], "en_attente");

    for _ in 0..5 {
        let wrong = app
            .post_json("/api/registrations", &body("Dupont", "Jean", &unique("x")))
            .await;
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem(wrong).await["code"], "dossier_reference_not_found");
    }
    let throttled = app
        .post_json(
            "/api/registrations",
            &body("creation", "Père", &unique("x")),
        )
        .await;
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(throttled.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn fifty_simultaneous_sign_ups_with_one_address_create_one_account() {
    let app = spawn_app_with(
        |s| {
            s.hash_queue = 200;
            s.registrations_per_hour = 100;
        },
        Default::default(),
    )
    .await;
    let email = format!("{}@exemple.fr", unique("course"));
    let requests = (0..50).map(|_| {
        let client = app.client.clone();
        let url = app.url("/api/registrations");
        let body = json!({"username": unique("c"), "email": email, "password": PASSWORD, "new_household": true, "dossier_reference": null});
        async move { client.post(url).json(&body).send().await.expect("request").status() }
    });
    let statuses = futures_util::future::join_all(requests).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::ACCEPTED),
        "the same answer for all: {statuses:?}"
    );
    let count: i64 = accounts::table
        .filter(accounts::email_normalized.eq(&email))
        .count()
        .get_result(&mut app.db.connect())
        .expect("count");
    assert_eq!(count, 1);
}

#[tokio::test]
async fn accounts_never_activated_are_deleted_after_thirty_days() {
    let app = spawn_app().await;
    let username = unique("oubli");
    app.register(&username, &format!("{username}@exemple.fr"), PASSWORD)
        .await;
    let (active, _) = app.activated_account().await;
    let in_31_days = api::db::now() + chrono::Duration::days(31);
    let purged = api::jobs::purge(&app.state.pool, 183, in_31_days).expect("purge");
    assert_eq!(purged.unactivated_accounts, 1);
    let left: Vec<String> = accounts::table
        .select(accounts::username_normalized)
        .load(&mut app.db.connect())
        .expect("rows");
    assert_eq!(left, vec![active]);
}

#[tokio::test]
async fn sign_ups_are_limited_per_address_but_corrections_do_not_count() {
    let app = spawn_app_with(|s| s.registrations_per_hour = 2, Default::default()).await;
    for _ in 0..5 {
        let refused = app
            .register(
                &unique("p"),
                &format!("{}@exemple.fr", unique("p")),
                "trop court",
            )
            .await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    for _ in 0..2 {
        let accepted = app
            .register(
                &unique("p"),
                &format!("{}@exemple.fr", unique("p")),
                PASSWORD,
            )
            .await;
        assert_eq!(accepted.status(), StatusCode::ACCEPTED);
    }
    let limited = app
        .register(
            &unique("p"),
            &format!("{}@exemple.fr", unique("p")),
            PASSWORD,
        )
        .await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers().contains_key("retry-after"));
}
