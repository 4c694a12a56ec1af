//! Families' rights over their data and retention that runs by itself (issue 16): the
//! récépissé attached to the submission and decision emails, « Une copie de mes données »
//! (a ZIP checked against the published schema, downloaded after the password with a
//! one-time link), « Fermer mon compte », and each retention rule against the database's
//! clock moved forward.

use std::io::Read;

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::mail::wait_for_mail;
use crate::helpers::spawn::{Family, TestApp};
use crate::helpers::{PASSWORD, spawn_app};
use crate::http::dossiers::new_dossier;
use crate::http::pieces::provide_required_pieces;
use crate::http::review::submitted;
use crate::http::staff::{administrator, staff_session};

fn pdf_text(pdf: &[u8]) -> String {
    let document = lopdf::Document::load_mem(pdf).expect("a PDF");
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    document.extract_text(&pages).expect("its text")
}

async fn decide(app: &TestApp, agent: &str, path: &str, body: Value) {
    let response = app.post_json_auth(path, agent, &body).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap_or_default()
    );
}

async fn agent(app: &TestApp) -> String {
    let (admin, _) = administrator(app);
    staff_session(app, &admin).await.1
}

async fn pieces(app: &TestApp, family: &Family, dossier_id: &str) -> Vec<Value> {
    let body: Value = app
        .get_auth(
            &format!("/api/dossiers/{dossier_id}/pieces"),
            &family.access_token,
        )
        .await
        .json()
        .await
        .expect("json");
    body["fournies"].as_array().expect("pieces").clone()
}

fn piece<'a>(pieces: &'a [Value], type_code: &str) -> &'a Value {
    pieces
        .iter()
        .find(|p| p["type_code"] == type_code)
        .expect("piece")
}

/// The id of a piece's first file.
fn first_file(piece: &Value) -> String {
    piece["fichiers"][0]["id"]
        .as_str()
        .expect("file")
        .to_string()
}

fn stored(app: &TestApp, shelf: api::documents::storage::Shelf, id: &str) -> bool {
    app.state
        .storage
        .local_path(shelf, id)
        .expect("local store")
        .exists()
}

#[tokio::test]
async fn a_receipt_is_attached_to_the_submission_and_to_the_decision_and_downloadable() {
    let app = spawn_app().await;
    let family = app.family().await;
    let (_, demande) = submitted(&app, &family).await;
    let number = demande.split('-').next().expect("uuid").to_uppercase();

    let received = wait_for_mail(&family.email, "a bien été reçue").await;
    let name = format!("recepisse-{number}.pdf");
    let attached = received
        .attachments
        .iter()
        .find(|a| a.filename == name)
        .unwrap_or_else(|| panic!("no {name} in {:?}", received.attachments));
    assert_eq!(attached.content_type, "application/pdf");
    let text = pdf_text(&received.attachment(&name).await);
    for expected in [
        "Ville de Chartres",
        "Récépissé de dépôt de demande",
        number.as_str(),
        "Création de dossier famille",
        "En attente de validation",
        "DEMONSTRATION",
        "Livret de Famille",
        "1 place des Halles 28000 Chartres",
    ] {
        assert!(
            text.contains(expected),
            "« {expected} » missing from:\n{text}"
        );
    }

    // « Consulter ma demande » gives the same document as it stands.
    let download = app
        .get_auth(
            &format!("/api/demandes/{demande}/recepisse"),
            &family.access_token,
        )
        .await;
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.headers()["content-type"], "application/pdf");
    assert!(
        download.headers()["content-disposition"]
            .to_str()
            .expect("header")
            .contains(&name)
    );
    assert!(pdf_text(&download.bytes().await.expect("pdf")).contains(number.as_str()));
    // Another family cannot read it.
    let other = app.family().await;
    let refused = app
        .get_auth(
            &format!("/api/demandes/{demande}/recepisse"),
            &other.access_token,
        )
        .await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);

    let agent = agent(&app).await;
    decide(
        &app,
        &agent,
        &format!("/api/backoffice/demandes/{demande}/decision"),
        json!({"decision": "validee"}),
    )
    .await;
    let decided = wait_for_mail(
        &family.email,
        "Votre demande de création de dossier famille —",
    )
    .await;
    let text = pdf_text(&decided.attachment(&name).await);
    assert!(text.contains("Récépissé de décision"), "{text}");
    assert!(text.contains("Validée"), "{text}");
    assert!(text.contains("Numéro du dossier famille"), "{text}");
}

/// Reads a ZIP's entries: (name, content).
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP");
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).expect("entry");
            let mut content = Vec::new();
            entry.read_to_end(&mut content).expect("content");
            (entry.name().expect("a name").to_string(), content)
        })
        .collect()
}

fn entry<'a>(entries: &'a [(String, Vec<u8>)], name: &str) -> &'a [u8] {
    &entries
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no {name} in the ZIP"))
        .1
}

#[tokio::test]
async fn a_family_gets_a_copy_of_its_data_after_typing_its_password_once() {
    let app = spawn_app().await;
    let family = app.family().await;
    let (dossier_id, _) = submitted(&app, &family).await;
    // Another family, whose data must not appear in this copy.
    let stranger = app.family().await;
    submitted(&app, &stranger).await;

    let asked = app
        .post_json_auth("/api/me/exports", &family.access_token, &json!({}))
        .await;
    assert_eq!(asked.status(), StatusCode::ACCEPTED);
    let asked: Value = asked.json().await.expect("json");
    assert_eq!(asked["state"], "en_preparation");
    let id = asked["id"].as_str().expect("id").to_string();
    // Asking again while it is prepared answers the same copy.
    let again: Value = app
        .post_json_auth("/api/me/exports", &family.access_token, &json!({}))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(again["id"], id.as_str());

    // The server's job prepares it (within the test, as soon as asked).
    let started = std::time::Instant::now();
    let ready = loop {
        let list: Value = app
            .get_auth("/api/me/exports", &family.access_token)
            .await
            .json()
            .await
            .expect("json");
        if list["items"][0]["state"] == "prete" {
            break list["items"][0].clone();
        }
        assert!(started.elapsed().as_secs() < 30, "not ready: {list}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert!(ready["size_bytes"].as_u64().expect("size") > 1000);
    wait_for_mail(&family.email, "La copie de vos données est prête").await;

    // No link without the password; a wrong one changes nothing.
    let link_path = format!("/api/me/exports/{id}/lien");
    let wrong = app
        .post_json_auth(
            &link_path,
            &family.access_token,
            &json!({"password": "pas le bon"}),
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = wrong.json().await.expect("json");
    assert_eq!(problem["fields"]["password"][0], "wrong_password");
    let link: Value = app
        .post_json_auth(
            &link_path,
            &family.access_token,
            &json!({"password": PASSWORD}),
        )
        .await
        .json()
        .await
        .expect("json");
    let url = link["url"].as_str().expect("url");
    assert!(url.starts_with(&format!("/api/exports/{id}/telechargement?jeton=")));

    let download = app.client.get(app.url(url)).send().await.expect("download");
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(download.headers()["content-type"], "application/zip");
    assert_eq!(download.headers()["cache-control"], "private, no-store");
    let entries = unzip(&download.bytes().await.expect("zip"));
    for (name, content) in &entries {
        let text = String::from_utf8_lossy(content);
        assert!(
            !text.contains(&stranger.email) && !text.contains(&stranger.username),
            "{name} holds another family's data"
        );
    }
    // The link works once.
    let replay = app.client.get(app.url(url)).send().await.expect("replay");
    assert_eq!(replay.status(), StatusCode::NOT_FOUND);

    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../openapi/donnees-personnelles.schema.json"
        ))
        .expect("the committed schema"),
    )
    .expect("JSON");
    let parts = [
        "compte",
        "connexions",
        "dossier",
        "demandes",
        "pieces",
        "fichiers",
        "inscriptions",
        "voeux",
        "emails",
        "consultations",
    ];
    let mut copy = serde_json::Map::new();
    for part in parts {
        let value: Value =
            serde_json::from_slice(entry(&entries, &format!("{part}.json"))).expect("JSON part");
        copy.insert(part.to_string(), value);
    }
    let copy = Value::Object(copy);
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let errors: Vec<String> = validator
        .iter_errors(&copy)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "the copy does not follow its schema: {errors:#?}"
    );

    assert_eq!(copy["compte"]["email"], family.email.as_str());
    assert!(copy["compte"].get("password_hash").is_none());
    assert_eq!(copy["dossier"]["id"], dossier_id.as_str());
    assert_eq!(copy["demandes"][0]["status"], "en_attente_validation");
    assert!(
        !copy["connexions"].as_array().expect("logins").is_empty(),
        "{}",
        copy["connexions"]
    );
    assert!(
        copy["emails"]["items"]
            .as_array()
            .expect("emails")
            .iter()
            .any(|e| e["kind"] == "demande_received")
    );
    // Every piece's file is there, byte for byte as uploaded.
    let files = copy["fichiers"].as_array().expect("files");
    assert_eq!(files.len(), 2);
    for file in files {
        let path = file["chemin"].as_str().expect("path");
        let inside = entry(&entries, path);
        assert_eq!(inside.len() as u64, file["taille"].as_u64().expect("size"));
        assert!(inside.starts_with(b"%PDF-"));
    }
    assert!(String::from_utf8_lossy(entry(&entries, "LISEZMOI.txt")).contains("portabilité"));
}

/// `UPDATE_OPENAPI=1 cargo test -p api --test it schema_of_the_copy` rewrites it after a
/// deliberate change of the copy's documents.
#[test]
fn the_committed_schema_of_the_copy_is_the_one_the_code_generates() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../openapi/donnees-personnelles.schema.json");
    let generated =
        serde_json::to_string_pretty(&api::privacy::export::schema()).expect("serialise") + "\n";
    if std::env::var("UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated).expect("write the schema");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/donnees-personnelles.schema.json is stale: run `UPDATE_OPENAPI=1 cargo test -p api --test it schema_of_the_copy` and commit it"
    );
}

#[tokio::test]
async fn closing_an_account_takes_the_password_ends_its_sessions_and_keeps_the_towns_records() {
    let app = spawn_app().await;
    let family = app.family().await;
    let (dossier_id, demande) = submitted(&app, &family).await;
    let agent = agent(&app).await;

    let wrong = app
        .post_json_auth(
            "/api/me/fermeture",
            &family.access_token,
            &json!({"password": "pas le bon"}),
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.get_auth("/api/me", &family.access_token).await.status(),
        StatusCode::OK
    );

    let closed = app
        .post_json_auth(
            "/api/me/fermeture",
            &family.access_token,
            &json!({"password": PASSWORD}),
        )
        .await;
    assert_eq!(closed.status(), StatusCode::NO_CONTENT);
    // Its session ended at once, its refresh token with it, and the login is gone.
    assert_eq!(
        app.get_auth("/api/me", &family.access_token).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.refresh(&family.refresh_cookie).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.login(&family.username, PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let confirmation = wait_for_mail(&family.email, "Votre compte a été fermé").await;
    assert!(confirmation.text.contains("La mairie conserve"));

    // The town still has the dossier it received and the request.
    let review = app
        .get_auth(&format!("/api/backoffice/demandes/{demande}"), &agent)
        .await;
    assert_eq!(review.status(), StatusCode::OK);
    let review: Value = review.json().await.expect("json");
    assert_eq!(review["demande"]["dossier"]["id"], dossier_id.as_str());
    assert_eq!(review["pieces"].as_array().expect("pieces").len(), 2);
}

#[tokio::test]
async fn closing_an_account_erases_a_draft_never_sent_and_its_files() {
    let app = spawn_app().await;
    let family = app.family().await;
    let dossier = new_dossier(&app, &family).await;
    let dossier_id = dossier["id"].as_str().expect("id").to_string();
    provide_required_pieces(&app, &family, &dossier_id).await;
    let files: Vec<String> = pieces(&app, &family, &dossier_id)
        .await
        .iter()
        .map(first_file)
        .collect();
    use api::documents::storage::Shelf;
    assert!(files.iter().all(|f| stored(&app, Shelf::Pieces, f)));

    let closed = app
        .post_json_auth(
            "/api/me/fermeture",
            &family.access_token,
            &json!({"password": PASSWORD}),
        )
        .await;
    assert_eq!(closed.status(), StatusCode::NO_CONTENT);
    let mut conn = app.state.pool.get().expect("conn");
    assert!(
        api::db::models::dossier::find(&mut conn, &dossier_id).is_err(),
        "the draft dossier was erased"
    );
    assert!(files.iter().all(|f| !stored(&app, Shelf::Pieces, f)));
}

#[tokio::test]
async fn files_of_decided_pieces_go_at_the_end_of_their_retention_and_the_check_stays() {
    use api::documents::storage::Shelf;
    let app = spawn_app().await;
    let family = app.family().await;
    let (dossier_id, demande) = submitted(&app, &family).await;
    let agent = agent(&app).await;
    let before = pieces(&app, &family, &dossier_id).await;
    let livret = piece(&before, "livret_famille").clone();
    let domicile = piece(&before, "justificatif_domicile").clone();
    // The agent refuses the livret and validates the proof of address (valid three months).
    decide(
        &app,
        &agent,
        &format!(
            "/api/backoffice/pieces/{}/decision",
            livret["id"].as_str().expect("id")
        ),
        json!({"decision": "refusee", "motif": "illisible"}),
    )
    .await;
    decide(
        &app,
        &agent,
        &format!(
            "/api/backoffice/pieces/{}/decision",
            domicile["id"].as_str().expect("id")
        ),
        json!({"decision": "validee"}),
    )
    .await;
    let sweep = || api::privacy::retention::sweep(&app.state);

    // 29 days on: nothing is due yet.
    app.state.clock.advance(Duration::days(29));
    assert_eq!(sweep().await.expect("sweep").pieces_erased, 0);
    // 31 days after the refusal: the refused piece's file goes; the piece stays, refused.
    app.state.clock.advance(Duration::days(2));
    assert_eq!(sweep().await.expect("sweep").pieces_erased, 1);
    assert!(!stored(&app, Shelf::Pieces, &first_file(&livret)));
    assert!(stored(&app, Shelf::Pieces, &first_file(&domicile)));
    let now = pieces(&app, &family, &dossier_id).await;
    let refused = piece(&now, "livret_famille");
    assert_eq!(refused["status"], "refusee");
    assert_eq!(refused["fichiers"], json!([]));
    assert!(refused["verifiee_le"].is_string());
    assert!(refused["fichiers_supprimes_le"].is_string());
    let gone = app
        .get_auth(
            &format!(
                "/api/dossiers/{dossier_id}/pieces/{}/fichiers/{}",
                livret["id"].as_str().expect("id"),
                first_file(&livret)
            ),
            &family.access_token,
        )
        .await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);

    // Past its end of validity, the validated proof of address goes too, its check kept.
    app.state.clock.advance(Duration::days(70));
    assert_eq!(sweep().await.expect("sweep").pieces_erased, 1);
    assert!(!stored(&app, Shelf::Pieces, &first_file(&domicile)));
    let now = pieces(&app, &family, &dossier_id).await;
    let validated = piece(&now, "justificatif_domicile");
    assert!(validated["verifiee_le"].is_string());
    assert!(validated["fichiers_supprimes_le"].is_string());
    // Sweeping again erases nothing twice.
    assert_eq!(sweep().await.expect("sweep").pieces_erased, 0);
    // The request is still reviewable by the town, its pieces listed without files.
    let review: Value = app
        .get_auth(&format!("/api/backoffice/demandes/{demande}"), &agent)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(review["pieces"].as_array().expect("pieces").len(), 2);
}

#[tokio::test]
async fn a_validated_piece_without_end_of_validity_keeps_its_file_six_months() {
    use api::documents::storage::Shelf;
    let app = spawn_app().await;
    let family = app.family().await;
    let (dossier_id, demande) = submitted(&app, &family).await;
    let agent = agent(&app).await;
    decide(
        &app,
        &agent,
        &format!("/api/backoffice/demandes/{demande}/decision"),
        json!({"decision": "validee"}),
    )
    .await;
    let before = pieces(&app, &family, &dossier_id).await;
    let livret = piece(&before, "livret_famille").clone();
    let livret_file = livret["fichiers"][0]["id"]
        .as_str()
        .expect("file")
        .to_string();
    assert!(livret["fin_validite"].is_null());

    app.state.clock.advance(Duration::days(179));
    api::privacy::retention::sweep(&app.state)
        .await
        .expect("sweep");
    assert!(stored(&app, Shelf::Pieces, &livret_file));
    app.state.clock.advance(Duration::days(2));
    api::privacy::retention::sweep(&app.state)
        .await
        .expect("sweep");
    assert!(!stored(&app, Shelf::Pieces, &livret_file));
    let now = pieces(&app, &family, &dossier_id).await;
    assert_eq!(piece(&now, "livret_famille")["status"], "validee");
}

#[tokio::test]
async fn an_inactive_account_is_warned_then_closed_unless_someone_signs_in() {
    let app = spawn_app().await;
    let family = app.family().await;
    let other = app.family().await;
    let sweep = || api::privacy::retention::sweep(&app.state);
    let warned_at = |username: &str| -> Option<chrono::NaiveDateTime> {
        use api::db::schema::accounts;
        use diesel::prelude::*;
        let mut conn = app.state.pool.get().expect("conn");
        accounts::table
            .filter(accounts::username.eq(username))
            .select(accounts::inactivity_warned_at)
            .first(&mut conn)
            .expect("account")
    };

    // Two years and a day without a sign-in: both warned.
    app.state.clock.advance(Duration::days(731));
    let swept = sweep().await.expect("sweep");
    assert!(swept.accounts_warned >= 2, "{swept:?}");
    let warning = wait_for_mail(&family.email, "Votre compte sera fermé le").await;
    assert!(warning.text.contains("il suffit de vous connecter"));
    assert!(warned_at(&family.username).is_some());
    assert!(warned_at(&other.username).is_some());
    // Not closed before the notice runs out; warned once.
    app.state.clock.advance(Duration::days(29));
    let swept = sweep().await.expect("sweep");
    assert_eq!((swept.accounts_closed, swept.accounts_warned), (0, 0));

    // A sign-in cancels the closure.
    assert_eq!(
        app.login(&other.username, PASSWORD).await.status(),
        StatusCode::OK
    );
    assert!(warned_at(&other.username).is_none());

    // The silent one, 31 days after its warning: closed.
    app.state.clock.advance(Duration::days(2));
    let swept = sweep().await.expect("sweep");
    assert_eq!(swept.accounts_closed, 1, "{swept:?}");
    assert_eq!(
        app.login(&family.username, PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    wait_for_mail(&family.email, "Votre compte inutilisé a été fermé").await;
    assert_eq!(
        app.login(&other.username, PASSWORD).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_draft_never_sent_is_warned_then_deleted_with_its_files() {
    use api::documents::storage::Shelf;
    let app = spawn_app().await;
    let family = app.family().await;
    let dossier = new_dossier(&app, &family).await;
    let dossier_id = dossier["id"].as_str().expect("id").to_string();
    provide_required_pieces(&app, &family, &dossier_id).await;
    let files: Vec<String> = pieces(&app, &family, &dossier_id)
        .await
        .iter()
        .map(first_file)
        .collect();
    // A dossier that was sent is never a draft to delete.
    let sent_family = app.family().await;
    let (sent_dossier, _) = submitted(&app, &sent_family).await;
    // Another draft, whose family comes back after the warning.
    let busy = app.family().await;
    let busy_dossier = new_dossier(&app, &busy).await["id"]
        .as_str()
        .expect("id")
        .to_string();
    provide_required_pieces(&app, &busy, &busy_dossier).await;
    let sweep = || api::privacy::retention::sweep(&app.state);

    app.state.clock.advance(Duration::days(181));
    let swept = sweep().await.expect("sweep");
    assert_eq!(swept.drafts_warned, 2, "{swept:?}");
    let warning = wait_for_mail(&family.email, "Votre brouillon de dossier sera supprimé").await;
    assert!(warning.text.contains("transmettez-le avant cette date"));
    {
        // The busy family replaces a piece after the warning (at the clock's time).
        use api::db::schema::pieces;
        use diesel::prelude::*;
        let mut conn = app.state.pool.get().expect("conn");
        let now = app.state.clock.now(&mut conn).expect("clock");
        diesel::update(pieces::table.filter(pieces::dossier_id.eq(&busy_dossier)))
            .set(pieces::updated_at.eq(now + Duration::minutes(1)))
            .execute(&mut conn)
            .expect("piece changed");
    }
    app.state.clock.advance(Duration::days(29));
    let swept = sweep().await.expect("sweep");
    assert_eq!((swept.drafts_deleted, swept.drafts_warned), (0, 0));
    app.state.clock.advance(Duration::days(2));
    let swept = sweep().await.expect("sweep");
    assert_eq!((swept.drafts_deleted, swept.drafts_warned), (1, 0));

    let mut conn = app.state.pool.get().expect("conn");
    assert!(api::db::models::dossier::find(&mut conn, &dossier_id).is_err());
    assert!(api::db::models::dossier::find(&mut conn, &busy_dossier).is_ok());
    assert!(api::db::models::dossier::find(&mut conn, &sent_dossier).is_ok());
    assert!(files.iter().all(|f| !stored(&app, Shelf::Pieces, f)));
    // The account stays: it may start a new dossier.
    assert_eq!(
        app.get_auth("/api/me", &family.access_token).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_privacy_notice_shows_the_durations_in_force_and_the_statement_its_audits() {
    let app = spawn_app().await;
    let notice = app.get_json("/api/donnees-personnelles").await;
    let durations = notice["durees"].as_array().expect("durations");
    let refused = durations
        .iter()
        .find(|d| d["donnees"].as_str().is_some_and(|t| t.contains("refusée")))
        .expect("refused pieces");
    assert_eq!(refused["duree"], "1 mois après le refus");
    assert!(
        notice["suite"]
            .as_array()
            .expect("sections")
            .iter()
            .any(|s| s["titre"] == "Délégué à la protection des données")
    );
    let statement = app.get_json("/api/accessibilite").await;
    assert_eq!(statement["etat"], "non conforme");
    let text = statement.to_string();
    assert!(text.contains("axe-core"), "{text}");
    assert!(text.contains("Défenseur des droits"), "{text}");
}

#[tokio::test]
async fn the_pieces_of_a_refused_request_go_a_month_after_the_refusal() {
    use api::documents::storage::Shelf;
    let app = spawn_app().await;
    let family = app.family().await;
    let (dossier_id, demande) = submitted(&app, &family).await;
    let agent = agent(&app).await;
    decide(
        &app,
        &agent,
        &format!("/api/backoffice/demandes/{demande}/decision"),
        json!({"decision": "refusee", "message": "Vous n'habitez pas la commune."}),
    )
    .await;
    let files: Vec<String> = pieces(&app, &family, &dossier_id)
        .await
        .iter()
        .map(first_file)
        .collect();
    app.state.clock.advance(Duration::days(29));
    let swept = api::privacy::retention::sweep(&app.state)
        .await
        .expect("sweep");
    assert_eq!(swept.pieces_erased, 0);
    app.state.clock.advance(Duration::days(2));
    let swept = api::privacy::retention::sweep(&app.state)
        .await
        .expect("sweep");
    assert_eq!(swept.pieces_erased, 2);
    assert!(files.iter().all(|f| !stored(&app, Shelf::Pieces, f)));
}

#[tokio::test]
async fn three_copies_a_day_at_most() {
    use api::db::models::data_export;
    let app = spawn_app().await;
    let family = app.family().await;
    let me: Value = app
        .get_auth("/api/me", &family.access_token)
        .await
        .json()
        .await
        .expect("json");
    let account = me["id"].as_str().expect("id").to_string();
    let mut conn = app.state.pool.get().expect("conn");
    let now = api::db::now();
    for _ in 0..data_export::PER_DAY {
        let id = data_export::request(&mut conn, &account, now)
            .expect("request")
            .expect("allowed");
        data_export::mark_ready(&mut conn, &id, 10, now, now + Duration::days(7)).expect("ready");
    }
    let refused = app
        .post_json_auth("/api/me/exports", &family.access_token, &json!({}))
        .await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
}
