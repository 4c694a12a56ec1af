//! What connected applications write on the town's behalf (issue 14): decisions on
//! requests, inscriptions on a family's behalf (idempotent, like the families' own) and
//! their cancellation, the catalogue, the town's own ids on dossiers and members — each
//! behind its scope, with the families' rules and answers.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::activities::families;
use crate::helpers::spawn::TestApp;
use crate::helpers::spawn_app;
use crate::http::review::submitted;
use crate::inscriptions::{create_activite, create_periode, family_of, periode_input};
use crate::integration_feeds::{last_about, read_until};
use crate::integrations::{connect, get, token};

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    access: &str,
    key: Option<&str>,
    body: &Value,
) -> (StatusCode, Value) {
    let mut request = app
        .client
        .request(method, app.url(path))
        .bearer_auth(access)
        .json(body);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A PUT or POST with `If-Match`: (status, `ETag`, body).
async fn send_if_match(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    access: &str,
    tag: &str,
    body: &Value,
) -> (StatusCode, Option<String>, Value) {
    let response = app
        .client
        .request(method, app.url(path))
        .bearer_auth(access)
        .header("if-match", tag)
        .json(body)
        .send()
        .await
        .expect("request");
    let status = response.status();
    let etag = response
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (status, etag, response.json().await.unwrap_or(Value::Null))
}

/// The `ETag` of what `path` answers.
async fn etag_of(app: &TestApp, path: &str, access: &str) -> String {
    let response = app.get_auth(path, access).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.headers()["etag"]
        .to_str()
        .expect("etag")
        .to_string()
}

#[tokio::test]
async fn a_decision_on_what_the_application_read_and_no_other() {
    let app = spawn_app().await;
    let (client, secret, _) = connect(&app, &["demandes:write", "demandes:read"]).await;
    let access = token(&app, &client, &secret).await;
    let family = app.family().await;
    let (_, demande) = submitted(&app, &family).await;
    let read = etag_of(
        &app,
        &format!("/api/integration/v1/demandes/{demande}"),
        &access,
    )
    .await;
    let path = format!("/api/integration/v1/demandes/{demande}/decision");
    let ask =
        json!({"decision": "a_completer", "message": "Merci de joindre un justificatif récent."});

    let (status, _, problem) = send_if_match(
        &app,
        reqwest::Method::POST,
        &path,
        &access,
        "\"autre\"",
        &ask,
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED, "{problem}");
    let (status, tag, decided) =
        send_if_match(&app, reqwest::Method::POST, &path, &access, &read, &ask).await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(decided["status"], "a_completer");
    let now = tag.expect("the new tag");
    assert_ne!(now, read);
    assert_eq!(
        etag_of(
            &app,
            &format!("/api/integration/v1/demandes/{demande}"),
            &access
        )
        .await,
        now
    );

    // The family sends it again: a decision made on the first reading is refused.
    crate::http::review::submit(&app, &family, &demande).await;
    let (status, _, _) = send_if_match(
        &app,
        reqwest::Method::POST,
        &path,
        &access,
        &read,
        &json!({"decision": "validee"}),
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    let fresh = etag_of(
        &app,
        &format!("/api/integration/v1/demandes/{demande}"),
        &access,
    )
    .await;
    let (status, _, decided) = send_if_match(
        &app,
        reqwest::Method::POST,
        &path,
        &access,
        &fresh,
        &json!({"decision": "validee"}),
    )
    .await;
    assert_eq!(
        (status, decided["status"].as_str()),
        (StatusCode::OK, Some("validee"))
    );
}

#[tokio::test]
async fn an_application_decides_a_request_as_an_agent_would() {
    let app = spawn_app().await;
    let (client, secret, _) = connect(&app, &["demandes:write"]).await;
    let access = token(&app, &client, &secret).await;
    let family = app.family().await;
    let (_, demande) = submitted(&app, &family).await;
    let path = format!("/api/integration/v1/demandes/{demande}/decision");

    // « À compléter » needs the message the family will read.
    let (status, problem) = send(
        &app,
        reqwest::Method::POST,
        &path,
        &access,
        None,
        &json!({"decision": "a_completer"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["fields"]["message"], json!(["required"]));

    let (status, decided) = send(
        &app,
        reqwest::Method::POST,
        &path,
        &access,
        None,
        &json!({"decision": "a_completer", "message": "Merci de joindre un justificatif récent."}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!(decided["status"], "a_completer");
    assert_eq!(
        decided["agent_message"],
        "Merci de joindre un justificatif récent."
    );
    // The family reads it as it would read an agent's.
    let detail: Value = app
        .get_auth(&format!("/api/demandes/{demande}"), &family.access_token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(detail["status"], "a_completer");

    // It no longer waits for a decision.
    let (status, _) = send(
        &app,
        reqwest::Method::POST,
        &path,
        &access,
        None,
        &json!({"decision": "validee"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = send(
        &app,
        reqwest::Method::POST,
        &format!(
            "/api/integration/v1/demandes/{}/decision",
            uuid::Uuid::new_v4()
        ),
        &access,
        None,
        &json!({"decision": "validee"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_application_enrols_once_per_key_and_cancels_with_a_reason() {
    let app = spawn_app().await;
    let (client, secret, admin) = connect(&app, &["inscriptions:write", "activites:write"]).await;
    let access = token(&app, &client, &secret).await;
    let ours = families(&app, 2);
    let (dossier, child) = &ours[0];
    let (_, other_child) = &ours[1];
    let family = family_of(&app, dossier).await;
    let activite = create_activite(&app, &admin).await;
    let periode = create_periode(
        &app,
        &admin,
        &activite,
        &periode_input(5, "automatique", None),
    )
    .await;
    let body = json!({"periode_id": periode, "enfant_id": child});

    let (status, problem) = send(
        &app,
        reqwest::Method::POST,
        "/api/integration/v1/inscriptions",
        &access,
        None,
        &body,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");

    let key = uuid::Uuid::new_v4().to_string();
    let (status, first) = send(
        &app,
        reqwest::Method::POST,
        "/api/integration/v1/inscriptions",
        &access,
        Some(&key),
        &body,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["statut"], "confirmee");
    // A retry answers the first result and enrols nobody twice.
    let (status, again) = send(
        &app,
        reqwest::Method::POST,
        "/api/integration/v1/inscriptions",
        &access,
        Some(&key),
        &body,
    )
    .await;
    assert_eq!((status, &again), (StatusCode::CREATED, &first));
    let (status, _) = send(
        &app,
        reqwest::Method::POST,
        "/api/integration/v1/inscriptions",
        &access,
        Some(&key),
        &json!({"periode_id": periode, "enfant_id": other_child}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a key names one enrolment"
    );
    // The family sees it, enrolled on its behalf.
    let mine: Value = app
        .get_auth("/api/inscriptions", &family.access_token)
        .await
        .json()
        .await
        .expect("json");
    let listed: Vec<&Value> = mine["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["id"] == first["id"])
        .collect();
    assert_eq!(listed.len(), 1, "{mine}");
    assert_eq!(listed[0]["par_agent"], true);

    let cancel = format!(
        "/api/integration/v1/inscriptions/{}/annulation",
        first["id"].as_str().expect("id")
    );
    let (status, cancelled) = send(
        &app,
        reqwest::Method::POST,
        &cancel,
        &access,
        None,
        &json!({"motif": "Désinscription demandée au guichet."}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["statut"], "annulee");
    let (status, _) = send(
        &app,
        reqwest::Method::POST,
        &cancel,
        &access,
        None,
        &json!({"motif": "Encore."}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "already over");
}

fn activite_input() -> Value {
    json!({
        "nom": "Stage de voile",
        "description": "Une semaine sur le lac.",
        "categorie": "sport",
        "lieu": "Base nautique",
        "age_min": 8,
        "age_max": 12,
        "tarifs": "Selon le quotient familial.",
        "pieces_requises": [],
        "publiee": true,
    })
}

#[tokio::test]
async fn an_application_keeps_the_catalogue_and_families_see_it() {
    let app = spawn_app().await;
    let (client, secret, _) = connect(&app, &["activites:write", "activites:read"]).await;
    let access = token(&app, &client, &secret).await;
    let (_, start) = read_until(&app, &access, "activites", None, |_| true).await;
    let key = uuid::Uuid::new_v4().to_string();
    let (status, activite) = send(
        &app,
        reqwest::Method::POST,
        "/api/integration/v1/activites",
        &access,
        Some(&key),
        &activite_input(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{activite}");
    let id = activite["id"].as_str().expect("id");
    // A retry with its key answers the first result: one activité, not two.
    let (status, again) = send(
        &app,
        reqwest::Method::POST,
        "/api/integration/v1/activites",
        &access,
        Some(&key),
        &activite_input(),
    )
    .await;
    assert_eq!((status, &again), (StatusCode::CREATED, &activite));
    let mut other = activite_input();
    other["nom"] = json!("Stage de kayak");
    let (status, problem) = send(
        &app,
        reqwest::Method::POST,
        "/api/integration/v1/activites",
        &access,
        Some(&key),
        &other,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    // A replacement on the version read; 412 on an older one.
    let mut renamed = activite_input();
    renamed["lieu"] = json!("Base nautique du lac");
    let path = format!("/api/integration/v1/activites/{id}");
    let read = format!("\"{}\"", activite["version"]);
    let (status, _, updated) =
        send_if_match(&app, reqwest::Method::PUT, &path, &access, &read, &renamed).await;
    assert_eq!(
        (status, updated["lieu"].as_str()),
        (StatusCode::OK, Some("Base nautique du lac"))
    );
    let (status, _, _) = send_if_match(
        &app,
        reqwest::Method::PUT,
        &path,
        &access,
        &read,
        &activite_input(),
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    let (status, periode) = send(
        &app,
        reqwest::Method::POST,
        &format!("/api/integration/v1/activites/{id}/periodes"),
        &access,
        None,
        &periode_input(12, "automatique", None),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{periode}");
    let mut changed = periode_input(16, "automatique", None);
    changed["libelle"] = json!("Semaine 1 (16 places)");
    let path = format!(
        "/api/integration/v1/periodes/{}",
        periode["id"].as_str().expect("id")
    );
    let (status, _, _) = send_if_match(
        &app,
        reqwest::Method::PUT,
        &path,
        &access,
        "\"999\"",
        &changed,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::PRECONDITION_FAILED,
        "not the version read"
    );
    let read = format!("\"{}\"", periode["version"]);
    let (status, _, updated) =
        send_if_match(&app, reqwest::Method::PUT, &path, &access, &read, &changed).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    // The catalogue's feed tells of it, with its période as it is now.
    let (items, _) = read_until(&app, &access, "activites", Some(start), |items| {
        last_about(items, id)
            .is_some_and(|c| c["activite"].to_string().contains("Semaine 1 (16 places)"))
    })
    .await;
    let change = last_about(&items, id).expect("the activité");
    assert_eq!(change["deleted"], false);
    assert_eq!(change["activite"]["nom"], "Stage de voile");

    // The public catalogue shows it (it is re-read within a second).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let catalogue: Value = app
            .client
            .get(app.url("/api/activites"))
            .send()
            .await
            .expect("catalogue")
            .json()
            .await
            .expect("json");
        let text = catalogue.to_string();
        if text.contains("Stage de voile") && text.contains("Semaine 1 (16 places)") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{catalogue}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn an_application_records_the_towns_own_ids_that_families_never_see() {
    let app = spawn_app().await;
    let (client, secret, _) = connect(&app, &["dossiers:write", "dossiers:read"]).await;
    let access = token(&app, &client, &secret).await;
    let ours = families(&app, 1);
    let (dossier, child) = &ours[0];
    let family = family_of(&app, dossier).await;

    let (status, read) = send(
        &app,
        reqwest::Method::PUT,
        &format!("/api/integration/v1/dossiers/{dossier}/reference-externe"),
        &access,
        None,
        &json!({"reference_externe": "FAM-000123"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["reference_externe"], "FAM-000123");
    let (status, read) = send(
        &app,
        reqwest::Method::PUT,
        &format!("/api/integration/v1/dossiers/{dossier}/membres/{child}/reference-externe"),
        &access,
        None,
        &json!({"reference_externe": "ENF-42"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{read}");
    let member = read["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["id"] == child.as_str())
        .cloned()
        .expect("the child");
    assert_eq!(member["reference_externe"], "ENF-42");
    let (_, again) = get(
        &app,
        &format!("/api/integration/v1/dossiers/{dossier}"),
        &access,
    )
    .await;
    assert_eq!(again["reference_externe"], "FAM-000123");

    // Bad input changes nothing.
    for bad in [json!(""), json!("x".repeat(101)), json!("FAM\u{7}1")] {
        let (status, problem) = send(
            &app,
            reqwest::Method::PUT,
            &format!("/api/integration/v1/dossiers/{dossier}/reference-externe"),
            &access,
            None,
            &json!({"reference_externe": bad}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert!(
            problem["fields"]["reference_externe"].is_array(),
            "{problem}"
        );
    }
    let (status, _) = send(
        &app,
        reqwest::Method::PUT,
        &format!(
            "/api/integration/v1/dossiers/{dossier}/membres/{}/reference-externe",
            uuid::Uuid::new_v4()
        ),
        &access,
        None,
        &json!({"reference_externe": "ENF-43"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, again) = get(
        &app,
        &format!("/api/integration/v1/dossiers/{dossier}"),
        &access,
    )
    .await;
    assert_eq!(again["reference_externe"], "FAM-000123");

    // With `If-Match`, a write on a dossier that changed since it was read is refused.
    let path = format!("/api/integration/v1/dossiers/{dossier}/reference-externe");
    let read = etag_of(
        &app,
        &format!("/api/integration/v1/dossiers/{dossier}"),
        &access,
    )
    .await;
    let (status, written, _) = send_if_match(
        &app,
        reqwest::Method::PUT,
        &path,
        &access,
        &read,
        &json!({"reference_externe": "FAM-000124"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = send_if_match(
        &app,
        reqwest::Method::PUT,
        &path,
        &access,
        &read,
        &json!({"reference_externe": "FAM-000125"}),
    )
    .await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    let (status, _, after) = send_if_match(
        &app,
        reqwest::Method::PUT,
        &path,
        &access,
        &written.expect("the new tag"),
        &json!({"reference_externe": "FAM-000125"}),
    )
    .await;
    assert_eq!(
        (status, after["reference_externe"].as_str()),
        (StatusCode::OK, Some("FAM-000125"))
    );

    // `null` removes it; the family never sees the town's ids.
    let (status, read) = send(
        &app,
        reqwest::Method::PUT,
        &format!("/api/integration/v1/dossiers/{dossier}/reference-externe"),
        &access,
        None,
        &json!({"reference_externe": null}),
    )
    .await;
    assert_eq!(
        (status, &read["reference_externe"]),
        (StatusCode::OK, &Value::Null)
    );
    let own = app
        .get_auth(&format!("/api/dossiers/{dossier}"), &family.access_token)
        .await
        .text()
        .await
        .expect("dossier");
    assert!(
        !own.contains("ENF-42") && !own.contains("reference_externe"),
        "{own}"
    );
}
