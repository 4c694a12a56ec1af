//! Pièces justificatives over HTTP: the seed's step 2, requirements and validity, and every
//! bad upload of SECURITY.md E-01 to E-06, with the files on disk checked afterwards;
//! idempotent retries (H-02), a crash between storage and commit (H-05), access (C-01).

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Duration;

use api::auth::throttle::LoginPolicy;
use chrono::{Months, NaiveDate};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::files::{self, PNG};
use crate::helpers::spawn::{Family, TestApp};
use crate::helpers::{spawn_app, spawn_app_with};
use crate::http::dossiers::{apply, member, new_dossier, seed_household, write};

const MIB: usize = 1024 * 1024;

pub(crate) fn today() -> NaiveDate {
    api::domain::calendar::today()
}

/// One file of an upload: name, bytes, declared type.
pub(crate) struct File {
    name: String,
    bytes: Vec<u8>,
    mime: &'static str,
}

pub(crate) fn pdf_file(name: &str, bytes: Vec<u8>) -> File {
    File {
        name: name.to_string(),
        bytes,
        mime: "application/pdf",
    }
}

/// An upload's form: text fields first, then the files.
pub(crate) struct Upload {
    type_code: &'static str,
    member_id: Option<String>,
    emis_le: NaiveDate,
    files: Vec<File>,
}

impl Upload {
    pub(crate) fn new(type_code: &'static str, emis_le: NaiveDate, files: Vec<File>) -> Self {
        Self {
            type_code,
            member_id: None,
            emis_le,
            files,
        }
    }

    pub(crate) fn form(&self) -> Form {
        let mut form = Form::new()
            .text("type_code", self.type_code)
            .text("member_id", self.member_id.clone().unwrap_or_default())
            .text("emis_le", self.emis_le.to_string());
        for file in &self.files {
            form = form.part(
                "fichier",
                Part::bytes(file.bytes.clone())
                    .file_name(file.name.clone())
                    .mime_str(file.mime)
                    .expect("mime"),
            );
        }
        form
    }
}

pub(crate) async fn post_upload(
    app: &TestApp,
    family: &Family,
    dossier_id: &str,
    upload: &Upload,
    key: &str,
) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/dossiers/{dossier_id}/pieces")))
        .bearer_auth(&family.access_token)
        .header("idempotency-key", key)
        .multipart(upload.form())
        .send()
        .await
        .expect("upload")
}

/// Uploads and expects `expected`; answers the JSON body.
async fn upload_expect(
    app: &TestApp,
    family: &Family,
    dossier_id: &str,
    upload: &Upload,
    expected: StatusCode,
) -> Value {
    let response = post_upload(
        app,
        family,
        dossier_id,
        upload,
        &uuid::Uuid::new_v4().to_string(),
    )
    .await;
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert_eq!(status, expected, "{body}");
    body
}

async fn pieces(app: &TestApp, family: &Family, dossier_id: &str) -> Value {
    let response = app
        .get_auth(
            &format!("/api/dossiers/{dossier_id}/pieces"),
            &family.access_token,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    response.json().await.expect("json")
}

/// Uploads the seed's two required pieces (livret de famille, proof of address).
pub(crate) async fn provide_required_pieces(app: &TestApp, family: &Family, dossier_id: &str) {
    for (type_code, emis_le) in [
        (
            "livret_famille",
            NaiveDate::from_ymd_opt(2018, 1, 15).expect("date"),
        ),
        (
            "justificatif_domicile",
            today() - chrono::Duration::days(10),
        ),
    ] {
        let upload = Upload::new(
            type_code,
            emis_le,
            vec![pdf_file("piece.pdf", files::pdf(type_code))],
        );
        upload_expect(app, family, dossier_id, &upload, StatusCode::CREATED).await;
    }
}

/// Every regular file under `dir`, relative to it.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path.strip_prefix(dir).expect("inside").to_path_buf());
            }
        }
    }
    found.sort();
    found
}

/// The stored objects of the app: `files/pieces/<uuid>` and nothing else anywhere.
pub(crate) fn stored_objects(app: &TestApp) -> Vec<String> {
    let all = files_under(&app.dir.0);
    let mut objects = Vec::new();
    for path in all {
        let parts: Vec<_> = path
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        match parts.as_slice() {
            // The town's public documents (the demo one) live on their own shelf.
            [files, documents, id] if files == "files" && documents == "documents" => {
                assert!(
                    uuid::Uuid::parse_str(id).is_ok(),
                    "object not named by a uuid: {path:?}"
                );
            }
            [files, pieces, id] if files == "files" && pieces == "pieces" => {
                assert!(
                    uuid::Uuid::parse_str(id).is_ok(),
                    "object not named by a uuid: {path:?}"
                );
                objects.push(id.clone());
            }
            _ => panic!("unexpected file in the app directory: {path:?}"),
        }
    }
    objects
}

pub(crate) fn count_rows(app: &TestApp, table: &str) -> i64 {
    use api::db::schema::{piece_files, pieces};
    use diesel::prelude::*;
    let mut conn = app.db.connect();
    match table {
        "pieces" => pieces::table.count().get_result(&mut conn),
        "piece_files" => piece_files::table.count().get_result(&mut conn),
        other => panic!("no count for {other}"),
    }
    .expect("count")
}

/// Nothing of a refused upload remains: no row, no object, no scratch file.
fn assert_nothing_stored(app: &TestApp) {
    assert_eq!(count_rows(app, "pieces"), 0, "a piece row was written");
    assert_eq!(count_rows(app, "piece_files"), 0, "a file row was written");
    assert!(stored_objects(app).is_empty(), "an object was stored");
}

/// A family with a draft dossier holding one responsable and one child; answers the
/// dossier id and the child's member id.
pub(crate) async fn small_dossier(
    app: &TestApp,
    family: &Family,
    situation: Option<&str>,
) -> (String, String) {
    let dossier = new_dossier(app, family).await;
    let id = dossier["id"].as_str().expect("id").to_string();
    let mut mother = member("responsable", Some("Mère"), Some("1985-03-02"));
    mother["situation_familiale"] = json!(situation);
    let path = format!("/api/dossiers/{id}/members");
    let dossier = apply(
        app,
        family,
        Method::POST,
        &path,
        &dossier,
        mother,
        StatusCode::CREATED,
    )
    .await;
    let dossier = apply(
        app,
        family,
        Method::POST,
        &path,
        &dossier,
        member("enfant", Some("Léa"), Some("2018-01-01")),
        StatusCode::CREATED,
    )
    .await;
    let child = dossier["members"][1]["id"]
        .as_str()
        .expect("child")
        .to_string();
    (id, child)
}

fn problem_field<'a>(body: &'a Value, field: &str) -> &'a Value {
    &body["fields"][field][0]
}

#[tokio::test]
async fn the_seed_step_two_two_required_pieces_provided_then_submitted() {
    let app = spawn_app().await;
    let family = app.family().await;
    let dossier = seed_household(&app, &family).await;
    let id = dossier["id"].as_str().expect("id");

    let step = pieces(&app, &family, id).await;
    let required: Vec<(&str, &str, &str)> = step["a_fournir"]
        .as_array()
        .expect("a_fournir")
        .iter()
        .map(|r| {
            (
                r["status"].as_str().expect("status"),
                r["type_libelle"].as_str().expect("type"),
                r["lie_a"]["libelle"].as_str().expect("lie_a"),
            )
        })
        .collect();
    assert_eq!(
        required,
        vec![
            (
                "non_fournie",
                "Livret de Famille (Partie parents et enfants)",
                "Dossier"
            ),
            (
                "non_fournie",
                "Justificatif de Domicile de moins de 3 mois",
                "Dossier"
            ),
        ]
    );
    assert_eq!(step["fournies"], json!([]));
    assert_eq!(step["limites"]["taille_max_fichier"], 10 * MIB);
    assert_eq!(step["modifiable"], true);

    // Submitting now names the missing pieces.
    let demande = dossier["demande"]["id"].as_str().expect("demande");
    let refused = write(
        &app,
        &family.access_token,
        Method::POST,
        &format!("/api/demandes/{demande}/submit"),
        dossier["version"].as_i64(),
        Some(json!({})),
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = refused.json().await.expect("json");
    assert_eq!(body["fields"]["pieces.livret_famille"][0], "piece_missing");
    assert_eq!(
        body["fields"]["pieces.justificatif_domicile"][0],
        "piece_missing"
    );

    let issued = today() - chrono::Duration::days(10);
    let livret = files::pdf("Livret de famille");
    let two_files = Upload::new(
        "livret_famille",
        NaiveDate::from_ymd_opt(2018, 1, 15).expect("date"),
        vec![
            pdf_file("livret-parents.pdf", livret.clone()),
            pdf_file("livret-enfants.pdf", files::pdf("Pages enfants")),
        ],
    );
    let created = app
        .client
        .post(app.url(&format!("/api/dossiers/{id}/pieces")))
        .bearer_auth(&family.access_token)
        .header("idempotency-key", "livret-1")
        .multipart(two_files.form())
        .send()
        .await
        .expect("upload");
    assert_eq!(created.status(), StatusCode::CREATED);
    let location = created.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let livret_piece: Value = created.json().await.expect("json");
    assert_eq!(
        location,
        format!(
            "/api/dossiers/{id}/pieces/{}",
            livret_piece["id"].as_str().expect("id")
        )
    );
    assert_eq!(livret_piece["status"], "en_attente_validation");
    assert_eq!(livret_piece["presente_le"], today().to_string());
    assert_eq!(livret_piece["fin_validite"], Value::Null);
    assert_eq!(livret_piece["fichiers"].as_array().expect("files").len(), 2);
    assert_eq!(livret_piece["fichiers"][0]["nom"], "livret-parents.pdf");

    let domicile = upload_expect(
        &app,
        &family,
        id,
        &Upload::new(
            "justificatif_domicile",
            issued,
            vec![pdf_file("facture EDF.pdf", files::pdf("Facture"))],
        ),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(domicile["emis_le"], issued.to_string());
    assert_eq!(
        domicile["fin_validite"],
        (issued + Months::new(3)).to_string(),
        "a proof of address is valid 3 months from its issue"
    );

    // The files are really stored, named by ids, private, with their SHA-256.
    let file = &livret_piece["fichiers"][0];
    let file_id = file["id"].as_str().expect("file id");
    let on_disk = app
        .state
        .storage
        .local_path(api::documents::storage::Shelf::Pieces, file_id)
        .expect("local store");
    assert_eq!(std::fs::read(&on_disk).expect("stored file"), livret);
    {
        use sha2::Digest;
        assert_eq!(file["sha256"], hex::encode(sha2::Sha256::digest(&livret)));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&on_disk)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o640, "stored files are private");
    }
    assert_eq!(stored_objects(&app).len(), 3);

    let step = pieces(&app, &family, id).await;
    let statuses: Vec<&str> = step["a_fournir"]
        .as_array()
        .expect("a_fournir")
        .iter()
        .map(|r| r["status"].as_str().expect("status"))
        .collect();
    assert_eq!(
        statuses,
        vec!["en_attente_validation", "en_attente_validation"]
    );
    assert_eq!(step["fournies"].as_array().expect("fournies").len(), 2);
    assert_eq!(step["limites"]["fichiers_utilises"], 3);

    let submitted = write(
        &app,
        &family.access_token,
        Method::POST,
        &format!("/api/demandes/{demande}/submit"),
        dossier["version"].as_i64(),
        Some(json!({})),
    )
    .await;
    assert_eq!(submitted.status(), StatusCode::OK);

    // While the town reviews it, pieces cannot change.
    let locked = upload_expect(
        &app,
        &family,
        id,
        &Upload::new(
            "avis_imposition",
            issued,
            vec![pdf_file("avis.pdf", files::pdf("Avis"))],
        ),
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(locked["code"], "dossier_locked");
    let piece_id = livret_piece["id"].as_str().expect("id");
    let delete = app
        .client
        .delete(app.url(&format!("/api/dossiers/{id}/pieces/{piece_id}")))
        .bearer_auth(&family.access_token)
        .send()
        .await
        .expect("delete");
    assert_eq!(delete.status(), StatusCode::CONFLICT);
    let step = pieces(&app, &family, id).await;
    assert_eq!(step["modifiable"], false);
    assert_eq!(step["fournies"][0]["modifiable"], false);
    assert_eq!(stored_objects(&app).len(), 3);
}

#[tokio::test]
async fn requirements_follow_the_household_and_validity_follows_the_type() {
    let app = spawn_app().await;
    let family = app.family().await;
    let (id, child) = small_dossier(&app, &family, Some("divorce")).await;

    let step = pieces(&app, &family, &id).await;
    let codes: Vec<&str> = step["a_fournir"]
        .as_array()
        .expect("a_fournir")
        .iter()
        .map(|r| r["type_code"].as_str().expect("code"))
        .collect();
    assert_eq!(
        codes,
        vec![
            "livret_famille",
            "justificatif_domicile",
            "jugement_residence"
        ],
        "a divorced responsable must provide the custody judgement"
    );
    let person_types: Vec<&Value> = step["types"]
        .as_array()
        .expect("types")
        .iter()
        .filter(|t| t["cible"] == "personne")
        .collect();
    assert!(person_types.iter().all(|t| t["roles"] == json!(["enfant"])));

    // The 3-month rule, and dates in the future.
    let presented = today();
    let too_old =
        presented.checked_sub_months(Months::new(3)).expect("date") - chrono::Duration::days(1);
    for (emis_le, code) in [
        (too_old, "piece_too_old"),
        (presented + chrono::Duration::days(1), "date_in_future"),
    ] {
        let body = upload_expect(
            &app,
            &family,
            &id,
            &Upload::new(
                "justificatif_domicile",
                emis_le,
                vec![pdf_file("facture.pdf", files::pdf("Facture"))],
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(problem_field(&body, "emis_le"), code, "{emis_le}");
    }
    assert_nothing_stored(&app);

    // A person piece needs a person the type allows; a dossier piece needs none.
    let mut vaccins = Upload::new(
        "carnet_vaccinations",
        presented,
        vec![File {
            name: "carnet.png".into(),
            bytes: PNG.to_vec(),
            mime: "image/png",
        }],
    );
    let body = upload_expect(
        &app,
        &family,
        &id,
        &vaccins,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem_field(&body, "member_id"), "required");
    let dossier: Value = app
        .get_auth(&format!("/api/dossiers/{id}"), &family.access_token)
        .await
        .json()
        .await
        .expect("json");
    vaccins.member_id = dossier["members"][0]["id"].as_str().map(str::to_string);
    let body = upload_expect(
        &app,
        &family,
        &id,
        &vaccins,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        problem_field(&body, "member_id"),
        "wrong_target",
        "the mother is not a child"
    );
    vaccins.member_id = Some(child.clone());
    let carnet = upload_expect(&app, &family, &id, &vaccins, StatusCode::CREATED).await;
    assert_eq!(carnet["lie_a"]["libelle"], "Léa DEMONSTRATION");
    assert_eq!(
        carnet["fichiers"][0]["format"], "png",
        "this type accepts photos"
    );

    // Validity: N months from issue, or the end of the school year.
    let issued = NaiveDate::from_ymd_opt(2026, 10, 1)
        .expect("date")
        .min(presented);
    let avis = upload_expect(
        &app,
        &family,
        &id,
        &Upload::new(
            "avis_imposition",
            issued,
            vec![pdf_file("avis.pdf", files::pdf("Avis"))],
        ),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(avis["fin_validite"], (issued + Months::new(12)).to_string());
    let mut assurance = Upload::new(
        "attestation_assurance",
        issued,
        vec![pdf_file("assurance.pdf", files::pdf("Assurance"))],
    );
    assurance.member_id = Some(child);
    let assurance = upload_expect(&app, &family, &id, &assurance, StatusCode::CREATED).await;
    assert_eq!(
        assurance["fin_validite"],
        shared::pieces::end_of_school_year(issued).to_string()
    );

    // A piece past its end of validity is « expirée », and no longer counts.
    let domicile = upload_expect(
        &app,
        &family,
        &id,
        &Upload::new(
            "justificatif_domicile",
            presented,
            vec![pdf_file("facture.pdf", files::pdf("Facture"))],
        ),
        StatusCode::CREATED,
    )
    .await;
    {
        use api::db::schema::pieces;
        use diesel::prelude::*;
        let mut conn = app.db.connect();
        diesel::update(pieces::table.find(domicile["id"].as_str().expect("id")))
            .set(pieces::fin_validite.eq(Some(presented - chrono::Duration::days(1))))
            .execute(&mut conn)
            .expect("age the piece");
    }
    let step = pieces(&app, &family, &id).await;
    let domicile_requirement = step["a_fournir"]
        .as_array()
        .expect("a_fournir")
        .iter()
        .find(|r| r["type_code"] == "justificatif_domicile")
        .expect("required")
        .clone();
    assert_eq!(domicile_requirement["status"], "expiree");
}

#[tokio::test]
async fn oversized_uploads_are_cut_off_at_the_limit() {
    let app = spawn_app().await;
    let family = app.family().await;
    let (id, _) = small_dossier(&app, &family, None).await;
    let issued = today();

    // 10 MiB is accepted; 10 MiB + 1 byte is refused with the limit in the message.
    let exact = upload_expect(
        &app,
        &family,
        &id,
        &Upload::new(
            "livret_famille",
            issued,
            vec![pdf_file("exact.pdf", files::pdf_of_size(10 * MIB))],
        ),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(exact["fichiers"][0]["taille"], 10 * MIB);
    let body = upload_expect(
        &app,
        &family,
        &id,
        &Upload::new(
            "livret_famille",
            issued,
            vec![pdf_file("gros.pdf", files::pdf_of_size(10 * MIB + 1))],
        ),
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    assert_eq!(body["code"], "payload_too_large");
    assert_eq!(problem_field(&body, "fichiers.0"), "file_too_large");
    assert!(
        body["detail"].as_str().expect("detail").contains("10 Mio"),
        "{body}"
    );

    // A chunked body without Content-Length, of 1 GiB, is cut off near the limit.
    let head = files::pdf("début");
    let chunks = futures_util::stream::iter((0..1024).map(move |i| {
        let chunk = if i == 0 {
            let mut c = head.clone();
            c.resize(MIB, b' ');
            c
        } else {
            vec![b' '; MIB]
        };
        Ok::<_, std::io::Error>(chunk)
    }));
    let form = Form::new()
        .text("type_code", "livret_famille")
        .text("emis_le", issued.to_string())
        .part(
            "fichier",
            Part::stream(reqwest::Body::wrap_stream(chunks))
                .file_name("infini.pdf")
                .mime_str("application/pdf")
                .expect("mime"),
        );
    let read_before = app.state.upload_bytes_read.load(Ordering::SeqCst);
    let response = app
        .client
        .post(app.url(&format!("/api/dossiers/{id}/pieces")))
        .bearer_auth(&family.access_token)
        .header("idempotency-key", "chunked")
        .multipart(form)
        .send()
        .await;
    // The server answers and closes while the client is still sending.
    if let Ok(response) = response {
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
    // Once it refused, the server reads nothing more, however long the client goes on.
    let at_answer = app.state.upload_bytes_read.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let later = app.state.upload_bytes_read.load(Ordering::SeqCst);
    assert_eq!(
        at_answer, later,
        "the server kept reading after its refusal"
    );
    // A bound by construction, not a measurement: the file limit (10 MiB), the multipart
    // envelope before it (text fields and part headers, well under 4 KiB), at most one chunk
    // of the HTTP layer read past the limit before the parser notices (actix-http hands out
    // at most its 128 KiB read buffer plus one 8 KiB read), then the 64 KiB read and dropped
    // after the refusal (ENVELOPE_BYTES).
    let read = later - read_before;
    let bound = 10 * MIB + 4 * 1024 + (128 + 8) * 1024 + 64 * 1024;
    assert!(
        read <= bound as u64,
        "the server read {read} bytes of a 1 GiB body (bound {bound})"
    );
    // (The client may go on sending for a moment: actix-http reads and drops what follows a
    // refused body for up to a second before closing, so that the client sees the answer;
    // none of it reaches the application, as the counter shows.)

    // A body announced larger than any upload is refused before it is read.
    let address = app.address.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&address)
        .await
        .expect("connect");
    let request = format!(
        "POST /api/dossiers/{id}/pieces HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\n\
         Idempotency-Key: announced\r\nContent-Type: multipart/form-data; boundary=x\r\n\
         Content-Length: 1073741824\r\n\r\n",
        family.access_token
    );
    stream
        .write_all(request.as_bytes())
        .await
        .expect("send headers");
    let mut answer = vec![0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut answer))
        .await
        .expect("answered without the body")
        .expect("read");
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");

    // Only the accepted 10 MiB file was kept.
    assert_eq!(stored_objects(&app).len(), 1);
    assert_eq!(count_rows(&app, "piece_files"), 1);
}

#[tokio::test]
async fn the_format_is_decided_by_the_content_and_active_or_hybrid_files_are_refused() {
    let app = spawn_app().await;
    let family = app.family().await;
    let (id, _) = small_dossier(&app, &family, None).await;
    let issued = today();
    let bomb = files::pdf_bomb(300 * MIB);
    let cases: Vec<(&str, File, StatusCode, &str)> = vec![
        (
            "HTML named .pdf",
            pdf_file("x.pdf", files::HTML.to_vec()),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "format_not_accepted",
        ),
        (
            "PNG declared as PDF",
            pdf_file("scan.pdf", PNG.to_vec()),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "format_not_accepted",
        ),
        (
            "PDF running JavaScript",
            pdf_file("facture.pdf", files::pdf_with_javascript()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "pdf_active_content",
        ),
        (
            "PDF carrying a file",
            pdf_file("facture.pdf", files::pdf_with_embedded_file()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "pdf_active_content",
        ),
        (
            "PDF + ZIP polyglot",
            pdf_file("facture.pdf", files::pdf_with_zip_appended()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "file_damaged",
        ),
        (
            "PDF holding HTML",
            pdf_file("facture.pdf", files::pdf_with_html()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "file_damaged",
        ),
        (
            "truncated PDF",
            pdf_file("facture.pdf", files::pdf("Facture")[..200].to_vec()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "file_damaged",
        ),
        (
            "100,000 pages",
            pdf_file("pages.pdf", files::pdf_page_flood(100_000)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "file_damaged",
        ),
    ];
    for (what, file, status, code) in cases {
        let body = upload_expect(
            &app,
            &family,
            &id,
            &Upload::new(
                "livret_famille",
                issued,
                vec![pdf_file("ok.pdf", files::pdf("ok")), file],
            ),
            status,
        )
        .await;
        assert_eq!(problem_field(&body, "fichiers.1"), code, "{what}: {body}");
        assert!(
            body["detail"]
                .as_str()
                .expect("detail")
                .starts_with("Le fichier «"),
            "{what}: {body}"
        );
        assert_nothing_stored(&app);
    }

    // A deflate bomb (a few hundred KB inflating past the budget) is refused by the inflation
    // budget — not by running out of CPU or time, which would say « trop complexe ».
    assert!(bomb.len() < MIB, "the bomb is small: {}", bomb.len());
    let body = upload_expect(
        &app,
        &family,
        &id,
        &Upload::new("livret_famille", issued, vec![pdf_file("bombe.pdf", bomb)]),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem_field(&body, "fichiers.0"), "file_damaged");
    assert!(
        body["detail"]
            .as_str()
            .expect("detail")
            .contains("données compressées démesurées"),
        "{body}"
    );
    assert_nothing_stored(&app);

    // A real PDF passes.
    upload_expect(
        &app,
        &family,
        &id,
        &Upload::new(
            "livret_famille",
            issued,
            vec![pdf_file("livret.pdf", files::pdf("Livret"))],
        ),
        StatusCode::CREATED,
    )
    .await;
}

#[tokio::test]
async fn hostile_file_names_never_reach_the_disk_and_downloads_are_inert() {
    let app = spawn_app().await;
    let family = app.family().await;
    let (id, _) = small_dossier(&app, &family, None).await;
    let long = format!("{}.pdf", "a".repeat(300));
    let names = [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\x.pdf", "x.pdf"),
        ("%2e%2e%2fx.pdf", "%2e%2e%2fx.pdf"),
        ("x.pdf%00.html", "x.pdf%00.html"),
        ("facture\u{202E}fdp.exe", "facturefdp.exe"),
        ("a\"b;c été.pdf", "a\"b;c été.pdf"),
    ];
    let mut uploaded = Vec::new();
    let files_list: Vec<File> = names
        .iter()
        .map(|(name, _)| pdf_file(name, files::pdf(name)))
        .collect();
    let (first, rest) = files_list.split_at(5);
    for batch in [
        first.iter().collect::<Vec<_>>(),
        rest.iter()
            .chain(std::iter::once(&pdf_file(&long, files::pdf("long"))))
            .collect(),
    ] {
        let upload = Upload::new(
            "livret_famille",
            today(),
            batch
                .into_iter()
                .map(|f| File {
                    name: f.name.clone(),
                    bytes: f.bytes.clone(),
                    mime: f.mime,
                })
                .collect(),
        );
        let piece = upload_expect(&app, &family, &id, &upload, StatusCode::CREATED).await;
        uploaded.push(piece);
    }
    let shown: Vec<String> = uploaded
        .iter()
        .flat_map(|p| p["fichiers"].as_array().expect("files").clone())
        .map(|f| f["nom"].as_str().expect("nom").to_string())
        .collect();
    let mut expected: Vec<String> = names.iter().map(|(_, shown)| shown.to_string()).collect();
    expected.push(format!("{}….pdf", "a".repeat(115)));
    assert_eq!(shown, expected);
    // Only `files/pieces/<uuid>` objects exist; nothing was written where the names point.
    assert_eq!(stored_objects(&app).len(), 7);
    let parent = app.dir.0.parent().expect("parent");
    for stray in ["x.pdf", "passwd", "x.pdf%00.html"] {
        assert!(!parent.join(stray).exists() && !app.dir.0.join(stray).exists());
    }

    // Download: attachment, encoded name, inert headers, the exact bytes.
    let piece = &uploaded[1];
    let file = &piece["fichiers"][0];
    let url = format!(
        "/api/dossiers/{id}/pieces/{}/fichiers/{}",
        piece["id"].as_str().expect("piece"),
        file["id"].as_str().expect("file")
    );
    let response = app.get_auth(&url, &family.access_token).await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"a_b_c _t_.pdf\"; filename*=UTF-8''a%22b%3Bc%20%C3%A9t%C3%A9.pdf"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(
        headers["content-security-policy"],
        "sandbox; default-src 'none'"
    );
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(
        response.bytes().await.expect("body").as_ref(),
        files::pdf(names[5].0).as_slice()
    );

    // Stored files are never served by path.
    let object = file["id"].as_str().expect("id");
    for path in [
        format!("/uploads/{object}"),
        format!("/files/pieces/{object}"),
        format!("/pieces/{object}"),
    ] {
        let response = app.client.get(app.url(&path)).send().await.expect("get");
        let body = response.bytes().await.expect("body");
        assert!(!body.starts_with(b"%PDF"), "{path} served a stored file");
    }
}

#[tokio::test]
async fn a_retried_upload_creates_one_piece() {
    let app = spawn_app().await;
    let family = app.family().await;
    let (id, _) = small_dossier(&app, &family, None).await;
    let upload = Upload::new(
        "livret_famille",
        today(),
        vec![pdf_file("livret.pdf", files::pdf("Livret"))],
    );

    let first = post_upload(&app, &family, &id, &upload, "retry-key").await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.expect("json");
    let again = post_upload(&app, &family, &id, &upload, "retry-key").await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(
        again.json::<Value>().await.expect("json"),
        first,
        "the retry replays the first answer"
    );
    assert_eq!(count_rows(&app, "pieces"), 1);
    assert_eq!(stored_objects(&app).len(), 1);

    let other = Upload::new(
        "livret_famille",
        today(),
        vec![pdf_file("autre.pdf", files::pdf("Autre"))],
    );
    let reused = post_upload(&app, &family, &id, &other, "retry-key").await;
    assert_eq!(reused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reused.json::<Value>().await.expect("json")["code"],
        "idempotency_key_reused"
    );

    let keyless = app
        .client
        .post(app.url(&format!("/api/dossiers/{id}/pieces")))
        .bearer_auth(&family.access_token)
        .multipart(upload.form())
        .send()
        .await
        .expect("upload");
    assert_eq!(keyless.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        keyless.json::<Value>().await.expect("json")["code"],
        "idempotency_key_required"
    );

    // Two at once with one key: one stores, the other is told to wait.
    let big = Upload::new(
        "livret_famille",
        today(),
        vec![pdf_file("gros.pdf", files::pdf_of_size(8 * MIB))],
    );
    let (a, b) = tokio::join!(
        post_upload(&app, &family, &id, &big, "concurrent-key"),
        post_upload(&app, &family, &id, &big, "concurrent-key"),
    );
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CONFLICT]);
    assert_eq!(count_rows(&app, "pieces"), 2);
    assert_eq!(stored_objects(&app).len(), 2);

    // A failed upload frees its key: the corrected retry goes through.
    let bad = Upload::new(
        "livret_famille",
        today(),
        vec![pdf_file("x.pdf", files::HTML.to_vec())],
    );
    assert_eq!(
        post_upload(&app, &family, &id, &bad, "fix-me")
            .await
            .status(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let good = Upload::new(
        "livret_famille",
        today(),
        vec![pdf_file("x.pdf", files::pdf("corrigé"))],
    );
    assert_eq!(
        post_upload(&app, &family, &id, &good, "fix-me")
            .await
            .status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn pieces_are_replaced_and_deleted_with_their_files_and_quotas_hold() {
    let app = spawn_app().await;
    let family = app.family().await;
    let (id, _) = small_dossier(&app, &family, None).await;
    let piece = upload_expect(
        &app,
        &family,
        &id,
        &Upload::new(
            "livret_famille",
            today(),
            vec![pdf_file("ancien.pdf", files::pdf("ancien"))],
        ),
        StatusCode::CREATED,
    )
    .await;
    let piece_id = piece["id"].as_str().expect("id");
    let old_file = piece["fichiers"][0]["id"]
        .as_str()
        .expect("file")
        .to_string();

    let replacement = Upload::new(
        "livret_famille",
        today(),
        vec![pdf_file("nouveau.pdf", files::pdf("nouveau"))],
    );
    let replaced = app
        .client
        .put(app.url(&format!("/api/dossiers/{id}/pieces/{piece_id}")))
        .bearer_auth(&family.access_token)
        .multipart(replacement.form())
        .send()
        .await
        .expect("replace");
    assert_eq!(replaced.status(), StatusCode::OK);
    let replaced: Value = replaced.json().await.expect("json");
    assert_eq!(replaced["id"], piece["id"]);
    assert_eq!(replaced["fichiers"][0]["nom"], "nouveau.pdf");
    let objects = stored_objects(&app);
    assert_eq!(objects.len(), 1);
    assert!(!objects.contains(&old_file), "the replaced file is gone");

    let deleted = app
        .client
        .delete(app.url(&format!("/api/dossiers/{id}/pieces/{piece_id}")))
        .bearer_auth(&family.access_token)
        .send()
        .await
        .expect("delete");
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_nothing_stored(&app);

    // 5 files per piece; 20 files per dossier; a family cannot set a status.
    let six: Vec<File> = (0..6)
        .map(|i| pdf_file(&format!("{i}.pdf"), files::pdf("page")))
        .collect();
    let body = upload_expect(
        &app,
        &family,
        &id,
        &Upload::new("livret_famille", today(), six),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem_field(&body, "fichiers"), "too_many_files");
    assert_nothing_stored(&app);
    for _ in 0..4 {
        let five: Vec<File> = (0..5)
            .map(|i| pdf_file(&format!("{i}.pdf"), files::pdf("page")))
            .collect();
        upload_expect(
            &app,
            &family,
            &id,
            &Upload::new("livret_famille", today(), five),
            StatusCode::CREATED,
        )
        .await;
    }
    let body = upload_expect(
        &app,
        &family,
        &id,
        &Upload::new(
            "livret_famille",
            today(),
            vec![pdf_file("21.pdf", files::pdf("page"))],
        ),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        problem_field(&body, "fichiers"),
        "quota_exceeded",
        "the 21st file"
    );
    assert!(
        body["detail"]
            .as_str()
            .expect("detail")
            .contains("20 fichiers")
    );
    let with_status = Form::new()
        .text("type_code", "livret_famille")
        .text("status", "validee");
    let response = app
        .client
        .post(app.url(&format!("/api/dossiers/{id}/pieces")))
        .bearer_auth(&family.access_token)
        .header("idempotency-key", "status")
        .multipart(with_status)
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        response.json::<Value>().await.expect("json")["fields"]["status"][0],
        "unknown_field"
    );
    assert_eq!(stored_objects(&app).len(), 20);
}

#[tokio::test]
async fn the_byte_quota_refuses_the_hundred_and_first_mebibyte() {
    let app = spawn_app().await;
    let family = app.family().await;
    let (id, _) = small_dossier(&app, &family, None).await;
    for batch in 0..2 {
        let five: Vec<File> = (0..5)
            .map(|i| pdf_file(&format!("{batch}-{i}.pdf"), files::pdf_of_size(10 * MIB)))
            .collect();
        upload_expect(
            &app,
            &family,
            &id,
            &Upload::new("livret_famille", today(), five),
            StatusCode::CREATED,
        )
        .await;
    }
    let body = upload_expect(
        &app,
        &family,
        &id,
        &Upload::new(
            "livret_famille",
            today(),
            vec![pdf_file("plus.pdf", files::pdf("un octet de trop"))],
        ),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem_field(&body, "fichiers"), "quota_exceeded");
    assert!(body["detail"].as_str().expect("detail").contains("100 Mio"));
    assert_eq!(stored_objects(&app).len(), 10);
}

#[tokio::test]
async fn another_family_gets_404_on_every_piece_route() {
    let app = spawn_app().await;
    let owner = app.family().await;
    let (id, _) = small_dossier(&app, &owner, None).await;
    let piece = upload_expect(
        &app,
        &owner,
        &id,
        &Upload::new(
            "livret_famille",
            today(),
            vec![pdf_file("livret.pdf", files::pdf("Livret"))],
        ),
        StatusCode::CREATED,
    )
    .await;
    let piece_id = piece["id"].as_str().expect("piece");
    let file_id = piece["fichiers"][0]["id"].as_str().expect("file");
    let intruder = app.family().await;
    let (own_id, _) = small_dossier(&app, &intruder, None).await;
    let missing = uuid::Uuid::new_v4();

    let upload = Upload::new(
        "livret_famille",
        today(),
        vec![pdf_file("x.pdf", files::pdf("x"))],
    );
    let mut answers = Vec::new();
    for dossier in [id.as_str(), own_id.as_str()] {
        let base = format!("/api/dossiers/{dossier}/pieces");
        let requests = vec![
            app.client.get(app.url(&base)),
            app.client
                .post(app.url(&base))
                .header("idempotency-key", uuid::Uuid::new_v4().to_string())
                .multipart(upload.form()),
            app.client
                .put(app.url(&format!("{base}/{piece_id}")))
                .multipart(upload.form()),
            app.client.delete(app.url(&format!("{base}/{piece_id}"))),
            app.client
                .get(app.url(&format!("{base}/{piece_id}/fichiers/{file_id}"))),
            app.client
                .get(app.url(&format!("{base}/{missing}/fichiers/{missing}"))),
        ];
        for (index, request) in requests.into_iter().enumerate() {
            if dossier == own_id && index < 2 {
                continue; // the intruder's own dossier: listing and adding are fine.
            }
            let response = request
                .bearer_auth(&intruder.access_token)
                .send()
                .await
                .expect("request");
            let status = response.status();
            let body = response.text().await.expect("body");
            answers.push((status, crate::helpers::but_request_id(&body)));
        }
    }
    let reference = &answers[answers.len() - 1];
    for (status, body) in &answers {
        assert_eq!(*status, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(body, &reference.1, "byte-identical to a missing id");
    }
    // The owner's piece is untouched.
    assert_eq!(
        pieces(&app, &owner, &id).await["fournies"]
            .as_array()
            .expect("fournies")
            .len(),
        1
    );
    let anonymous = app
        .client
        .get(app.url(&format!("/api/dossiers/{id}/pieces")))
        .send()
        .await
        .expect("get");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_crash_between_storing_and_recording_leaves_no_row_and_the_orphan_is_collected() {
    let app = spawn_app_with(
        |settings| settings.fault_injection.fail_after_storing_files = true,
        LoginPolicy::default(),
    )
    .await;
    let family = app.family().await;
    let (id, _) = small_dossier(&app, &family, None).await;
    let upload = Upload::new(
        "livret_famille",
        today(),
        vec![pdf_file("livret.pdf", files::pdf("Livret"))],
    );
    let response = post_upload(&app, &family, &id, &upload, "crash").await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(count_rows(&app, "pieces"), 0, "no row points at anything");
    assert_eq!(count_rows(&app, "piece_files"), 0);
    assert_eq!(
        stored_objects(&app).len(),
        1,
        "the stored file is an orphan"
    );

    // Young orphans may belong to an upload about to commit: they stay; old ones go.
    let pool = &app.state.pool;
    let kept = api::jobs::collect_orphan_files(
        pool,
        &app.state.storage,
        chrono::Utc::now() - chrono::Duration::hours(1),
    )
    .await
    .expect("collect");
    assert_eq!(kept, 0);
    let collected = api::jobs::collect_orphan_files(
        pool,
        &app.state.storage,
        chrono::Utc::now() + chrono::Duration::seconds(1),
    )
    .await
    .expect("collect");
    assert_eq!(collected, 1);
    assert!(stored_objects(&app).is_empty());
}

#[tokio::test]
async fn the_orphan_collector_keeps_every_recorded_file() {
    let app = spawn_app().await;
    let family = app.family().await;
    let (id, _) = small_dossier(&app, &family, None).await;
    provide_required_pieces(&app, &family, &id).await;
    let collected = api::jobs::collect_orphan_files(
        &app.state.pool,
        &app.state.storage,
        chrono::Utc::now() + chrono::Duration::seconds(1),
    )
    .await
    .expect("collect");
    assert_eq!(collected, 0);
    assert_eq!(stored_objects(&app).len(), 2);
    let catalogue: Value = app
        .client
        .get(app.url("/api/types-de-piece"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(catalogue["items"].as_array().expect("items").len(), 7);
}

/// Two uploads at once on a dossier one file short of its quota: one is recorded, the other
/// refused, even when both check the quota before either commits (the injected pause keeps
/// each transaction open after its check; PostgreSQL needs the dossier's row lock for this).
#[tokio::test]
async fn two_uploads_at_once_cannot_pass_the_quota_together() {
    let app = spawn_app_with(
        |settings| {
            settings.fault_injection.hold_after_quota_check = Some(Duration::from_millis(500));
        },
        LoginPolicy::default(),
    )
    .await;
    let family = app.family().await;
    let (id, _) = small_dossier(&app, &family, None).await;
    for count in [5, 5, 5, 4] {
        let files: Vec<File> = (0..count)
            .map(|i| pdf_file(&format!("{i}.pdf"), files::pdf("page")))
            .collect();
        upload_expect(
            &app,
            &family,
            &id,
            &Upload::new("livret_famille", today(), files),
            StatusCode::CREATED,
        )
        .await;
    }
    let one = |name: &str| {
        Upload::new(
            "livret_famille",
            today(),
            vec![pdf_file(name, files::pdf(name))],
        )
    };
    let (first, second) = (one("a.pdf"), one("b.pdf"));
    let (a, b) = tokio::join!(
        post_upload(&app, &family, &id, &first, "concurrent-a"),
        post_upload(&app, &family, &id, &second, "concurrent-b"),
    );
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::CREATED, StatusCode::UNPROCESSABLE_ENTITY],
        "one upload takes the 20th place, the other is refused"
    );
    let listed = pieces(&app, &family, &id).await;
    let recorded: usize = listed["fournies"]
        .as_array()
        .expect("fournies")
        .iter()
        .map(|p| p["fichiers"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(recorded, 20);
    assert_eq!(
        stored_objects(&app).len(),
        20,
        "the refused file is not kept"
    );
}

/// Pieces in an S3 bucket (`STORAGE_URL=s3://…`), against a real S3-compatible server (one
/// Garage node): uploaded, downloaded byte for byte, replaced (the old object leaves the
/// bucket), and an interrupted upload's orphan collected by the hourly job.
#[tokio::test]
async fn pieces_are_stored_in_an_s3_bucket() {
    let garage = &*crate::helpers::garage::GARAGE;
    let url = garage.new_bucket();
    let app = spawn_app_with(
        |settings| {
            settings.storage = api::documents::storage::StorageLocation::S3 {
                url,
                options: garage.options(),
            };
        },
        LoginPolicy::default(),
    )
    .await;
    let family = app.family().await;
    let (id, _) = small_dossier(&app, &family, None).await;
    let content = files::pdf_of_size(6 * MIB);
    let created = upload_expect(
        &app,
        &family,
        &id,
        &Upload::new(
            "livret_famille",
            today(),
            vec![pdf_file("livret.pdf", content.clone())],
        ),
        StatusCode::CREATED,
    )
    .await;
    let in_bucket = || async {
        app.state
            .storage
            .ids_older_than(
                api::documents::storage::Shelf::Pieces,
                chrono::Utc::now() + chrono::Duration::hours(1),
            )
            .await
            .expect("list the bucket")
    };
    let first = in_bucket().await;
    assert_eq!(first.len(), 1, "one object: {first:?}");
    assert!(stored_objects(&app).is_empty(), "nothing on the local disk");

    // Downloaded whole (a 6 MiB file crosses the 5 MiB multipart boundary).
    let (piece_id, file_id) = (
        created["id"].as_str().expect("piece id"),
        created["fichiers"][0]["id"].as_str().expect("file id"),
    );
    let downloaded = app
        .get_auth(
            &format!("/api/dossiers/{id}/pieces/{piece_id}/fichiers/{file_id}"),
            &family.access_token,
        )
        .await;
    assert_eq!(downloaded.status(), StatusCode::OK);
    assert!(
        downloaded.bytes().await.expect("body") == content,
        "the same bytes"
    );

    // Replaced: the old object leaves the bucket.
    let replaced = app
        .client
        .put(app.url(&format!("/api/dossiers/{id}/pieces/{piece_id}")))
        .bearer_auth(&family.access_token)
        .header("idempotency-key", "replace-s3")
        .multipart(
            Upload::new(
                "livret_famille",
                today(),
                vec![pdf_file("nouveau.pdf", files::pdf("Nouveau"))],
            )
            .form(),
        )
        .send()
        .await
        .expect("replace");
    assert_eq!(replaced.status(), StatusCode::OK);
    let second = in_bucket().await;
    assert_eq!(second.len(), 1);
    assert_ne!(second, first, "the old object is gone");

    // An orphan (an object no row names) is collected once old enough.
    let orphan = app.dir.0.join("orphelin.pdf");
    std::fs::write(&orphan, files::pdf("Orphelin")).expect("write");
    app.state
        .storage
        .put_file(
            api::documents::storage::Shelf::Pieces,
            &uuid::Uuid::new_v4().to_string(),
            &orphan,
        )
        .await
        .expect("store an orphan");
    assert_eq!(in_bucket().await.len(), 2);
    let collected = api::jobs::collect_orphan_files(
        &app.state.pool,
        &app.state.storage,
        chrono::Utc::now() + chrono::Duration::seconds(1),
    )
    .await
    .expect("collect");
    assert_eq!(collected, 1);
    assert_eq!(in_bucket().await, second, "recorded files stay");
}

/// Item 7 of issue 10: a body that is not `multipart/form-data` with a boundary — JSON,
/// text, nothing, multipart without its boundary — is refused with 415 before anything is
/// read (it used to panic inside the multipart parser and leave the Idempotency-Key « in
/// progress » for a day); the key stays free for the real upload.
#[tokio::test]
async fn a_body_that_is_not_multipart_is_refused_with_415_and_leaves_the_key_free() {
    let app = spawn_app().await;
    let family = app.family().await;
    let (id, _) = small_dossier(&app, &family, None).await;
    let url = app.url(&format!("/api/dossiers/{id}/pieces"));
    let key = "cle-reutilisee-apres-refus";
    let refused = [
        (
            Some("application/json"),
            "{\"type_code\":\"livret_famille\"}",
        ),
        (Some("text/plain"), "bonjour"),
        (None, ""),
        (Some("multipart/form-data"), "--x\r\n\r\n--x--\r\n"),
    ];
    for (content_type, body) in refused {
        let mut request = app
            .client
            .post(&url)
            .bearer_auth(&family.access_token)
            .header("idempotency-key", key)
            .body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = request
            .send()
            .await
            .expect("an answer, not a reset connection");
        assert_eq!(
            response.status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}"
        );
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
    // The same for a replacement.
    let replaced = app
        .client
        .put(app.url(&format!(
            "/api/dossiers/{id}/pieces/{}",
            uuid::Uuid::new_v4()
        )))
        .bearer_auth(&family.access_token)
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("answer");
    assert_eq!(replaced.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let upload = Upload::new(
        "livret_famille",
        today(),
        vec![pdf_file("livret.pdf", files::pdf("livret"))],
    );
    let accepted = post_upload(&app, &family, &id, &upload, key).await;
    assert_eq!(
        accepted.status(),
        StatusCode::CREATED,
        "the key was never taken"
    );
}

/// A key that is not visible ASCII is reported as such (422 on `Idempotency-Key`), not as
/// missing.
#[tokio::test]
async fn an_unreadable_idempotency_key_is_refused_as_such() {
    let app = spawn_app().await;
    let family = app.family().await;
    let (id, _) = small_dossier(&app, &family, None).await;
    let upload = Upload::new(
        "livret_famille",
        today(),
        vec![pdf_file("livret.pdf", files::pdf("livret"))],
    );
    for key in ["clé-avec-accent", "deux mots"] {
        let response = post_upload(&app, &family, &id, &upload, key).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{key}");
        let body: Value = response.json().await.expect("json");
        assert!(
            body["fields"]["Idempotency-Key"].is_array(),
            "{key}: {body}"
        );
    }
}
