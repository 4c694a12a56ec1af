//! The OpenAPI document is complete and exact enough to build on: a TypeScript client is
//! generated from `openapi/openapi.json` by a widely used third-party generator (npm
//! `openapi-typescript`, calls through `openapi-fetch`), type-checked by `tsc`, and an
//! integrator's program written against it (`e2e/integrator/sync.ts`) gets a token, does a
//! full sync, subscribes a webhook, then — after this test changed a dossier and enrolled
//! a child — an incremental sync that finds the change, and receives the webhook and
//! verifies its signature (refusing the same message replayed later).

use std::path::Path;
use std::process::Stdio;

use diesel::connection::SimpleConnection;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::activities::families;
use crate::helpers::spawn_app;
use crate::helpers::test_db::backend;
use crate::inscriptions::{
    agent, create_activite, create_periode, enrol, family_of, periode_input,
};

/// Waits until every change in the feed is final (PostgreSQL's horizon is the whole
/// cluster's: another test's open transaction may hold ours back a moment), so that the
/// program's one sync sees them.
async fn until_final(app: &crate::helpers::spawn::TestApp) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let final_now = {
            let mut conn = app.state.pool.get().expect("conn");
            let horizon = api::db::models::sync_change::horizon(&mut conn).expect("horizon");
            api::db::models::sync_change::after(
                &mut conn,
                &["dossier", "membre"],
                api::db::models::sync_change::Position::default(),
                i64::MAX,
                None,
                i64::MAX,
            )
            .expect("feed")
            .iter()
            .all(|c| c.txid < horizon)
        };
        if final_now {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the feed never became final"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn run(program: &Path, args: &[&str], dir: &Path) {
    let output = tokio::process::Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .await
        .unwrap_or_else(|e| panic!("{} runs: {e}", program.display()));
    assert!(
        output.status.success(),
        "{} {args:?} failed:\n{}\n{}",
        program.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn a_client_generated_from_the_document_syncs_and_verifies_a_webhook() {
    if backend() != "postgres" {
        eprintln!(
            "generated-client test skipped on {}: it runs in the PostgreSQL pass",
            backend()
        );
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let e2e = root.join("e2e");
    let bin = e2e.join("node_modules/.bin");
    // Generated from the committed document (which another test keeps equal to the code),
    // then type-checked with the program that uses it.
    run(
        &bin.join("openapi-typescript"),
        &[
            "../openapi/openapi.json",
            "--output",
            "integrator/schema.d.ts",
        ],
        &e2e,
    )
    .await;
    run(&bin.join("tsc"), &["-p", "integrator/tsconfig.json"], &e2e).await;

    let app = spawn_app().await;
    let ours = families(&app, 3);
    let request = shared::api::integration::NewApplicationRequest {
        name: "Logiciel enfance".into(),
        contact_email: "dsi@mairie.test".into(),
        scopes: vec![
            shared::api::integration::Scope::DossiersRead,
            shared::api::integration::Scope::WebhooksManage,
        ],
    };
    let issued = {
        let mut conn = app.state.pool.get().expect("conn");
        api::integrations::applications::create(&mut conn, &request, "test", api::db::now())
            .expect("application")
    };
    let admin = agent(&app).await;
    let activite = create_activite(&app, &admin).await;
    let periode = create_periode(
        &app,
        &admin,
        &activite,
        &periode_input(5, "automatique", None),
    )
    .await;
    let family = family_of(&app, &ours[0].0).await;
    until_final(&app).await;

    let mut child = tokio::process::Command::new("node")
        .arg(e2e.join("integrator/dist/sync.js"))
        .current_dir(&e2e)
        .env("BASE_URL", &app.address)
        .env("CLIENT_ID", issued.client_id.to_string())
        .env("CLIENT_SECRET", &issued.client_secret)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut stderr = child.stderr.take().expect("stderr");
    let next_line = async |lines: &mut tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
                           stderr: &mut tokio::process::ChildStderr| {
        match tokio::time::timeout(std::time::Duration::from_secs(60), lines.next_line()).await {
            Ok(Ok(Some(line))) => line,
            other => {
                let mut errors = String::new();
                let _ = tokio::io::AsyncReadExt::read_to_string(stderr, &mut errors).await;
                panic!("the integrator's program stopped ({other:?}):\n{errors}");
            }
        }
    };

    // 1. The full sync saw every validated dossier.
    let synced = next_line(&mut lines, &mut stderr).await;
    let count: usize = synced
        .split(' ')
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("unexpected: {synced}"));
    assert!(count >= ours.len(), "{synced}");

    // 2. A dossier changes, a child gets a place; the program syncs again and hears of it.
    {
        let mut conn = app.state.pool.get().expect("conn");
        conn.batch_execute(&format!(
            "UPDATE dossiers SET commune = 'Lucé', version = version + 1 WHERE id = '{}'",
            ours[1].0
        ))
        .expect("change");
    }
    enrol(&app, &family, &periode, &ours[0].1).await;
    until_final(&app).await;
    stdin.write_all(b"changed\n").await.expect("write");
    let done = next_line(&mut lines, &mut stderr).await;
    let report: Value = serde_json::from_str(
        done.strip_prefix("ok ")
            .unwrap_or_else(|| panic!("unexpected: {done}")),
    )
    .expect("json");
    assert!(
        report["changed"]
            .as_array()
            .expect("changed")
            .iter()
            .any(|c| c["id"] == ours[1].0.as_str() && c["commune"] == "Lucé"),
        "{report}"
    );
    assert_eq!(report["verified"], true, "{report}");
    assert_eq!(report["replayRefused"], true, "{report}");
    assert_eq!(report["type"], "inscription.confirmee");
    assert_eq!(report["dossier"], ours[0].0.as_str());
}
