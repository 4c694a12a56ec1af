//! Login, refresh, logout, throttling (SECURITY.md, B-01..B-05).

use std::time::Duration;

use api::auth::throttle::LoginPolicy;
use api::db::schema::accounts;
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::spawn::{TestApp, refresh_cookie};
use crate::helpers::{PASSWORD, spawn_app, spawn_app_with, unique};

/// Status, body and the sorted header names: what a caller can compare.
async fn shape(response: reqwest::Response) -> (StatusCode, Vec<String>, String) {
    let status = response.status();
    let mut headers: Vec<String> = response
        .headers()
        .keys()
        .map(|k| k.to_string())
        .filter(|k| k != "date" && k != "content-length")
        .collect();
    headers.sort();
    let body = response.text().await.expect("body");
    (status, headers, crate::helpers::but_request_id(&body))
}

#[tokio::test]
async fn every_login_failure_looks_the_same() {
    let app = spawn_app().await;
    let (active, _) = app.activated_account().await;
    let pending = unique("attente");
    app.register(&pending, &format!("{pending}@exemple.fr"), PASSWORD)
        .await;

    let unknown = shape(app.login(&unique("inconnu"), PASSWORD).await).await;
    let wrong = shape(app.login(&active, "pas le bon mot de passe").await).await;
    let empty = shape(app.login(&active, "").await).await;
    let pending_wrong = shape(app.login(&pending, "pas le bon mot de passe").await).await;
    assert_eq!(unknown.0, StatusCode::UNAUTHORIZED);
    for other in [&wrong, &empty, &pending_wrong] {
        assert_eq!(&unknown, other);
    }
}

#[tokio::test]
async fn the_password_is_checked_exactly_as_typed_and_either_name_logs_in() {
    let app = spawn_app().await;
    let (username, email) = app.activated_account().await;
    let shorter: String = PASSWORD
        .chars()
        .take(PASSWORD.chars().count() - 1)
        .collect();
    assert_eq!(
        app.login(&username, &shorter).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(&username, &PASSWORD.to_uppercase())
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(&email.to_uppercase(), PASSWORD).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.login(&username.to_uppercase(), PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn login_sets_a_host_only_refresh_cookie_and_a_short_access_token() {
    let app = spawn_app().await;
    let (username, _) = app.activated_account().await;
    let response = app.login(&username, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .expect("ascii")
        .to_string();
    assert!(cookie.starts_with("__Host-pf_refresh="), "{cookie}");
    for attribute in ["Path=/", "Secure", "HttpOnly", "SameSite=Strict"] {
        assert!(
            cookie.contains(attribute),
            "{attribute} missing from {cookie}"
        );
    }
    assert!(!cookie.to_lowercase().contains("domain="));
    let body: Value = response.json().await.expect("json");
    assert!(body["expires_in"].as_u64().expect("ttl") <= 900);
    let claims = app
        .state
        .jwt
        .verify(body["access_token"].as_str().expect("token"))
        .expect("valid");
    assert!(claims.exp - claims.iat <= 900);
}

#[tokio::test]
async fn a_refresh_token_works_once_and_its_replay_revokes_the_session() {
    let app = spawn_app_with(
        |s| s.refresh_reuse_grace = Duration::ZERO,
        LoginPolicy::default(),
    )
    .await;
    let family = app.family().await;

    let first = app.refresh(&family.refresh_cookie).await;
    assert_eq!(first.status(), StatusCode::OK);
    let second_cookie = refresh_cookie(&first).expect("rotated cookie");
    assert_ne!(second_cookie, family.refresh_cookie);

    let replay = app.refresh(&family.refresh_cookie).await;
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.refresh(&second_cookie).await.status(),
        StatusCode::UNAUTHORIZED,
        "the whole family is revoked"
    );
    assert_eq!(
        app.get_auth("/api/me", &family.access_token).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn two_tabs_refreshing_at_once_stay_logged_in_within_the_grace_window() {
    let app = spawn_app().await;
    let family = app.family().await;
    assert_eq!(
        app.refresh(&family.refresh_cookie).await.status(),
        StatusCode::OK
    );
    let late = app.refresh(&family.refresh_cookie).await;
    assert_eq!(late.status(), StatusCode::OK);
}

/// Refreshes sent at the very same moment (two tabs opening together, a page loading while
/// the last page's refresh is still being served): on PostgreSQL they read the unused
/// token together and only one can mark it used. The others fall under the grace rule too,
/// instead of a 401 that clears the browser's cookie and signs the family out.
#[tokio::test]
async fn refreshes_at_the_same_instant_all_stay_logged_in() {
    let app = spawn_app().await;
    let family = app.family().await;
    let answers =
        futures_util::future::join_all((0..8).map(|_| app.refresh(&family.refresh_cookie))).await;
    let statuses: Vec<_> = answers.iter().map(|r| r.status()).collect();
    assert!(
        statuses.iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn logout_ends_the_session_and_clears_the_browser() {
    let app = spawn_app().await;
    let family = app.family().await;
    let response = app
        .client
        .post(app.url("/api/auth/logout"))
        .bearer_auth(&family.access_token)
        .header(
            "cookie",
            format!("__Host-pf_refresh={}", family.refresh_cookie),
        )
        .json(&json!({}))
        .send()
        .await
        .expect("logout");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    // Cache and storage go; of the cookies, the refresh cookie is expired by name and the
    // known-device cookie (no personal data) stays, for A-09.
    assert_eq!(
        response.headers()["clear-site-data"],
        "\"cache\", \"storage\""
    );
    let expired: Vec<&str> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert!(
        expired
            .iter()
            .any(|c| c.starts_with("__Host-pf_refresh=;") && c.contains("Max-Age=0")),
        "{expired:?}"
    );
    assert_eq!(
        app.get_auth("/api/me", &family.access_token).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.refresh(&family.refresh_cookie).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn repeated_failures_lock_the_account_from_that_address_even_for_the_right_password() {
    let policy = LoginPolicy {
        lock_base: Duration::from_secs(1),
        lock_max: Duration::from_secs(2),
        ..LoginPolicy::default()
    };
    let app = spawn_app_with(|_| {}, policy).await;
    let (username, email) = app.activated_account().await;
    let generic = shape(app.login(&username, "mauvais mot de passe 1").await).await;
    // The email, in another case, counts against the same account.
    for attempt in 0..4 {
        let login = if attempt % 2 == 0 {
            email.to_uppercase()
        } else {
            username.clone()
        };
        app.login(&login, "mauvais mot de passe").await;
    }
    let hashes_before = app.state.hasher.hashes_computed();
    let locked = shape(app.login(&username, PASSWORD).await).await;
    assert_eq!(locked, generic, "a locked account answers like any failure");
    assert_eq!(
        app.state.hasher.hashes_computed(),
        hashes_before,
        "throttled attempts cost no hash"
    );

    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        app.login(&username, PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_attacker_cannot_lock_the_real_user_out_from_another_address() {
    let app = spawn_app_with(
        |s| s.trusted_proxies = vec![[127, 0, 0, 1].into()],
        LoginPolicy::default(),
    )
    .await;
    let (username, _) = app.activated_account().await;
    let login_from = |ip: &'static str, password: &'static str| {
        app.client
            .post(app.url("/api/auth/login"))
            .header("x-forwarded-for", ip)
            .json(&json!({"login": username, "password": password}))
            .send()
    };
    for _ in 0..10 {
        login_from("203.0.113.66", "mauvais mot de passe")
            .await
            .expect("attempt");
    }
    assert_eq!(
        login_from("203.0.113.66", PASSWORD)
            .await
            .expect("attempt")
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        login_from("198.51.100.7", PASSWORD)
            .await
            .expect("attempt")
            .status(),
        StatusCode::OK
    );
}

/// The known-device cookie a login set.
fn device_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("__Host-pf_device="))
        .and_then(|v| v.split(';').next())
        .expect("device cookie")
        .to_string()
}

/// A login attempt from `ip` (the app trusts 127.0.0.1 as a proxy), with a cookie header.
async fn login_from(
    app: &TestApp,
    ip: &str,
    login: &str,
    password: &str,
    cookie: Option<&str>,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url("/api/auth/login"))
        .header("x-forwarded-for", ip)
        .json(&json!({"login": login, "password": password}));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.expect("attempt")
}

/// Twenty addresses, six wrong passwords each: past the account's ceiling for unknown
/// clients (100 attempts an hour).
async fn hammer_from_twenty_addresses(app: &TestApp, login: &str) {
    for i in 0..20 {
        for _ in 0..6 {
            login_from(
                app,
                &format!("203.0.113.{i}"),
                login,
                "mauvais mot de passe",
                None,
            )
            .await;
        }
    }
}

async fn behind_a_proxy() -> TestApp {
    spawn_app_with(
        |s| s.trusted_proxies = vec![[127, 0, 0, 1].into()],
        LoginPolicy::default(),
    )
    .await
}

/// twenty addresses hammering an account exhaust its ceiling for unknown clients,
/// but the family logs in from the browser it used before — even from a new address —
/// and that browser's cookie identifies no one.
#[tokio::test]
async fn strangers_hammering_an_account_do_not_lock_the_family_out_of_its_known_device() {
    let app = behind_a_proxy().await;
    let (username, _) = app.activated_account().await;
    let first = login_from(&app, "198.51.100.10", &username, PASSWORD, None).await;
    assert_eq!(first.status(), StatusCode::OK);
    let device = device_cookie(&first);
    assert!(!device.contains(&username), "{device}");

    hammer_from_twenty_addresses(&app, &username).await;
    assert_eq!(
        login_from(&app, "192.0.2.50", &username, PASSWORD, None)
            .await
            .status(),
        StatusCode::UNAUTHORIZED,
        "an unknown browser waits out the ceiling (100 attempts an hour)"
    );
    assert_eq!(
        login_from(&app, "192.0.2.51", &username, PASSWORD, Some(&device))
            .await
            .status(),
        StatusCode::OK,
        "the family's browser is let in"
    );
    // A forged or foreign cookie is no pass.
    let forged = format!("{device}x");
    assert_eq!(
        login_from(&app, "192.0.2.52", &username, PASSWORD, Some(&forged))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

/// one account failing sixty times from an address (a town hall's public computer,
/// a mobile carrier's shared address) does not stop another account logging in from it.
#[tokio::test]
async fn sixty_failures_on_one_account_do_not_lock_its_neighbours_behind_the_same_address() {
    let app = behind_a_proxy().await;
    let (victim, _) = app.activated_account().await;
    let (neighbour, _) = app.activated_account().await;
    for _ in 0..60 {
        login_from(&app, "192.0.2.200", &victim, "mauvais mot de passe", None).await;
    }
    assert_eq!(
        login_from(&app, "192.0.2.200", &neighbour, PASSWORD, None)
            .await
            .status(),
        StatusCode::OK
    );
}

/// a password reset — proof that the owner reads the address — lifts every lock.
#[tokio::test]
async fn a_password_reset_unlocks_the_account() {
    let app = behind_a_proxy().await;
    let (username, email) = app.activated_account().await;
    hammer_from_twenty_addresses(&app, &username).await;
    app.post_json("/api/password-resets", &json!({"email": email}))
        .await;
    let token = crate::helpers::mail::wait_for_mail(&email, "Réinitialisation")
        .await
        .token("/reinitialiser-mot-de-passe");
    let reset = app
        .post_json(
            "/api/password-resets/confirm",
            &json!({"token": token, "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(reset.status(), StatusCode::OK);
    assert_eq!(
        login_from(&app, "198.51.100.99", &username, NEW_PASSWORD, None)
            .await
            .status(),
        StatusCode::OK
    );
}

const NEW_PASSWORD: &str = "un tout nouveau mot de passe pour la famille";

#[tokio::test]
async fn a_client_cannot_choose_its_own_address_without_a_trusted_proxy() {
    let app = spawn_app().await;
    let (username, _) = app.activated_account().await;
    for i in 0..5 {
        app.client
            .post(app.url("/api/auth/login"))
            .header("x-forwarded-for", format!("203.0.113.{i}"))
            .json(&json!({"login": username, "password": "mauvais mot de passe"}))
            .send()
            .await
            .expect("attempt");
    }
    let response = app
        .client
        .post(app.url("/api/auth/login"))
        .header("x-forwarded-for", "198.51.100.1")
        .json(&json!({"login": username, "password": PASSWORD}))
        .send()
        .await
        .expect("attempt");
    assert_eq!(
        response.status(),
        StatusCode::UNAUTHORIZED,
        "X-Forwarded-For from a client is ignored"
    );
}

#[tokio::test]
async fn an_older_hash_is_upgraded_at_the_next_login() {
    use argon2::password_hash::PasswordHasher;
    let app = spawn_app().await;
    let (username, _) = app.activated_account().await;
    let weak = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(8192, 1, 1, None).expect("params"),
    )
    .hash_password(PASSWORD.as_bytes())
    .expect("hash")
    .to_string();
    let mut conn = app.db.connect();
    diesel::update(accounts::table.filter(accounts::username_normalized.eq(&username)))
        .set(accounts::password_hash.eq(&weak))
        .execute(&mut conn)
        .expect("downgrade");
    assert_eq!(
        app.login(&username, PASSWORD).await.status(),
        StatusCode::OK
    );
    let stored: Option<String> = accounts::table
        .filter(accounts::username_normalized.eq(&username))
        .select(accounts::password_hash)
        .first(&mut conn)
        .expect("row");
    assert!(
        stored
            .expect("hash")
            .starts_with("$argon2id$v=19$m=19456,t=2,p=1$")
    );
}

#[tokio::test]
async fn family_routes_wait_for_the_current_terms_to_be_accepted() {
    let app = spawn_app().await;
    let (username, _) = app.activated_account().await;
    let login: Value = app
        .login(&username, PASSWORD)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(login["terms_accepted"], false);
    let token = login["access_token"].as_str().expect("token");

    let gated = app.get_auth("/api/me/connections", token).await;
    assert_eq!(gated.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        gated.json::<Value>().await.expect("json")["code"],
        "terms_not_accepted"
    );
    assert_eq!(
        app.get_auth("/api/me", token).await.status(),
        StatusCode::OK
    );

    let terms: Value = app
        .client
        .get(app.url("/api/terms"))
        .send()
        .await
        .expect("terms")
        .json()
        .await
        .expect("json");
    assert_eq!(
        app.post_json_auth(
            "/api/me/terms",
            token,
            &json!({"version": terms["version"]})
        )
        .await
        .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get_auth("/api/me/connections", token).await.status(),
        StatusCode::OK
    );

    // A new version asks again.
    let mut conn = app.db.connect();
    api::db::models::cgu::publish(&mut conn, "Nouvelles conditions", api::db::now())
        .expect("publish");
    assert_eq!(
        app.get_auth("/api/me/connections", token).await.status(),
        StatusCode::FORBIDDEN
    );
    let stale = app
        .post_json_auth(
            "/api/me/terms",
            token,
            &json!({"version": terms["version"]}),
        )
        .await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn cross_site_writes_and_non_json_refreshes_are_refused() {
    let app = spawn_app().await;
    let family = app.family().await;
    let evil = app
        .client
        .post(app.url("/api/auth/refresh"))
        .header("origin", "https://evil.example")
        .header(
            "cookie",
            format!("__Host-pf_refresh={}", family.refresh_cookie),
        )
        .json(&json!({}))
        .send()
        .await
        .expect("request");
    assert_eq!(evil.status(), StatusCode::FORBIDDEN);
    let plain = app
        .client
        .post(app.url("/api/auth/refresh"))
        .header(
            "cookie",
            format!("__Host-pf_refresh={}", family.refresh_cookie),
        )
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .expect("request");
    assert_eq!(plain.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let same_origin = app
        .client
        .post(app.url("/api/auth/refresh"))
        .header("origin", app.address.clone())
        .header(
            "cookie",
            format!("__Host-pf_refresh={}", family.refresh_cookie),
        )
        .json(&json!({}))
        .send()
        .await
        .expect("request");
    assert_eq!(same_origin.status(), StatusCode::OK);
}

#[tokio::test]
async fn forged_access_tokens_are_refused() {
    let app = spawn_app().await;
    let family = app.family().await;
    let mut parts: Vec<&str> = family.access_token.split('.').collect();
    let none_header = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0";
    parts[0] = none_header;
    let alg_none = format!("{}.{}.", parts[0], parts[1]);
    assert_eq!(
        app.get_auth("/api/me", &alg_none).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get_auth("/api/me", "garbage").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.client
            .get(app.url("/api/me"))
            .send()
            .await
            .expect("request")
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn an_idle_session_ends_and_cannot_be_refreshed() {
    let app = spawn_app_with(
        |s| s.session_idle_timeout = Duration::from_secs(1),
        LoginPolicy::default(),
    )
    .await;
    let family = app.family().await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        app.refresh(&family.refresh_cookie).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_session_ends_at_its_absolute_timeout_even_when_active() {
    let app = spawn_app_with(
        |s| s.session_absolute_timeout = Duration::from_secs(2),
        LoginPolicy::default(),
    )
    .await;
    let family = app.family().await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let refreshed = app.refresh(&family.refresh_cookie).await;
    assert_eq!(
        refreshed.status(),
        StatusCode::OK,
        "still within the absolute timeout"
    );
    let cookie = refresh_cookie(&refreshed).expect("cookie");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        app.refresh(&cookie).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get_auth("/api/me", &family.access_token).await.status(),
        StatusCode::UNAUTHORIZED
    );
}
