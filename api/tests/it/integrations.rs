//! Connected applications (issue 14): an administrator connects one with its scopes; it
//! gets short-lived tokens with OAuth 2.0 client credentials; tokens of each kind stay on
//! their own routes (SECURITY.md C-02, C-03); secrets rotate with an overlap; a revoked
//! application is refused at its next request; an incremental sync reads every validated
//! dossier, then only what changed, with tombstones, and misses nothing committed while it
//! pages; each read is in « Consultations de mon dossier » under the application's name.

use std::collections::{HashMap, HashSet};

use diesel::connection::SimpleConnection;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::activities::families;
use crate::helpers::spawn::TestApp;
use crate::helpers::test_db::backend;
use crate::helpers::{spawn_app, unique};
use crate::inscriptions::{agent, family_of};

/// An application connected by an administrator: (client_id, client_secret, admin token).
pub(crate) async fn connect(app: &TestApp, scopes: &[&str]) -> (String, String, String) {
    let admin = agent(app).await;
    let response = app
        .post_json_auth(
            "/api/backoffice/applications",
            &admin,
            &json!({
                "name": unique("Logiciel enfance "),
                "contact_email": "dsi@mairie.test",
                "scopes": scopes,
            }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let issued: Value = response.json().await.expect("json");
    (
        issued["client_id"].as_str().expect("id").to_string(),
        issued["client_secret"]
            .as_str()
            .expect("secret")
            .to_string(),
        admin,
    )
}

/// `POST /api/oauth/token` with HTTP Basic and `form`.
async fn token_request(app: &TestApp, id: &str, secret: &str, form: &str) -> (StatusCode, Value) {
    let response = app
        .client
        .post(app.url("/api/oauth/token"))
        .basic_auth(id, Some(secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.to_string())
        .send()
        .await
        .expect("token request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub(crate) async fn token(app: &TestApp, id: &str, secret: &str) -> String {
    let (status, body) = token_request(app, id, secret, "grant_type=client_credentials").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["access_token"].as_str().expect("token").to_string()
}

pub(crate) async fn get(app: &TestApp, path: &str, token: &str) -> (StatusCode, Value) {
    let response = app.get_auth(path, token).await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_administrator_connects_an_application_that_gets_a_token_for_its_scopes_only() {
    let app = spawn_app().await;
    let (id, secret, admin) = connect(&app, &["dossiers:read", "demandes:read"]).await;

    // A family may not connect one.
    let family = app.family().await;
    let refused = app
        .post_json_auth(
            "/api/backoffice/applications",
            &family.access_token,
            &json!({"name": "X", "contact_email": "x@x.fr", "scopes": ["dossiers:read"]}),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    // Bad input is refused field by field, and changes nothing.
    let invalid = app
        .post_json_auth(
            "/api/backoffice/applications",
            &admin,
            &json!({"name": " ", "contact_email": "pas une adresse", "scopes": []}),
        )
        .await;
    assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = invalid.json().await.expect("json");
    for field in ["name", "contact_email", "scopes"] {
        assert!(problem["fields"][field].is_array(), "{field}: {problem}");
    }

    // The token: a Bearer for 5 minutes at most, with every scope granted by default.
    let (status, body) = token_request(&app, &id, &secret, "grant_type=client_credentials").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert!(
        body["expires_in"]
            .as_u64()
            .is_some_and(|s| s > 0 && s <= 300)
    );
    assert_eq!(body["scope"], "demandes:read dossiers:read");
    // An empty scope asks for nothing in particular (Swagger UI sends one).
    let (status, body) =
        token_request(&app, &id, &secret, "grant_type=client_credentials&scope=").await;
    assert_eq!(
        (status, body["scope"].as_str()),
        (StatusCode::OK, Some("demandes:read dossiers:read"))
    );
    // Fewer scopes on request; never one not granted.
    let (status, body) = token_request(
        &app,
        &id,
        &secret,
        "grant_type=client_credentials&scope=dossiers%3Aread",
    )
    .await;
    assert_eq!(
        (status, body["scope"].as_str()),
        (StatusCode::OK, Some("dossiers:read"))
    );
    let (status, body) = token_request(
        &app,
        &id,
        &secret,
        "grant_type=client_credentials&scope=dossiers%3Aread+inscriptions%3Awrite",
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_scope"))
    );

    // OAuth's errors, as OAuth clients read them.
    let (status, body) =
        token_request(&app, &id, "pas-le-secret", "grant_type=client_credentials").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
    let (status, body) =
        token_request(&app, "inconnu", &secret, "grant_type=client_credentials").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
    let (status, body) = token_request(&app, &id, &secret, "grant_type=password").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unsupported_grant_type"))
    );
    let (status, body) = token_request(
        &app,
        &id,
        &secret,
        "grant_type=client_credentials&grant_type=x",
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
    let json_body = app
        .client
        .post(app.url("/api/oauth/token"))
        .basic_auth(&id, Some(&secret))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .expect("request");
    assert_eq!(json_body.status(), StatusCode::BAD_REQUEST);
    // The credentials in the form work too (client_secret_post), but not both ways at once.
    let in_form = app
        .client
        .post(app.url("/api/oauth/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=client_credentials&client_id={id}&client_secret={secret}"
        ))
        .send()
        .await
        .expect("request");
    assert_eq!(in_form.status(), StatusCode::OK);
    let (status, _) = token_request(
        &app,
        &id,
        &secret,
        &format!("grant_type=client_credentials&client_id={id}&client_secret={secret}"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let no_credentials = app
        .client
        .post(app.url("/api/oauth/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .expect("request");
    assert_eq!(no_credentials.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        no_credentials.headers()["www-authenticate"],
        "Basic realm=\"portail-famille\""
    );

    // The back office shows its use.
    let access = token(&app, &id, &secret).await;
    for _ in 0..3 {
        let (status, _) = get(&app, "/api/integration/v1/dossiers?limit=1", &access).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, list) = get(&app, "/api/backoffice/applications", &admin).await;
    assert_eq!(status, StatusCode::OK);
    let shown = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|a| a["id"] == id.as_str())
        .expect("listed");
    assert_eq!(shown["request_count"], 3);
    assert!(shown["last_used_at"].is_string());
    assert_eq!(shown["scopes"], json!(["dossiers:read", "demandes:read"]));
    assert!(shown.get("client_secret").is_none(), "never shown again");
}

#[tokio::test]
async fn tokens_of_each_kind_are_refused_on_the_others_routes() {
    let app = spawn_app().await;
    let (id, secret, admin) = connect(&app, &["dossiers:read"]).await;
    let application = token(&app, &id, &secret).await;
    let family = app.family().await;

    // An application's token is no family's or agent's.
    for path in [
        "/api/me",
        "/api/backoffice/queue",
        "/api/backoffice/applications",
    ] {
        let (status, body) = get(&app, path, &application).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}: {body}");
    }
    // A family's or an agent's token is no application's.
    for token in [&family.access_token, &admin] {
        let response = app.get_auth("/api/integration/v1/dossiers", token).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            response.headers()["www-authenticate"],
            "Bearer error=\"invalid_token\""
        );
    }
    let anonymous = app
        .client
        .get(app.url("/api/integration/v1/dossiers"))
        .send()
        .await
        .expect("request");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    // A scope not granted: 403, naming it.
    let (narrow_id, narrow_secret, _) = connect(&app, &["pieces:read"]).await;
    let narrow = token(&app, &narrow_id, &narrow_secret).await;
    let response = app.get_auth("/api/integration/v1/dossiers", &narrow).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        response.headers()["www-authenticate"],
        "Bearer error=\"insufficient_scope\", scope=\"dossiers:read\""
    );
    let problem: Value = response.json().await.expect("json");
    assert_eq!(problem["code"], "insufficient_scope");
}

#[tokio::test]
async fn secrets_rotate_with_an_overlap_and_a_revoked_application_is_refused_at_once() {
    let app = spawn_app().await;
    let (id, first, admin) = connect(&app, &["dossiers:read"]).await;
    let access = token(&app, &id, &first).await;

    // Rotation: both secrets work during the overlap.
    let rotate = |overlap: u32, valid: usize| {
        let (app, admin, id) = (&app, admin.clone(), id.clone());
        async move {
            let response = app
                .post_json_auth(
                    &format!("/api/backoffice/applications/{id}/secret"),
                    &admin,
                    &json!({"overlap_hours": overlap}),
                )
                .await;
            assert_eq!(response.status(), StatusCode::CREATED);
            let issued: Value = response.json().await.expect("json");
            assert_eq!(
                issued["application"]["secrets"].as_array().map(Vec::len),
                Some(valid),
                "{issued}"
            );
            issued["client_secret"]
                .as_str()
                .expect("secret")
                .to_string()
        }
    };
    let second = rotate(1, 2).await;
    token(&app, &id, &first).await;
    token(&app, &id, &second).await;
    // An overlap of zero ends the previous secrets at once.
    let third = rotate(0, 1).await;
    let (status, _) = token_request(&app, &id, &first, "grant_type=client_credentials").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the first secret is gone");
    let (status, _) = token_request(&app, &id, &second, "grant_type=client_credentials").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "ended by the second rotation"
    );
    token(&app, &id, &third).await;

    // Revocation: the token still unexpired is refused at its next request.
    let (status, _) = get(&app, "/api/integration/v1/dossiers", &access).await;
    assert_eq!(status, StatusCode::OK);
    let revoked = app
        .post_json_auth(
            &format!("/api/backoffice/applications/{id}/revocation"),
            &admin,
            &json!({}),
        )
        .await;
    assert_eq!(revoked.status(), StatusCode::OK);
    let (status, _) = get(&app, "/api/integration/v1/dossiers", &access).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = token_request(&app, &id, &third, "grant_type=client_credentials").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
    let again = app
        .post_json_auth(
            &format!("/api/backoffice/applications/{id}/secret"),
            &admin,
            &json!({}),
        )
        .await;
    assert_eq!(
        again.status(),
        StatusCode::CONFLICT,
        "a revoked application stays revoked"
    );
}

/// Pages through the whole feed from `cursor`: every item, and where it ends.
async fn sync_all(app: &TestApp, token: &str, cursor: Option<&str>) -> (Vec<Value>, String) {
    let mut items = Vec::new();
    let mut cursor = cursor.map(str::to_string);
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/integration/v1/dossiers?limit=2&cursor={c}"),
            None => "/api/integration/v1/dossiers?limit=2".to_string(),
        };
        let (status, page) = get(app, &path, token).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        items.extend(page["items"].as_array().expect("items").iter().cloned());
        cursor = Some(page["next_cursor"].as_str().expect("cursor").to_string());
        if page["has_more"] != true {
            return (items, cursor.unwrap_or_default());
        }
    }
}

#[tokio::test]
async fn a_sync_reads_every_validated_dossier_then_only_what_changed_with_tombstones() {
    let app = spawn_app().await;
    let ours = families(&app, 3);
    let (id, secret, _) = connect(&app, &["dossiers:read"]).await;
    let access = token(&app, &id, &secret).await;

    // A first sync: every validated dossier, with its members, over several pages (read
    // until ours are final: see below on the horizon).
    let (mut items, mut cursor) = sync_all(&app, &access, None).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !ours
        .iter()
        .all(|(d, _)| items.iter().any(|i| i["id"] == d.as_str()))
    {
        assert!(
            std::time::Instant::now() < deadline,
            "dossiers missed: {items:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let (more, next) = sync_all(&app, &access, Some(&cursor)).await;
        items.extend(more);
        cursor = next;
    }
    let seen: HashSet<&str> = items.iter().filter_map(|i| i["id"].as_str()).collect();
    for (dossier, child) in &ours {
        assert!(seen.contains(dossier.as_str()), "{dossier} missing");
        let item = items
            .iter()
            .find(|i| i["id"] == dossier.as_str())
            .expect("item");
        assert_eq!(item["resource"], "dossier");
        assert_eq!(item["deleted"], false);
        let members = item["dossier"]["members"].as_array().expect("members");
        assert!(members.iter().any(|m| m["id"] == child.as_str()));
    }
    // Nothing changed: nothing new (what another test's transaction held back may come
    // now, but none of ours).
    let (again, _) = sync_all(&app, &access, Some(&cursor)).await;
    assert!(
        again
            .iter()
            .all(|c| ours.iter().all(|(d, _)| c["dossier_id"] != d.as_str())),
        "{again:?}"
    );

    // One dossier's child leaves, another's address changes.
    let (first, first_child) = &ours[0];
    let (second, _) = &ours[1];
    {
        let mut conn = app.state.pool.get().expect("conn");
        api::db::models::member::delete(&mut conn, first, first_child).expect("delete");
        conn.batch_execute(&format!(
            "UPDATE dossiers SET adresse = '2 rue du Bourg', version = version + 1 WHERE id = '{second}'"
        ))
        .expect("update");
    }
    // PostgreSQL's horizon is the whole cluster's: another test's open transaction may
    // hold these changes back a moment (they lag, they are never skipped).
    let mut changes = Vec::new();
    let mut from = cursor.clone();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while changes
        .iter()
        .filter(|c: &&Value| c["resource"] == "dossier")
        .count()
        < 2
        || !changes.iter().any(|c| c["resource"] == "membre")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "changes missed: {changes:?}"
        );
        let (items, next) = sync_all(&app, &access, Some(&from)).await;
        changes.extend(items);
        from = next;
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let tombstone = changes
        .iter()
        .find(|c| c["resource"] == "membre")
        .expect("the member's tombstone");
    assert_eq!(
        (
            tombstone["id"].as_str(),
            tombstone["dossier_id"].as_str(),
            &tombstone["deleted"]
        ),
        (
            Some(first_child.as_str()),
            Some(first.as_str()),
            &json!(true)
        )
    );
    let changed: HashMap<&str, &Value> = changes
        .iter()
        .filter(|c| c["resource"] == "dossier")
        .filter_map(|c| Some((c["id"].as_str()?, c)))
        .collect();
    assert_eq!(
        changed.len(),
        2,
        "only the two dossiers changed: {changes:?}"
    );
    assert_eq!(
        changed[second.as_str()]["dossier"]["adresse"],
        "2 rue du Bourg"
    );
    assert!(
        changed[first.as_str()]["dossier"]["members"]
            .as_array()
            .is_some_and(|m| m.iter().all(|m| m["id"] != first_child.as_str()))
    );

    // The family sees who read its dossier, by the application's name.
    let family = family_of(&app, second).await;
    let (status, consultations) = get(
        &app,
        &format!("/api/dossiers/{second}/consultations"),
        &family.access_token,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        consultations["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|c| c["service"]
                .as_str()
                .is_some_and(|s| s.starts_with("Application connectée « Logiciel enfance "))),
        "{consultations}"
    );

    // One dossier by id; a cursor we did not write is refused.
    let (status, one) = get(
        &app,
        &format!("/api/integration/v1/dossiers/{second}"),
        &access,
    )
    .await;
    assert_eq!(
        (status, one["adresse"].as_str()),
        (StatusCode::OK, Some("2 rue du Bourg"))
    );
    let (status, problem) = get(&app, "/api/integration/v1/dossiers?cursor=abc", &access).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["fields"]["cursor"], json!(["invalid_cursor"]));
}

/// On PostgreSQL, changes commit out of their order: a change written by a transaction
/// still open must not be skipped by a sync that read a later one (SQLite has one writer
/// at a time: the race cannot happen there).
#[tokio::test]
async fn a_sync_racing_with_writes_misses_nothing() {
    if backend() != "postgres" {
        return;
    }
    let app = spawn_app().await;
    let ours = families(&app, 2);
    let (id, secret, _) = connect(&app, &["dossiers:read"]).await;
    let access = token(&app, &id, &secret).await;
    let (_, cursor) = sync_all(&app, &access, None).await;
    let (slow, fast) = (&ours[0].0, &ours[1].0);

    // The slow transaction writes first and stays open; the fast one writes after it and
    // commits at once.
    let mut slow_conn = app.db.connect();
    slow_conn
        .batch_execute(&format!(
            "BEGIN; UPDATE dossiers SET commune = 'Lucé', version = version + 1 WHERE id = '{slow}'"
        ))
        .expect("slow write");
    let mut fast_conn = app.db.connect();
    fast_conn
        .batch_execute(&format!(
            "UPDATE dossiers SET commune = 'Mainvilliers', version = version + 1 WHERE id = '{fast}'"
        ))
        .expect("fast write");

    // A sync now sees the fast change at most; its cursor must not pass the slow one.
    let (early, cursor) = sync_all(&app, &access, Some(&cursor)).await;
    assert!(
        early.iter().all(|c| c["id"] != slow.as_str()),
        "uncommitted: {early:?}"
    );
    slow_conn.batch_execute("COMMIT").expect("commit");

    // From there, both are found (other tests' transactions may hold the horizon back a
    // moment: it lags, it never skips).
    let mut seen: HashSet<String> = early
        .iter()
        .filter_map(|c| c["id"].as_str().map(str::to_string))
        .collect();
    let mut cursor = cursor;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !(seen.contains(slow.as_str()) && seen.contains(fast.as_str())) {
        assert!(std::time::Instant::now() < deadline, "missed: {seen:?}");
        let (items, next) = sync_all(&app, &access, Some(&cursor)).await;
        seen.extend(
            items
                .iter()
                .filter_map(|c| c["id"].as_str().map(str::to_string)),
        );
        cursor = next;
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (status, read) = get(
        &app,
        &format!("/api/integration/v1/dossiers/{slow}"),
        &access,
    )
    .await;
    assert_eq!(
        (status, read["commune"].as_str()),
        (StatusCode::OK, Some("Lucé"))
    );
}

#[tokio::test]
async fn an_application_sees_its_quota_and_is_told_when_to_come_back() {
    let app = crate::helpers::spawn_app_with(
        |settings| settings.integration_requests_per_minute = 3,
        api::auth::throttle::LoginPolicy::default(),
    )
    .await;
    let (id, secret, _) = connect(&app, &["dossiers:read"]).await;
    let access = token(&app, &id, &secret).await;
    for left in [2, 1, 0] {
        let response = app.get_auth("/api/integration/v1/dossiers", &access).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()["ratelimit-policy"],
            "\"application\";q=3;w=60"
        );
        let state = response.headers()["ratelimit"]
            .to_str()
            .expect("ascii")
            .to_string();
        assert!(
            state.starts_with(&format!("\"application\";r={left};t=")),
            "{state}"
        );
    }
    let refused = app.get_auth("/api/integration/v1/dossiers", &access).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .ok()
        .and_then(|s| s.parse().ok())
        .expect("Retry-After");
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(
        refused.headers()["ratelimit"]
            .to_str()
            .is_ok_and(|s| s.contains(";r=0;"))
    );
    let problem: Value = refused.json().await.expect("json");
    assert_eq!(problem["code"], "too_many_requests");

    // Token requests are throttled per client id: 30 a minute, the one above counted.
    let mut statuses = Vec::new();
    for _ in 0..30 {
        statuses.push(
            token_request(&app, &id, "faux", "grant_type=client_credentials")
                .await
                .0,
        );
    }
    assert_eq!(statuses[..29], [StatusCode::UNAUTHORIZED; 29]);
    assert_eq!(statuses[29], StatusCode::TOO_MANY_REQUESTS);
}

/// Every integration route × every scope: allowed with its own scope only (SECURITY.md
/// F-06). One application holds them all; each token asks for one.
#[tokio::test]
async fn each_route_answers_its_own_scope_and_refuses_every_other() {
    let app = spawn_app().await;
    let all = [
        "dossiers:read",
        "dossiers:write",
        "pieces:read",
        "demandes:read",
        "demandes:write",
        "activites:read",
        "activites:write",
        "inscriptions:read",
        "inscriptions:write",
        "webhooks:manage",
    ];
    let (id, secret, _) = connect(&app, &all).await;
    let some = uuid::Uuid::new_v4();
    let routes: [(&str, String, &str); 24] = [
        (
            "GET",
            "/api/integration/v1/dossiers".into(),
            "dossiers:read",
        ),
        (
            "GET",
            format!("/api/integration/v1/dossiers/{some}"),
            "dossiers:read",
        ),
        (
            "GET",
            "/api/integration/v1/demandes".into(),
            "demandes:read",
        ),
        (
            "GET",
            format!("/api/integration/v1/demandes/{some}"),
            "demandes:read",
        ),
        ("GET", "/api/integration/v1/pieces".into(), "pieces:read"),
        (
            "GET",
            format!("/api/integration/v1/pieces/{some}/fichiers/{some}"),
            "pieces:read",
        ),
        (
            "GET",
            "/api/integration/v1/inscriptions".into(),
            "inscriptions:read",
        ),
        (
            "GET",
            format!("/api/integration/v1/inscriptions/{some}"),
            "inscriptions:read",
        ),
        (
            "POST",
            format!("/api/integration/v1/demandes/{some}/decision"),
            "demandes:write",
        ),
        (
            "POST",
            "/api/integration/v1/inscriptions".into(),
            "inscriptions:write",
        ),
        (
            "POST",
            format!("/api/integration/v1/inscriptions/{some}/annulation"),
            "inscriptions:write",
        ),
        (
            "PUT",
            format!("/api/integration/v1/dossiers/{some}/reference-externe"),
            "dossiers:write",
        ),
        (
            "PUT",
            format!("/api/integration/v1/dossiers/{some}/membres/{some}/reference-externe"),
            "dossiers:write",
        ),
        (
            "GET",
            "/api/integration/v1/activites".into(),
            "activites:read",
        ),
        (
            "POST",
            "/api/integration/v1/activites".into(),
            "activites:write",
        ),
        (
            "PUT",
            format!("/api/integration/v1/activites/{some}"),
            "activites:write",
        ),
        (
            "POST",
            format!("/api/integration/v1/activites/{some}/periodes"),
            "activites:write",
        ),
        (
            "PUT",
            format!("/api/integration/v1/periodes/{some}"),
            "activites:write",
        ),
        (
            "GET",
            "/api/integration/v1/webhooks".into(),
            "webhooks:manage",
        ),
        (
            "POST",
            "/api/integration/v1/webhooks".into(),
            "webhooks:manage",
        ),
        (
            "DELETE",
            format!("/api/integration/v1/webhooks/{some}"),
            "webhooks:manage",
        ),
        (
            "POST",
            format!("/api/integration/v1/webhooks/{some}/reprise"),
            "webhooks:manage",
        ),
        (
            "GET",
            format!("/api/integration/v1/webhooks/{some}/deliveries"),
            "webhooks:manage",
        ),
        (
            "POST",
            format!("/api/integration/v1/webhooks/{some}/deliveries/{some}/replay"),
            "webhooks:manage",
        ),
    ];
    for scope in all {
        let (status, body) = token_request(
            &app,
            &id,
            &secret,
            &format!(
                "grant_type=client_credentials&scope={}",
                scope.replace(':', "%3A")
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let token = body["access_token"].as_str().expect("token");
        for (method, path, needed) in &routes {
            let request = match *method {
                "GET" => app.client.get(app.url(path)),
                "DELETE" => app.client.delete(app.url(path)),
                "PUT" => app.client.put(app.url(path)).json(&json!({})),
                _ => app.client.post(app.url(path)).json(&json!({})),
            };
            let status = request
                .bearer_auth(token)
                .send()
                .await
                .expect("request")
                .status();
            if scope == *needed {
                assert!(
                    ![StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&status),
                    "{method} {path} with {scope}: {status}"
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{method} {path} with {scope}"
                );
            }
        }
    }
}
