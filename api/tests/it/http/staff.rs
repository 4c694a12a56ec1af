//! Staff accounts: created from the command line, a TOTP second factor enrolled at first
//! login (SECURITY.md A-13), codes never accepted twice, wrong codes throttled like wrong
//! passwords, and each role kept off the other's routes (C-03). The agents' queue.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::spawn::TestApp;
use crate::helpers::{PASSWORD, spawn_app, unique};
use crate::http::dossiers::seed_household;
use crate::http::pieces::provide_required_pieces;

/// An administrator created as the command line does; answers (username, email).
pub(crate) fn administrator(app: &TestApp) -> (String, String) {
    let username = unique("admin");
    let email = format!("{username}@mairie.test");
    let mut conn = app.state.pool.get().expect("conn");
    api::staff::create_administrator(&mut conn, "Ville de Chartres", &username, &email, PASSWORD)
        .expect("create the administrator");
    (username, email)
}

fn now() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).expect("time")
}

async fn login(app: &TestApp, username: &str, code: Option<&str>) -> reqwest::Response {
    let mut body = json!({"login": username, "password": PASSWORD});
    if let Some(code) = code {
        body["totp_code"] = json!(code);
    }
    app.post_json("/api/auth/login", &body).await
}

async fn code_of(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    (
        status,
        body["code"].as_str().unwrap_or_default().to_string(),
    )
}

/// Enrols and logs in; answers the secret and the access token.
pub(crate) async fn staff_session(app: &TestApp, username: &str) -> (String, String) {
    let enrolment: Value = app
        .post_json(
            "/api/auth/totp-enrolment",
            &json!({"login": username, "password": PASSWORD}),
        )
        .await
        .json()
        .await
        .expect("json");
    let secret = enrolment["secret"].as_str().expect("secret").to_string();
    let code = api::auth::totp::code_at(&secret, now()).expect("code");
    let response = login(app, username, Some(&code)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["role"], "administrateur");
    (
        secret,
        body["access_token"].as_str().expect("token").to_string(),
    )
}

#[tokio::test]
async fn an_administrator_enrols_a_second_factor_and_needs_it_at_every_login() {
    let app = spawn_app().await;
    let (username, email) = administrator(&app);

    // The password alone is not enough, and says what is missing only once it is right.
    assert_eq!(
        code_of(login(&app, &username, None).await).await,
        (StatusCode::FORBIDDEN, "totp_enrolment_required".into())
    );
    let wrong = app
        .post_json(
            "/api/auth/login",
            &json!({"login": username, "password": "pas le bon mot de passe"}),
        )
        .await;
    assert_eq!(
        code_of(wrong).await,
        (StatusCode::UNAUTHORIZED, "unauthorized".into())
    );
    let refused = app
        .post_json(
            "/api/auth/totp-enrolment",
            &json!({"login": username, "password": "pas le bon mot de passe"}),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);

    let enrolment: Value = app
        .post_json(
            "/api/auth/totp-enrolment",
            &json!({"login": email, "password": PASSWORD}),
        )
        .await
        .json()
        .await
        .expect("json");
    let secret = enrolment["secret"].as_str().expect("secret");
    {
        // Stored sealed: a copy of the database does not give the second factor away.
        use api::db::schema::accounts;
        use diesel::prelude::*;
        let stored: Option<String> = accounts::table
            .filter(accounts::username.eq(&username))
            .select(accounts::totp_secret)
            .first(&mut app.db.connect())
            .expect("account");
        let stored = stored.expect("a secret is stored");
        assert!(!stored.contains(secret) && stored.len() > secret.len());
        assert_eq!(app.state.secrets.open(&stored).expect("open"), secret);
    }
    assert!(
        enrolment["otpauth_url"]
            .as_str()
            .expect("url")
            .starts_with("otpauth://totp/Ville%20de%20Chartres:")
    );
    let code = api::auth::totp::code_at(secret, now()).expect("code");
    let response = login(&app, &username, Some(&code)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let token: Value = response.json().await.expect("json");
    assert_eq!(token["role"], "administrateur");

    // Enrolled: a new enrolment is refused; the same code cannot be replayed; a code is needed.
    let again = app
        .post_json(
            "/api/auth/totp-enrolment",
            &json!({"login": username, "password": PASSWORD}),
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(
        code_of(login(&app, &username, Some(&code)).await).await,
        (StatusCode::UNAUTHORIZED, "totp_invalid".into())
    );
    assert_eq!(
        code_of(login(&app, &username, None).await).await,
        (StatusCode::UNAUTHORIZED, "totp_required".into())
    );

    let profile: Value = app
        .get_auth(
            "/api/backoffice/me",
            token["access_token"].as_str().expect("token"),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(profile["username"], username.as_str());
    assert_eq!(profile["role"], "administrateur");
}

#[tokio::test]
async fn wrong_codes_are_throttled_like_wrong_passwords() {
    let app = spawn_app().await;
    let (username, _) = administrator(&app);
    let (secret, _) = staff_session(&app, &username).await;
    for _ in 0..5 {
        assert_eq!(
            code_of(login(&app, &username, Some("000000")).await)
                .await
                .1,
            "totp_invalid"
        );
    }
    // Locked now: even the right password and a fresh right code get the generic answer.
    let code = api::auth::totp::code_at(&secret, now() + 30).expect("code");
    assert_eq!(
        code_of(login(&app, &username, Some(&code)).await).await,
        (StatusCode::UNAUTHORIZED, "unauthorized".into())
    );
}

#[tokio::test]
async fn families_and_staff_stay_on_their_own_routes() {
    let app = spawn_app().await;
    let family = app.family().await;
    let (username, _) = administrator(&app);
    let (_, staff_token) = staff_session(&app, &username).await;

    for path in ["/api/backoffice/me", "/api/backoffice/demandes"] {
        let anonymous = app.client.get(app.url(path)).send().await.expect("get");
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED, "{path}");
        let as_family = app.get_auth(path, &family.access_token).await;
        assert_eq!(as_family.status(), StatusCode::FORBIDDEN, "{path}");
        assert_eq!(
            app.get_auth(path, &staff_token).await.status(),
            StatusCode::OK,
            "{path}"
        );
    }
    // Staff do not use the family routes.
    let as_staff = app
        .post_json_auth("/api/dossiers", &staff_token, &json!({}))
        .await;
    assert_eq!(as_staff.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.get_auth("/api/demandes", &staff_token).await.status(),
        StatusCode::FORBIDDEN
    );
    // A family cannot get a second factor (it would not reveal anything either).
    let enrol = app
        .post_json(
            "/api/auth/totp-enrolment",
            &json!({"login": family.username, "password": PASSWORD}),
        )
        .await;
    assert_eq!(enrol.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_queue_lists_waiting_requests_oldest_first_with_the_median_wait() {
    let app = spawn_app().await;
    let (username, _) = administrator(&app);
    let (_, staff_token) = staff_session(&app, &username).await;
    let mut submitted = Vec::new();
    for _ in 0..2 {
        let family = app.family().await;
        let dossier = seed_household(&app, &family).await;
        let id = dossier["id"].as_str().expect("id");
        provide_required_pieces(&app, &family, id).await;
        let demande = dossier["demande"]["id"]
            .as_str()
            .expect("demande")
            .to_string();
        let response = app
            .client
            .post(app.url(&format!("/api/demandes/{demande}/submit")))
            .bearer_auth(&family.access_token)
            .header("if-match", format!("\"{}\"", dossier["version"]))
            .json(&json!({}))
            .send()
            .await
            .expect("submit");
        assert_eq!(response.status(), StatusCode::OK);
        submitted.push(demande);
    }
    let queue: Value = app
        .get_auth("/api/backoffice/demandes", &staff_token)
        .await
        .json()
        .await
        .expect("json");
    let listed: Vec<&str> = queue["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["demande_id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        listed,
        submitted.iter().map(String::as_str).collect::<Vec<_>>(),
        "oldest first"
    );
    assert_eq!(queue["en_attente"], 2);
    assert_eq!(queue["items"][0]["famille"], "Mère DEMONSTRATION");
    assert!(queue["attente_mediane_heures"].as_f64().expect("median") < 1.0);
    // Families see the same figures as « délai de traitement ».
    let delay: Value = app
        .client
        .get(app.url("/api/delai-traitement"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(delay["en_attente"], 2);
    let (seen, queued) = (
        delay["attente_mediane_heures"].as_f64().expect("median"),
        queue["attente_mediane_heures"].as_f64().expect("median"),
    );
    assert!((seen - queued).abs() < 0.1, "{seen} vs {queued}");

    let found: Value = app
        .get_auth(
            "/api/backoffice/demandes?q=demonstration&per_page=1&page=2",
            &staff_token,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        (
            found["total"].as_u64(),
            found["items"].as_array().map(Vec::len)
        ),
        (Some(2), Some(1))
    );
    let none: Value = app
        .get_auth(
            "/api/backoffice/demandes?q=%27%20OR%201%3D1--",
            &staff_token,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(none["total"], 0);
    // Accents and case do not matter; a contact's name (« Mamie ») finds nothing.
    for (q, expected) in [("L%C3%89A", 2), ("mamie", 0)] {
        let found: Value = app
            .get_auth(&format!("/api/backoffice/demandes?q={q}"), &staff_token)
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(found["total"], expected, "q={q}");
    }
    let drafts: Value = app
        .get_auth("/api/backoffice/demandes?status=brouillon", &staff_token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(drafts["total"], 0);
    // By kind: the only kind so far lists them all; an unknown kind is a clear 400/422.
    let by_kind: Value = app
        .get_auth(
            "/api/backoffice/demandes?kind=creation_dossier",
            &staff_token,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(by_kind["total"], 2, "both waiting requests");
    let unknown = app
        .get_auth(
            "/api/backoffice/demandes?kind=inscription_cantine",
            &staff_token,
        )
        .await;
    assert!(unknown.status().is_client_error());
}

/// Every back-office route of the OpenAPI document, with its path parameters filled in.
async fn back_office_routes(app: &TestApp) -> Vec<(reqwest::Method, String)> {
    let doc: Value = app
        .client
        .get(app.url("/api-docs/openapi.json"))
        .send()
        .await
        .expect("openapi")
        .json()
        .await
        .expect("json");
    let mut routes = Vec::new();
    for (path, operations) in doc["paths"].as_object().expect("paths") {
        if !path.starts_with("/api/backoffice/") {
            continue;
        }
        let concrete = path
            .split('/')
            .map(|part| match part.starts_with('{') {
                true => "00000000-0000-4000-8000-000000000000",
                false => part,
            })
            .collect::<Vec<_>>()
            .join("/");
        for method in operations.as_object().expect("operations").keys() {
            let method = method.to_uppercase().parse().expect("method");
            routes.push((method, concrete.clone()));
        }
    }
    routes
}

/// C-03 over every staff route, read from the OpenAPI document so that a new route is
/// covered the day it is added: anonymous callers get 401 and families 403, before any
/// body is read (the bodies sent here would not even be valid).
#[tokio::test]
async fn every_back_office_route_refuses_anonymous_callers_and_families() {
    let app = spawn_app().await;
    let family = app.family().await;
    let routes = back_office_routes(&app).await;
    assert!(routes.len() >= 20, "the back office's routes: {routes:?}");
    for (method, path) in routes {
        let anonymous = app
            .client
            .request(method.clone(), app.url(&path))
            .json(&json!({}))
            .send()
            .await
            .expect("request");
        assert_eq!(
            anonymous.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {path}"
        );
        let as_family = app
            .client
            .request(method.clone(), app.url(&path))
            .bearer_auth(&family.access_token)
            .json(&json!({}))
            .send()
            .await
            .expect("request");
        assert_eq!(as_family.status(), StatusCode::FORBIDDEN, "{method} {path}");
    }
}

#[tokio::test]
async fn an_administrator_adds_an_agent_who_chooses_a_password_and_has_agent_rights_only() {
    let app = spawn_app().await;
    let (admin, _) = administrator(&app);
    let (_, admin_token) = staff_session(&app, &admin).await;
    let username = unique("agent");
    let email = format!("{username}@mairie.test");
    let new = json!({"username": username, "email": email, "role": "agent"});
    let created = app
        .post_json_auth("/api/backoffice/staff", &admin_token, &new)
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let again = app
        .post_json_auth("/api/backoffice/staff", &admin_token, &new)
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);

    // No password until the agent chooses one from the email.
    assert_eq!(
        login(&app, &username, None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let token = crate::helpers::mail::wait_for_mail(&email, "Votre compte agent")
        .await
        .token("/reinitialiser-mot-de-passe");
    let chosen = app
        .post_json(
            "/api/password-resets/confirm",
            &json!({"token": token, "password": PASSWORD}),
        )
        .await;
    assert_eq!(chosen.status(), StatusCode::OK);
    let enrolment: Value = app
        .post_json(
            "/api/auth/totp-enrolment",
            &json!({"login": username, "password": PASSWORD}),
        )
        .await
        .json()
        .await
        .expect("json");
    let code = api::auth::totp::code_at(enrolment["secret"].as_str().expect("secret"), now())
        .expect("code");
    let response = login(&app, &username, Some(&code)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["role"], "agent");
    let agent = body["access_token"].as_str().expect("token");

    // Agents review; administration is for administrators.
    assert_eq!(
        app.get_auth("/api/backoffice/demandes", agent)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get_auth("/api/backoffice/staff", agent).await.status(),
        StatusCode::FORBIDDEN
    );
    let cgu = app
        .post_json_auth(
            "/api/backoffice/cgu",
            agent,
            &json!({"text": "Nouvelle version"}),
        )
        .await;
    assert_eq!(cgu.status(), StatusCode::FORBIDDEN);
    let town = json!({"name": "Ville de Dreux", "tagline": "x", "contact": "x", "welcome_text": "", "codes_postaux": "28100"});
    assert_eq!(
        app.put_json_auth("/api/backoffice/town", agent, &town)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let staff: Value = app
        .get_auth("/api/backoffice/staff", &admin_token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(staff["items"].as_array().expect("items").len(), 2);

    // Promoted, the agent administers; an administrator cannot demote themselves.
    let put = |username: &str, body: Value| {
        let request = app
            .client
            .put(app.url(&format!("/api/backoffice/staff/{username}")))
            .bearer_auth(&admin_token)
            .json(&body);
        async move { request.send().await.expect("put") }
    };
    let promoted = put(&username, json!({"role": "administrateur", "actif": true})).await;
    assert_eq!(promoted.status(), StatusCode::OK);
    assert_eq!(
        app.get_auth("/api/backoffice/staff", agent).await.status(),
        StatusCode::OK
    );
    let own = put(&admin, json!({"role": "agent", "actif": true})).await;
    assert_eq!(own.status(), StatusCode::CONFLICT);
    assert_eq!(
        put("personne", json!({"role": "agent", "actif": false}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // Deactivated: the sessions end at once and the password no longer opens anything.
    let deactivated = put(&username, json!({"role": "agent", "actif": false})).await;
    assert_eq!(deactivated.status(), StatusCode::OK);
    let profile: Value = deactivated.json().await.expect("json");
    assert_eq!(
        (profile["role"].as_str(), profile["actif"].as_bool()),
        (Some("agent"), Some(false))
    );
    assert_eq!(
        app.get_auth("/api/backoffice/me", agent).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        code_of(login(&app, &username, None).await).await,
        (StatusCode::UNAUTHORIZED, "unauthorized".into()),
        "the right password of a deactivated account is not even asked for its code"
    );
    let listed: Value = app
        .get_auth("/api/backoffice/staff", &admin_token)
        .await
        .json()
        .await
        .expect("json");
    let row = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|s| s["username"] == username.as_str())
        .expect("still listed");
    assert_eq!(row["actif"], false);
}

#[tokio::test]
async fn an_administrator_resets_a_lost_authenticator() {
    let app = spawn_app().await;
    let (admin, _) = administrator(&app);
    let (_, admin_token) = staff_session(&app, &admin).await;
    let (other, _) = administrator(&app);
    let (_, other_token) = staff_session(&app, &other).await;

    let reset = app
        .post_json_auth(
            &format!("/api/backoffice/staff/{other}/totp-reset"),
            &admin_token,
            &json!({}),
        )
        .await;
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    // Their sessions end, and their next login enrols a new authenticator.
    assert_eq!(
        app.get_auth("/api/backoffice/me", &other_token)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        code_of(login(&app, &other, None).await).await,
        (StatusCode::FORBIDDEN, "totp_enrolment_required".into())
    );
    staff_session(&app, &other).await;

    // Families are not staff: nothing to reset.
    let family = app.family().await;
    let missing = app
        .post_json_auth(
            &format!("/api/backoffice/staff/{}/totp-reset", family.username),
            &admin_token,
            &json!({}),
        )
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
