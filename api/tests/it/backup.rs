//! The restore drill (issue 15; SECURITY.md G-08): `scripts/backup.sh` on a running portal
//! (PostgreSQL, files on the local disk), `scripts/restore.sh` into a new empty database and
//! a new S3 bucket, a server started on them: the family logs in with its password and
//! finds the same dossier and the same files, byte for byte; the town's public document too.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::process::{Server, environment};
use crate::helpers::spawn::TestApp;
use crate::helpers::test_db::tempdir::TempDir;
use crate::helpers::test_db::{TestDb, backend};
use crate::helpers::{PASSWORD, spawn_app};
use crate::http::pieces::{Upload, pdf_file, post_upload, small_dossier, today};

/// Runs one of the scripts with the server's settings `env`, and checks it succeeded.
fn script(name: &str, dir: &Path, env: &[(String, String)]) {
    let output =
        Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/").to_string() + name)
            .arg(dir)
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("PORTAIL_FAMILLE_BIN", env!("CARGO_BIN_EXE_portail-famille"))
            .output()
            .expect("run the script");
    assert!(
        output.status.success(),
        "{name}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

async fn get(base: &str, path: &str, token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
}

/// The public document the demo content put on the town's page, and its bytes.
async fn public_document(base: &str) -> (Value, Vec<u8>) {
    let list: Value = reqwest::get(format!("{base}/api/documents"))
        .await
        .expect("documents")
        .json()
        .await
        .expect("json");
    let first = list["items"]
        .as_array()
        .and_then(|l| l.first())
        .cloned()
        .expect("a public document");
    let id = first["id"].as_str().expect("id");
    let bytes = reqwest::get(format!("{base}/api/documents/{id}/fichier"))
        .await
        .expect("download")
        .bytes()
        .await
        .expect("bytes")
        .to_vec();
    (first, bytes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_restored_into_a_new_database_and_bucket_serves_the_same_dossier_and_files() {
    if backend() != "postgres" {
        eprintln!("PostgreSQL only: the embedded SQLite default is backed up by copying data/");
        return;
    }
    // The portal in use: a family, its dossier, a piece of 2 MiB.
    let app: TestApp = spawn_app().await;
    let family = app.family().await;
    let (dossier, _) = small_dossier(&app, &family, None).await;
    let content = crate::helpers::files::pdf_of_size(2 * 1024 * 1024);
    let upload = Upload::new(
        "livret_famille",
        today(),
        vec![pdf_file("livret.pdf", content.clone())],
    );
    let created = post_upload(&app, &family, &dossier, &upload, "sauvegarde").await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.expect("piece");
    let file_path = format!(
        "/api/dossiers/{dossier}/pieces/{}/fichiers/{}",
        created["id"].as_str().expect("piece"),
        created["fichiers"][0]["id"].as_str().expect("file")
    );
    let dossier_path = format!("/api/dossiers/{dossier}");
    let before: Value = get(&app.address, &dossier_path, &family.access_token)
        .await
        .json()
        .await
        .expect("dossier");
    let (document, document_bytes) = public_document(&app.address).await;

    // Backed up with the server's own settings.
    let work =
        TempDir(std::env::temp_dir().join(format!("pf-drill-{}", uuid::Uuid::new_v4().simple())));
    let backup = work.0.join("sauvegarde");
    let mut source = environment(&app.db, &app.dir.0);
    source.push((
        "STORAGE_URL".into(),
        app.dir.0.join("files").display().to_string(),
    ));
    script("backup.sh", &backup, &source);

    // Restored into a new, empty database and a new bucket.
    let restored_db = TestDb::empty_postgres();
    let garage = &*crate::helpers::garage::GARAGE;
    let bucket = garage.new_bucket();
    let mut target = environment(&restored_db, &work.0.join("serveur"));
    target.push(("STORAGE_URL".into(), bucket));
    for (key, value) in garage.options() {
        target.push((key.to_uppercase(), value));
    }
    script("restore.sh", &backup, &target);

    // A server on the restored portal.
    let extra: Vec<(&str, &str)> = target
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let server = Server::start_with(&restored_db, &work.0.join("serveur"), &extra);
    server.wait_ready(Duration::from_secs(60)).await;
    let login = reqwest::Client::new()
        .post(format!("{}/api/auth/login", server.base))
        .json(&serde_json::json!({"login": family.username, "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    assert_eq!(
        login.status(),
        StatusCode::OK,
        "the family's password still opens its account"
    );
    let token = login.json::<Value>().await.expect("tokens")["access_token"]
        .as_str()
        .expect("token")
        .to_string();
    let after: Value = get(&server.base, &dossier_path, &token)
        .await
        .json()
        .await
        .expect("dossier");
    assert_eq!(after, before, "the same dossier");
    let file = get(&server.base, &file_path, &token).await;
    assert_eq!(file.status(), StatusCode::OK);
    assert!(
        file.bytes().await.expect("bytes") == content,
        "the same file, byte for byte"
    );
    assert_eq!(
        public_document(&server.base).await,
        (document, document_bytes)
    );
}
