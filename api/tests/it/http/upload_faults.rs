//! Uploads when the parts they need fail (issue 15; SECURITY.md L-08): the S3 store down,
//! the scratch disk full. Each answers 503 with a French problem and `Retry-After` within
//! seconds, leaves nothing behind (no row, no object, no scratch file), keeps the server up,
//! and the same upload, retried with the same Idempotency-Key once the fault is gone,
//! creates exactly one piece.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use api::auth::throttle::LoginPolicy;
use api::documents::storage::{Shelf, StorageLocation};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::files;
use crate::helpers::relay::{Mode, Relay};
use crate::helpers::spawn::{Family, TestApp};
use crate::helpers::spawn_app_with;
use crate::http::pieces::{
    Upload, count_rows, pdf_file, post_upload, small_dossier, stored_objects, today,
};

const MIB: usize = 1024 * 1024;

fn livret(size: usize) -> Upload {
    Upload::new(
        "livret_famille",
        today(),
        vec![pdf_file("livret.pdf", files::pdf_of_size(size))],
    )
}

/// Uploads and expects the store's or the disk's 503: a problem document that says nothing
/// was kept and when to come back, answered well before any client would give up.
async fn expect_unavailable(
    app: &TestApp,
    family: &Family,
    dossier: &str,
    upload: &Upload,
    key: &str,
    says: &str,
) {
    let started = Instant::now();
    let response = post_upload(app, family, dossier, upload, key).await;
    let elapsed = started.elapsed();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: Value = response.json().await.expect("problem");
    let detail = body["detail"].as_str().expect("detail");
    assert!(detail.contains(says), "{body}");
    assert!(detail.contains("rien n'a été enregistré"), "{body}");
    assert!(
        elapsed < Duration::from_secs(20),
        "answered after {elapsed:?}"
    );
}

async fn expect_created(
    app: &TestApp,
    family: &Family,
    dossier: &str,
    upload: &Upload,
    key: &str,
) -> Value {
    let response = post_upload(app, family, dossier, upload, key).await;
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn an_s3_store_that_is_down_answers_503_keeps_nothing_and_works_again_once_back() {
    let garage = &*crate::helpers::garage::GARAGE;
    let s3_port: u16 = garage
        .endpoint
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("the node's S3 port");
    // The server reaches the node through a relay that can refuse: the store « down ».
    let relay = Relay::start(s3_port).await;
    let url = garage.new_bucket();
    let options = garage
        .options()
        .into_iter()
        .map(|(key, value)| match key.as_str() {
            "aws_endpoint" => (key, format!("http://127.0.0.1:{}", relay.port)),
            _ => (key, value),
        })
        .collect();
    let app = spawn_app_with(
        |settings| settings.storage = StorageLocation::S3 { url, options },
        LoginPolicy::default(),
    )
    .await;
    let family = app.family().await;
    let (dossier, _) = small_dossier(&app, &family, None).await;
    let in_bucket = || async {
        app.state
            .storage
            .ids_older_than(
                Shelf::Pieces,
                chrono::Utc::now() + chrono::Duration::hours(1),
            )
            .await
            .expect("list the bucket")
    };

    // A piece stored while the store works.
    let kept = expect_created(&app, &family, &dossier, &livret(100 * 1024), "kept").await;
    let kept_file = format!(
        "/api/dossiers/{dossier}/pieces/{}/fichiers/{}",
        kept["id"].as_str().expect("piece"),
        kept["fichiers"][0]["id"].as_str().expect("file")
    );

    relay.set(Mode::Refuse);
    // Its download: the same clear 503, not an error of ours.
    let download = app.get_auth(&kept_file, &family.access_token).await;
    assert_eq!(download.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = download.json().await.expect("problem");
    assert!(
        body["detail"]
            .as_str()
            .expect("detail")
            .contains("stockage"),
        "{body}"
    );
    // 6 MiB: more than one part of a multipart upload.
    let upload = livret(6 * MIB);
    expect_unavailable(&app, &family, &dossier, &upload, "same-key", "stockage").await;
    let ready = app.client.get(app.url("/api/health/ready")).send().await;
    assert_eq!(
        ready.expect("ready").status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "a server that cannot store files is not ready"
    );
    // The family's other work goes on.
    let me = app.get_auth("/api/me", &family.access_token).await;
    assert_eq!(me.status(), StatusCode::OK);

    relay.set(Mode::Forward);
    assert_eq!(count_rows(&app, "pieces"), 1, "a piece row was written");
    assert_eq!(count_rows(&app, "piece_files"), 1, "a file row was written");
    assert_eq!(
        in_bucket().await.len(),
        1,
        "an object was left in the bucket"
    );
    assert!(
        entries(&app.dir.0.join("scratch")).is_empty(),
        "a scratch file was left"
    );

    // The same upload, retried with the same key: one piece, one object.
    let created = expect_created(&app, &family, &dossier, &upload, "same-key").await;
    let again = expect_created(&app, &family, &dossier, &upload, "same-key").await;
    assert_eq!(
        created["id"], again["id"],
        "the retry is answered, not redone"
    );
    assert_eq!(count_rows(&app, "pieces"), 2);
    assert_eq!(in_bucket().await.len(), 2);
    let download = app.get_auth(&kept_file, &family.access_token).await;
    assert_eq!(download.status(), StatusCode::OK, "served again");
}

/// A small tmpfs, unmounted (lazily, so that a failing test never leaves it busy) on drop.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(size: &str) -> Option<Self> {
        let dir = std::env::temp_dir().join(format!("pf-scratch-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("mount point");
        let mounted = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        if mounted {
            Some(Self(dir))
        } else {
            let _ = std::fs::remove_dir(&dir);
            None
        }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        let _ = std::fs::remove_dir(&self.0);
    }
}

#[tokio::test]
async fn a_full_scratch_disk_refuses_uploads_with_503_and_the_server_stays_up() {
    // Mounting needs root, as the README's test command runs on CI and on these machines.
    let Some(disk) = SmallDisk::mount("1m") else {
        assert!(
            !crate::helpers::running_as_root(),
            "root could not mount a tmpfs: the scratch-disk test cannot run"
        );
        eprintln!("not root: a tmpfs cannot be mounted, the scratch-disk test does not run");
        return;
    };
    let scratch = disk.0.clone();
    let app = spawn_app_with(
        |settings| settings.upload_scratch_dir = scratch,
        LoginPolicy::default(),
    )
    .await;
    let family = app.family().await;
    let (dossier, _) = small_dossier(&app, &family, None).await;

    // 3 MiB cannot be received on a 1 MiB disk.
    let too_big = livret(3 * MIB);
    expect_unavailable(&app, &family, &dossier, &too_big, "first", "place").await;
    assert!(
        entries(&disk.0).is_empty(),
        "the partial scratch file stayed"
    );
    assert_eq!(count_rows(&app, "pieces"), 0, "a piece row was written");
    assert!(stored_objects(&app).is_empty(), "an object was stored");

    // The space was given back: a file that fits goes through on the same server.
    let small = livret(200 * 1024);
    expect_created(&app, &family, &dossier, &small, "second").await;
    assert_eq!(count_rows(&app, "pieces"), 1);
    assert_eq!(stored_objects(&app).len(), 1);
    assert!(entries(&disk.0).is_empty(), "the scratch file stayed");
}
