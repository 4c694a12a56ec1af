//! The committed `openapi/openapi.json` must be what the server serves.
//! `UPDATE_OPENAPI=1 cargo test openapi` rewrites it after a deliberate API change.

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_committed_openapi_document_matches_the_code() {
    let app = spawn_app().await;
    let served: serde_json::Value = app
        .client
        .get(app.url("/api-docs/openapi.json"))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    let pretty = serde_json::to_string_pretty(&served).expect("serialise") + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
    if std::env::var("UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &pretty).expect("write openapi.json");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == pretty,
        "openapi/openapi.json is stale: run `UPDATE_OPENAPI=1 cargo test -p api --test it openapi` and commit it"
    );
    // Every operation documents its error bodies.
    for (path, item) in served["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("item") {
            let responses = operation["responses"].as_object().expect("responses");
            assert!(!responses.is_empty(), "{method} {path} has no responses");
        }
    }
}

/// The served document's schema for one answer, ready to validate bodies.
struct Contract {
    document: serde_json::Value,
}

impl Contract {
    /// Checks `body`, answered with `status` by `method template`, against the document
    /// (JSON Schema 2020-12, formats checked too).
    fn check(&self, method: &str, template: &str, status: u16, body: &serde_json::Value) {
        let pointer = format!(
            "/paths/{}/{method}/responses/{status}/content/application~1json/schema",
            template.replace('~', "~0").replace('/', "~1")
        );
        assert!(
            self.document.pointer(&pointer).is_some(),
            "{method} {template} documents no JSON body for {status}"
        );
        // The answer's schema, with the document's components for its `$ref`s.
        let mut root = self.document.pointer(&pointer).cloned().unwrap_or_default();
        root["components"] = self.document["components"].clone();
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&root)
            .expect("the document is a valid schema");
        let errors: Vec<String> = validator
            .iter_errors(body)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{method} {template} → {status}: the answer does not match the document:\n{}\n{body:#}",
            errors.join("\n")
        );
    }
}

/// Real answers — a dossier with members and links, its pieces, the submitted request, the
/// agents' review and decision, « Mon compte » — validate against the served document (a
/// second validator besides schemathesis, on data schemathesis cannot make up).
#[tokio::test]
async fn real_answers_validate_against_the_served_schemas() {
    use reqwest::Method;
    use serde_json::{Value, json};

    let app = crate::helpers::spawn_app().await;
    let contract = Contract {
        document: app.get_json("/api-docs/openapi.json").await,
    };
    let call =
        |method: Method, path: String, token: String, body: Option<Value>, version: Option<i64>| {
            let mut request = app
                .client
                .request(method, app.url(&path))
                .bearer_auth(token);
            if let Some(body) = body {
                request = request.json(&body);
            }
            if let Some(version) = version {
                request = request.header("if-match", format!("\"{version}\""));
            }
            async move {
                let response = request.send().await.expect("request");
                let status = response.status().as_u16();
                (
                    status,
                    response.json::<Value>().await.unwrap_or(Value::Null),
                )
            }
        };
    let family = app.family().await;
    let token = family.access_token.clone();
    let dossier = crate::http::dossiers::seed_household(&app, &family).await;
    let id = dossier["id"].as_str().expect("id").to_string();
    crate::http::pieces::provide_required_pieces(&app, &family, &id).await;
    let demande = dossier["demande"]["id"]
        .as_str()
        .expect("demande")
        .to_string();

    let (status, body) = call(
        Method::GET,
        format!("/api/dossiers/{id}"),
        token.clone(),
        None,
        None,
    )
    .await;
    contract.check("get", "/api/dossiers/{id}", status, &body);
    let version = body["version"].as_i64();
    let (status, body) = call(
        Method::PATCH,
        format!("/api/dossiers/{id}"),
        token.clone(),
        Some(
            json!({"adresse": "2 place des Halles", "code_postal": "28000", "commune": "Chartres"}),
        ),
        version,
    )
    .await;
    contract.check("patch", "/api/dossiers/{id}", status, &body);
    let (status, body) = call(
        Method::POST,
        format!("/api/dossiers/{id}/members"),
        token.clone(),
        Some(crate::http::dossiers::member("contact", Some("Tata"), None)),
        body["version"].as_i64(),
    )
    .await;
    contract.check("post", "/api/dossiers/{id}/members", status, &body);
    for (template, path) in [
        (
            "/api/dossiers/{id}/pieces",
            format!("/api/dossiers/{id}/pieces"),
        ),
        ("/api/demandes", "/api/demandes".to_string()),
        ("/api/demandes/{id}", format!("/api/demandes/{demande}")),
        ("/api/me", "/api/me".to_string()),
        ("/api/me/emails", "/api/me/emails".to_string()),
        ("/api/me/connections", "/api/me/connections".to_string()),
        (
            "/api/dossiers/{id}/consultations",
            format!("/api/dossiers/{id}/consultations"),
        ),
        ("/api/types-de-piece", "/api/types-de-piece".to_string()),
    ] {
        let (status, body) = call(Method::GET, path, token.clone(), None, None).await;
        contract.check("get", template, status, &body);
    }
    let current: Value = app
        .get_auth(&format!("/api/dossiers/{id}"), &token)
        .await
        .json()
        .await
        .expect("json");
    let (status, body) = call(
        Method::POST,
        format!("/api/demandes/{demande}/submit"),
        token.clone(),
        Some(json!({})),
        current["version"].as_i64(),
    )
    .await;
    contract.check("post", "/api/demandes/{id}/submit", status, &body);

    // The agent's side.
    let (admin, _) = crate::http::staff::administrator(&app);
    let (_, staff) = crate::http::staff::staff_session(&app, &admin).await;
    let (status, body) = call(
        Method::GET,
        "/api/backoffice/demandes".into(),
        staff.clone(),
        None,
        None,
    )
    .await;
    contract.check("get", "/api/backoffice/demandes", status, &body);
    let (status, body) = call(
        Method::GET,
        format!("/api/backoffice/demandes/{demande}"),
        staff.clone(),
        None,
        None,
    )
    .await;
    contract.check("get", "/api/backoffice/demandes/{id}", status, &body);
    let (status, body) = call(
        Method::POST,
        format!("/api/backoffice/demandes/{demande}/decision"),
        staff.clone(),
        Some(json!({"decision": "validee", "message": null})),
        None,
    )
    .await;
    contract.check(
        "post",
        "/api/backoffice/demandes/{id}/decision",
        status,
        &body,
    );
    let (status, body) = call(
        Method::GET,
        "/api/backoffice/emails/echecs".into(),
        staff.clone(),
        None,
        None,
    )
    .await;
    contract.check("get", "/api/backoffice/emails/echecs", status, &body);

    // Public content.
    for path in [
        "/api/town",
        "/api/terms",
        "/api/actualites",
        "/api/faq",
        "/api/documents",
    ] {
        let response = app.client.get(app.url(path)).send().await.expect("request");
        let status = response.status().as_u16();
        contract.check("get", path, status, &response.json().await.expect("json"));
    }
}
