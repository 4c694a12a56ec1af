//! The served OpenAPI document describes exactly what the server sends: schemathesis
//! (PyPI, installed by the README's test command into `.tools/schemathesis`) fuzzes every
//! operation of the running server — anonymously, as a family with a dossier, and the
//! integration operations as a connected application with every scope — and
//! checks that every answer is a documented status with the documented media type, headers
//! and schema, that no answer is a server error, and that undocumented methods get 405 with
//! `Allow`.
//!
//! Left out: its checks that any schema-valid input is accepted and any schema-violating
//! one refused. Some of our rules cannot be written in JSON Schema — a password's strength
//! (zxcvbn), names made of letters of any script, a dead link answering 410 — so those
//! checks would report the document being less strict than the server, which integrators
//! read in the `fields` of the 422 instead.

use std::path::Path;

use serde_json::json;

use crate::helpers::spawn::TestApp;
use crate::helpers::spawn_app;
use crate::helpers::test_db::backend;

const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
response_headers_conformance,response_schema_conformance,unsupported_method,\
allow_header_conformance,missing_required_header,ignored_auth";

async fn schemathesis(app: &TestApp, token: Option<&str>, extra: &[&str]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let program = root.join(".tools/schemathesis/bin/schemathesis");
    assert!(
        program.exists(),
        "schemathesis is missing: run the README's test command (scripts/test.sh installs it)"
    );
    let mut command = tokio::process::Command::new(program);
    command
        .arg("run")
        .arg(app.url("/api-docs/openapi.json"))
        .args(["--checks", CHECKS, "--max-examples", "12", "--no-color"])
        .args(["--seed", "20261206"])
        .args(extra)
        .current_dir(&root);
    if let Some(token) = token {
        command.args(["-H", &format!("Authorization: Bearer {token}")]);
    }
    let output = command.output().await.expect("schemathesis runs");
    assert!(
        output.status.success(),
        "schemathesis found the document and the server disagree:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn postgres_only() -> bool {
    // One backend is enough: the answers are the same code; the PostgreSQL pass runs it.
    if backend() != "postgres" {
        eprintln!(
            "contract test skipped on {}: it runs in the PostgreSQL pass",
            backend()
        );
        return false;
    }
    true
}

#[tokio::test]
async fn the_document_matches_what_the_server_answers_anonymously() {
    if !postgres_only() {
        return;
    }
    let app = spawn_app().await;
    schemathesis(&app, None, &[]).await;
}

#[tokio::test]
async fn the_document_matches_what_the_server_answers_a_family() {
    if !postgres_only() {
        return;
    }
    let app = spawn_app().await;
    let family = app.family().await;
    let created = app
        .post_json_auth("/api/dossiers", &family.access_token, &json!({}))
        .await;
    assert_eq!(created.status(), reqwest::StatusCode::CREATED);
    schemathesis(&app, Some(&family.access_token), &[]).await;
}

#[tokio::test]
async fn the_document_matches_what_the_server_answers_a_connected_application() {
    if !postgres_only() {
        return;
    }
    let app = spawn_app().await;
    crate::activities::families(&app, 3);
    let request = shared::api::integration::NewApplicationRequest {
        name: "Logiciel enfance".into(),
        contact_email: "dsi@mairie.test".into(),
        scopes: shared::api::integration::Scope::ALL.to_vec(),
    };
    let issued = {
        let mut conn = app.state.pool.get().expect("conn");
        api::integrations::applications::create(&mut conn, &request, "test", api::db::now())
            .expect("application")
    };
    let response = app
        .client
        .post(app.url("/api/oauth/token"))
        .basic_auth(issued.client_id, Some(issued.client_secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .expect("token");
    let body: serde_json::Value = response.json().await.expect("json");
    let token = body["access_token"].as_str().expect("token");
    schemathesis(&app, Some(token), &["--include-tag", "Intégrations"]).await;
}
