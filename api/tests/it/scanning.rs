//! Malware scanning with a real clamd (issue 16; SECURITY.md E-07, L-09). With the scanner
//! down, uploads are accepted and wait, served to nobody; once it is back every waiting
//! file is scanned: the clean one is served, the PDF carrying the EICAR test string is
//! quarantined — refused to the family and to the agents — and the family and the
//! administrators are told by email. Without a scanner (the embedded default) files are
//! served at once, as before.

use std::time::{Duration, Instant};

use api::auth::throttle::LoginPolicy;
use api::db::models::file_scan;
use diesel::prelude::*;
use lopdf::{Stream, dictionary};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::clamd::{CLAMD, EICAR};
use crate::helpers::files;
use crate::helpers::mail::wait_for_mail;
use crate::helpers::relay::{Mode, Relay};
use crate::helpers::spawn::{Family, TestApp};
use crate::helpers::spawn_app_with;
use crate::http::pieces::{Upload, pdf_file, post_upload, small_dossier, today};
use crate::http::staff::{administrator, staff_session};

/// Uploads one PDF as a new piece; answers the path of its file.
async fn upload(
    app: &TestApp,
    family: &Family,
    dossier: &str,
    name: &str,
    bytes: Vec<u8>,
) -> String {
    let upload = Upload::new("livret_famille", today(), vec![pdf_file(name, bytes)]);
    let response = post_upload(
        app,
        family,
        dossier,
        &upload,
        &uuid::Uuid::new_v4().to_string(),
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "uploads are not held by the scanner"
    );
    let piece: Value = response.json().await.expect("piece");
    format!(
        "/api/dossiers/{dossier}/pieces/{}/fichiers/{}",
        piece["id"].as_str().expect("piece id"),
        piece["fichiers"][0]["id"].as_str().expect("file id")
    )
}

/// The scan states of the pieces' files, in the database (the demo public document is
/// scanned too).
fn states(app: &TestApp) -> Vec<String> {
    use api::db::schema::file_scans;
    file_scans::table
        .filter(file_scans::shelf.eq(file_scan::PIECES))
        .select(file_scans::state)
        .load(&mut app.db.connect())
        .expect("scan states")
}

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < Duration::from_secs(20), "never: {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The path of the demo public document's file.
async fn public_document(app: &TestApp) -> String {
    let list = app.get_json("/api/documents").await;
    let id = list["items"][0]["id"].as_str().expect("the demo document");
    format!("/api/documents/{id}/fichier")
}

/// What the family's pieces list says of each file: (file name, `analyse`).
async fn listed(app: &TestApp, family: &Family, dossier: &str) -> Vec<(String, Value)> {
    let list: Value = app
        .get_auth(
            &format!("/api/dossiers/{dossier}/pieces"),
            &family.access_token,
        )
        .await
        .json()
        .await
        .expect("pieces");
    let mut files: Vec<(String, Value)> = list["fournies"]
        .as_array()
        .expect("pieces")
        .iter()
        .flat_map(|p| p["fichiers"].as_array().cloned().unwrap_or_default())
        .map(|f| {
            (
                f["nom"].as_str().unwrap_or_default().to_string(),
                f["analyse"].clone(),
            )
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

async fn detail(response: reqwest::Response) -> String {
    let body: Value = response.json().await.expect("problem");
    body["detail"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn files_wait_for_the_scanner_and_an_eicar_pdf_is_quarantined() {
    let clamd = &*CLAMD;
    // clamd behind a relay: first down (refusing), then back.
    let relay = Relay::start(clamd.port).await;
    relay.set(Mode::Refuse);
    let app = spawn_app_with(
        |s| s.clamd_address = Some(format!("127.0.0.1:{}", relay.port)),
        LoginPolicy::default(),
    )
    .await;
    let (admin, admin_email) = administrator(&app);
    let family = app.family().await;
    let (dossier, _) = small_dossier(&app, &family, None).await;
    let clean_bytes = files::pdf("Livret de famille");
    let clean = upload(&app, &family, &dossier, "livret.pdf", clean_bytes.clone()).await;
    let infected_bytes = files::pdf_with(1, "Livret de famille", |doc, _| {
        doc.add_object(Stream::new(dictionary! {}, EICAR.as_bytes().to_vec()));
    });
    let infected = upload(&app, &family, &dossier, "piege.pdf", infected_bytes).await;

    // The scanner is down: both files were tried and wait; neither is served.
    wait_until("both scans failed", || {
        let states = states(&app);
        states.len() == 2 && states.iter().all(|s| s == file_scan::state::FAILED)
    })
    .await;
    assert!(
        listed(&app, &family, &dossier)
            .await
            .iter()
            .all(|(_, analyse)| analyse == "en_cours")
    );
    let document = public_document(&app).await;
    let response = app
        .client
        .get(app.url(&document))
        .send()
        .await
        .expect("get");
    assert_eq!(
        response.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "public documents wait too"
    );
    for path in [&clean, &infected] {
        let response = app.get_auth(path, &family.access_token).await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(response.headers().contains_key("retry-after"));
        assert!(
            detail(response)
                .await
                .contains("en cours d'analyse antivirus")
        );
    }

    // Back: every waiting file is scanned.
    relay.set(Mode::Forward);
    wait_until("both files scanned", || {
        let mut states = states(&app);
        states.sort();
        states == [file_scan::state::CLEAN, file_scan::state::INFECTED]
    })
    .await;
    wait_until("every public document scanned", || {
        use api::db::schema::{documents, file_scans};
        let mut conn = app.db.connect();
        let total: i64 = documents::table
            .count()
            .get_result(&mut conn)
            .expect("documents");
        let clean: i64 = file_scans::table
            .filter(file_scans::shelf.eq(file_scan::DOCUMENTS))
            .filter(file_scans::state.eq(file_scan::state::CLEAN))
            .count()
            .get_result(&mut conn)
            .expect("verdicts");
        total > 0 && clean == total
    })
    .await;
    let response = app
        .client
        .get(app.url(&document))
        .send()
        .await
        .expect("get");
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "the public document was clean"
    );
    // The list tells the family which file is clean and which was set aside.
    assert_eq!(
        listed(&app, &family, &dossier).await,
        vec![
            ("livret.pdf".to_string(), json!("saine")),
            ("piege.pdf".to_string(), json!("quarantaine")),
        ]
    );
    let served = app.get_auth(&clean, &family.access_token).await;
    assert_eq!(served.status(), StatusCode::OK);
    assert!(served.bytes().await.expect("bytes") == clean_bytes);
    let refused = app.get_auth(&infected, &family.access_token).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(detail(refused).await.contains("quarantaine"));

    // Agents cannot download it either.
    let (_, token) = staff_session(&app, &admin).await;
    let file_id = infected.rsplit('/').next().expect("file id");
    let piece_id = infected.split('/').nth(5).expect("piece id");
    let response = app
        .get_auth(
            &format!("/api/backoffice/pieces/{piece_id}/fichiers/{file_id}"),
            &token,
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // The family and the administrators were told.
    let told = wait_for_mail(&family.email, "n'a pas pu être accepté").await;
    assert!(told.text.contains("« piege.pdf »"), "{}", told.text);
    let alert = wait_for_mail(&admin_email, "fichier infecté").await;
    assert!(alert.text.contains("Portail.Test.EICAR"), "{}", alert.text);
}

#[tokio::test]
async fn without_a_scanner_files_are_served_at_once() {
    let app = spawn_app_with(|s| s.clamd_address = None, LoginPolicy::default()).await;
    let family = app.family().await;
    let (dossier, _) = small_dossier(&app, &family, None).await;
    let path = upload(&app, &family, &dossier, "livret.pdf", files::pdf("Livret")).await;
    assert_eq!(
        app.get_auth(&path, &family.access_token).await.status(),
        StatusCode::OK
    );
    assert!(states(&app).is_empty(), "nothing is scanned");
    assert_eq!(
        listed(&app, &family, &dossier).await,
        vec![("livret.pdf".to_string(), Value::Null)],
        "no antivirus, no analysis to tell of"
    );
    let document = public_document(&app).await;
    assert_eq!(
        app.client
            .get(app.url(&document))
            .send()
            .await
            .expect("get")
            .status(),
        StatusCode::OK
    );
}
