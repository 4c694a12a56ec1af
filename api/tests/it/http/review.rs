//! Agents review a request to its end (issue 5): the seed's dossier submitted, one piece
//! refused, « à compléter », the family replaces it and submits again, the agent validates
//! and the dossier gets its number; a second account then links to it. Concurrent
//! decisions (H-06), the audit log (C-04, G-05) and « Consultations de mon dossier ».

use chrono::NaiveDate;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::helpers::files;
use crate::helpers::mail::wait_for_mail;
use crate::helpers::spawn::{Family, TestApp};
use crate::helpers::{PASSWORD, spawn_app, unique};
use crate::http::dossiers::seed_household;
use crate::http::pieces::provide_required_pieces;
use crate::http::staff::{administrator, staff_session};

/// The seed's household with both pieces, submitted: answers (dossier id, demande id).
pub(crate) async fn submitted(app: &TestApp, family: &Family) -> (String, String) {
    let dossier = seed_household(app, family).await;
    let id = dossier["id"].as_str().expect("id").to_string();
    provide_required_pieces(app, family, &id).await;
    let demande = dossier["demande"]["id"]
        .as_str()
        .expect("demande")
        .to_string();
    submit(app, family, &demande).await;
    (id, demande)
}

pub(crate) async fn submit(app: &TestApp, family: &Family, demande: &str) {
    let current: Value = app
        .get_auth(&format!("/api/demandes/{demande}"), &family.access_token)
        .await
        .json()
        .await
        .expect("json");
    let response = app
        .client
        .post(app.url(&format!("/api/demandes/{demande}/submit")))
        .bearer_auth(&family.access_token)
        .header("if-match", format!("\"{}\"", current["dossier"]["version"]))
        .json(&json!({}))
        .send()
        .await
        .expect("submit");
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap_or_default()
    );
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let response = app.post_json_auth(path, token, &body).await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn piece_of<'a>(review: &'a Value, type_code: &str) -> &'a Value {
    review["pieces"]
        .as_array()
        .expect("pieces")
        .iter()
        .find(|p| p["type_code"] == type_code)
        .expect("piece")
}

#[tokio::test]
async fn an_agent_takes_the_seed_request_from_a_completer_to_validee() {
    let app = spawn_app().await;
    let family = app.family().await;
    let (dossier_id, demande) = submitted(&app, &family).await;
    let (admin, _) = administrator(&app);
    let (_, agent) = staff_session(&app, &admin).await;

    let review: Value = app
        .get_auth(&format!("/api/backoffice/demandes/{demande}"), &agent)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(review["demande"]["status"], "en_attente_validation");
    assert_eq!(
        review["demande"]["dossier"]["members"]
            .as_array()
            .expect("members")
            .len(),
        5
    );
    let livret = piece_of(&review, "livret_famille");
    let livret_id = livret["id"].as_str().expect("id").to_string();

    // The agent downloads the file, refuses the piece and asks for a correction.
    let file_id = livret["fichiers"][0]["id"].as_str().expect("file");
    let download = app
        .get_auth(
            &format!("/api/backoffice/pieces/{livret_id}/fichiers/{file_id}"),
            &agent,
        )
        .await;
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(
        download.headers()["content-disposition"],
        "attachment; filename=\"piece.pdf\"; filename*=UTF-8''piece.pdf"
    );
    let (status, body) = post(
        &app,
        &agent,
        &format!("/api/backoffice/pieces/{livret_id}/decision"),
        json!({"decision": "refusee"}),
    )
    .await;
    assert_eq!(
        (status, body["fields"]["motif"][0].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("required"))
    );
    let (status, refused) = post(&app, &agent, &format!("/api/backoffice/pieces/{livret_id}/decision"),
        json!({"decision": "refusee", "motif": "illisible", "commentaire": "La page des enfants est floue."})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(refused["status"], "refusee");
    let (status, body) = post(
        &app,
        &agent,
        &format!("/api/backoffice/demandes/{demande}/decision"),
        json!({"decision": "a_completer"}),
    )
    .await;
    assert_eq!(
        (status, body["fields"]["message"][0].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("required"))
    );
    let (status, _) = post(&app, &agent, &format!("/api/backoffice/demandes/{demande}/decision"),
        json!({"decision": "a_completer", "message": "Merci de renvoyer un livret de famille lisible."})).await;
    assert_eq!(status, StatusCode::OK);
    let mail = wait_for_mail(
        &family.email,
        "Votre demande de création de dossier famille —",
    )
    .await;
    assert!(
        mail.text.contains("à compléter") && mail.text.contains("livret de famille lisible"),
        "{}",
        mail.text
    );

    // The family sees what to fix, replaces the piece and submits again.
    let step: Value = app
        .get_auth(
            &format!("/api/dossiers/{dossier_id}/pieces"),
            &family.access_token,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(step["modifiable"], true);
    let requirement = step["a_fournir"]
        .as_array()
        .expect("a_fournir")
        .iter()
        .find(|r| r["type_code"] == "livret_famille")
        .expect("livret");
    assert_eq!(requirement["status"], "refusee");
    let provided = step["fournies"]
        .as_array()
        .expect("fournies")
        .iter()
        .find(|p| p["type_code"] == "livret_famille")
        .expect("livret");
    assert_eq!(
        provided["motif_refus"],
        "Illisible — La page des enfants est floue."
    );
    let detail: Value = app
        .get_auth(&format!("/api/demandes/{demande}"), &family.access_token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(detail["status"], "a_completer");
    assert_eq!(
        detail["agent_message"],
        "Merci de renvoyer un livret de famille lisible."
    );
    let form = Form::new()
        .text("type_code", "livret_famille")
        .text(
            "emis_le",
            NaiveDate::from_ymd_opt(2018, 1, 15)
                .expect("date")
                .to_string(),
        )
        .part(
            "fichier",
            Part::bytes(files::pdf("Livret lisible"))
                .file_name("livret-net.pdf")
                .mime_str("application/pdf")
                .expect("mime"),
        );
    let replaced = app
        .client
        .put(app.url(&format!("/api/dossiers/{dossier_id}/pieces/{livret_id}")))
        .bearer_auth(&family.access_token)
        .multipart(form)
        .send()
        .await
        .expect("replace");
    assert_eq!(replaced.status(), StatusCode::OK);
    submit(&app, &family, &demande).await;

    // The agent validates: the dossier gets its number, the pieces are validated.
    let (status, validated) = post(
        &app,
        &agent,
        &format!("/api/backoffice/demandes/{demande}/decision"),
        json!({"decision": "validee"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{validated}");
    assert_eq!(validated["demande"]["status"], "validee");
    assert!(
        validated["pieces"]
            .as_array()
            .expect("pieces")
            .iter()
            .all(|p| p["status"] == "validee")
    );
    let dossier: Value = app
        .get_auth(&format!("/api/dossiers/{dossier_id}"), &family.access_token)
        .await
        .json()
        .await
        .expect("json");
    let numero = dossier["numero"].as_str().expect("numero").to_string();
    assert_eq!(numero, "20001");
    assert_eq!(
        validated["demande"]["dossier"]["numero"], "20001",
        "the review shows the number"
    );
    let detail: Value = app
        .get_auth(&format!("/api/demandes/{demande}"), &family.access_token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        detail["dossier"]["numero"], "20001",
        "« Consulter ma demande » too"
    );
    let history: Vec<&str> = validated["demande"]["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|e| e["status"].as_str().expect("status"))
        .collect();
    assert_eq!(
        history,
        vec![
            "brouillon",
            "en_attente_validation",
            "a_completer",
            "en_attente_validation",
            "validee"
        ]
    );

    // « Consultations de mon dossier »: the views, download and decisions, by service.
    let seen: Value = app
        .get_auth(
            &format!("/api/dossiers/{dossier_id}/consultations"),
            &family.access_token,
        )
        .await
        .json()
        .await
        .expect("json");
    let actions: Vec<&str> = seen["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["action"].as_str().expect("action"))
        .collect();
    for expected in [
        "consultation",
        "telechargement",
        "decision_piece",
        "decision_demande",
    ] {
        assert!(actions.contains(&expected), "{actions:?}");
    }
    assert_eq!(
        seen["items"][0]["service"],
        "Service famille — Ville de Chartres"
    );

    // The loop closes: a second account links to the validated dossier at sign-up, with
    // the code sent to the address of the account that built it (recorded at validation).
    let username = unique("pere");
    let email = format!("{username}@exemple.fr");
    let body = json!({"username": username, "email": email, "password": PASSWORD, "new_household": false,
                      "dossier_reference": {"numero": numero, "nom": "demonstration", "prenom": "PÈRE"}});
    assert_eq!(
        app.post_json("/api/registrations", &body).await.status(),
        StatusCode::ACCEPTED
    );
    let token = wait_for_mail(&email, "Activez").await.token("/activation");
    app.post_json("/api/activations", &json!({"token": token}))
        .await;
    let login: Value = app
        .login(&username, PASSWORD)
        .await
        .json()
        .await
        .expect("json");
    let token = login["access_token"].as_str().expect("token");
    app.accept_terms(token).await;
    let code = wait_for_mail(&family.email, "Code de rattachement")
        .await
        .rattachement_code();
    let (status, _) = post(&app, token, "/api/rattachement/code", json!({"code": code})).await;
    assert_eq!(status, StatusCode::OK);
    let me: Value = app
        .get_auth("/api/me", token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["dossier_numero"], numero.as_str());
    let notice = wait_for_mail(&family.email, "Un nouveau compte a été rattaché").await;
    assert!(notice.text.contains(&username), "{}", notice.text);
}

#[tokio::test]
async fn two_agents_deciding_at_once_one_wins_and_the_audit_shows_one_decision() {
    let app = spawn_app().await;
    let family = app.family().await;
    let (dossier_id, demande) = submitted(&app, &family).await;
    let (first, _) = administrator(&app);
    let (second, _) = administrator(&app);
    let (_, a) = staff_session(&app, &first).await;
    let (_, b) = staff_session(&app, &second).await;
    let review: Value = app
        .get_auth(&format!("/api/backoffice/demandes/{demande}"), &a)
        .await
        .json()
        .await
        .expect("json");
    let piece = piece_of(&review, "justificatif_domicile")["id"]
        .as_str()
        .expect("id")
        .to_string();

    let path = format!("/api/backoffice/pieces/{piece}/decision");
    let (x, y) = tokio::join!(
        post(&app, &a, &path, json!({"decision": "validee"})),
        post(
            &app,
            &b,
            &path,
            json!({"decision": "refusee", "motif": "perime"})
        ),
    );
    let mut statuses = [x.0, y.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);

    let path = format!("/api/backoffice/demandes/{demande}/decision");
    let (x, y) = tokio::join!(
        post(&app, &a, &path, json!({"decision": "validee"})),
        post(
            &app,
            &b,
            &path,
            json!({"decision": "refusee", "message": "Hors commune."})
        ),
    );
    let mut statuses = [x.0, y.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);

    let seen: Value = app
        .get_auth(
            &format!("/api/dossiers/{dossier_id}/consultations"),
            &family.access_token,
        )
        .await
        .json()
        .await
        .expect("json");
    let count = |what: &str| {
        seen["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter(|c| c["action"] == what)
            .count()
    };
    assert_eq!((count("decision_piece"), count("decision_demande")), (1, 1));
    wait_for_mail(
        &family.email,
        "Votre demande de création de dossier famille —",
    )
    .await;
    // Give a wrongly duplicated email time to arrive before counting.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let mails = crate::helpers::mail::mails_to(&family.email).await;
    let decisions = mails
        .iter()
        .filter(|m| {
            m.subject
                .starts_with("Votre demande de création de dossier famille —")
        })
        .count();
    assert_eq!(decisions, 1, "the family is told once");

    // The log is append-only, even for the application's own database user.
    use diesel::connection::SimpleConnection;
    let mut conn = app.db.connect();
    assert!(
        conn.batch_execute("UPDATE audit_log SET action = 'consultation'")
            .is_err()
    );
    assert!(conn.batch_execute("DELETE FROM audit_log").is_err());

    // Entries are kept a year (G-05): the purge removes older ones, which the database
    // allows, and keeps the rest.
    let kept = audit_entries(&mut conn);
    let entry = api::db::models::audit::Entry {
        actor_account_id: "ancien-agent",
        actor_role: "agent",
        action: "consultation",
        dossier_id: "ancien-dossier",
        object_id: None,
        detail: None,
    };
    let long_ago = api::db::now() - chrono::Duration::days(400);
    api::db::models::audit::record(&mut conn, &entry, long_ago).expect("an old entry");
    assert_eq!(audit_entries(&mut conn), kept + 1);
    let purged = api::jobs::purge(&app.state.pool, 183, api::db::now()).expect("purge");
    assert_eq!(purged.audit_entries, 1);
    assert_eq!(audit_entries(&mut conn), kept, "this year's entries stay");

    // Families stay out of the back office.
    assert_eq!(
        app.get_auth(
            &format!("/api/backoffice/demandes/{demande}"),
            &family.access_token
        )
        .await
        .status(),
        StatusCode::FORBIDDEN
    );
    let anonymous = app
        .client
        .post(app.url(&path))
        .json(&json!({"decision": "validee"}))
        .send()
        .await
        .expect("post");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

fn audit_entries(conn: &mut api::db::DbConn) -> i64 {
    use diesel::prelude::*;
    api::db::schema::audit_log::table
        .count()
        .get_result(conn)
        .expect("count")
}

/// G-06: one staff member downloading more pieces than the limit in its window (200 in 10
/// minutes; 3 here) alerts every administrator once by email.
#[tokio::test]
async fn many_downloads_by_one_staff_member_alert_the_administrators() {
    let app = crate::helpers::spawn_app_with(
        |s| s.bulk_download_alert.count = 3,
        api::auth::throttle::LoginPolicy::default(),
    )
    .await;
    let family = app.family().await;
    let (_, demande) = submitted(&app, &family).await;
    let (downloader, _) = administrator(&app);
    let (_, watcher_email) = administrator(&app);
    let (_, token) = staff_session(&app, &downloader).await;
    let review: Value = app
        .get_auth(&format!("/api/backoffice/demandes/{demande}"), &token)
        .await
        .json()
        .await
        .expect("json");
    let piece = piece_of(&review, "livret_famille");
    let path = format!(
        "/api/backoffice/pieces/{}/fichiers/{}",
        piece["id"].as_str().expect("piece id"),
        piece["fichiers"][0]["id"].as_str().expect("file id")
    );
    let alerts = || async {
        crate::helpers::mail::mails_to(&watcher_email)
            .await
            .into_iter()
            .filter(|m| {
                m.subject
                    .starts_with("Alerte : téléchargements inhabituels")
            })
            .count()
    };
    for _ in 0..3 {
        assert_eq!(app.get_auth(&path, &token).await.status(), StatusCode::OK);
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(alerts().await, 0, "three downloads are within the limit");
    for _ in 0..3 {
        assert_eq!(app.get_auth(&path, &token).await.status(), StatusCode::OK);
    }
    let mail = wait_for_mail(&watcher_email, "Alerte : téléchargements inhabituels").await;
    assert!(
        mail.text.contains(&format!("« {downloader} »")),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("/backoffice/administration"));
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(alerts().await, 1, "one alert per burst");
}
