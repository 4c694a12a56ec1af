//! Public content: the demo news and FAQ, scheduled news appearing at their date, cacheable
//! answers (ETag, 304), staff-only writing, text kept as text, and a new CGU version
//! making every family accept it again.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::spawn_app;
use crate::http::staff::{administrator, staff_session};

#[tokio::test]
async fn the_town_publishes_news_faq_and_terms() {
    let app = spawn_app().await;
    let news: Value = app.get_json("/api/actualites").await;
    let titles: Vec<&str> = news["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|n| n["titre"].as_str().expect("titre"))
        .collect();
    assert_eq!(
        titles,
        vec!["Vacances sportives hiver 2026", "Inscriptions scolaires"],
        "demo news, newest first"
    );
    assert_eq!(news["items"][1]["a_la_une"], true);
    let faq: Value = app.get_json("/api/faq").await;
    assert_eq!(faq["items"].as_array().expect("items").len(), 3);

    // Cacheable: the same ETag gives 304.
    let first = app
        .client
        .get(app.url("/api/actualites"))
        .send()
        .await
        .expect("get");
    let etag = first.headers()["etag"].to_str().expect("etag").to_string();
    assert!(
        first.headers()["cache-control"]
            .to_str()
            .expect("cc")
            .starts_with("public")
    );
    let again = app
        .client
        .get(app.url("/api/actualites"))
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("get");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    // Families cannot publish; staff can, and a scheduled item waits for its date.
    let family = app.family().await;
    let item = json!({"titre": "Fête des écoles", "corps": "<script>alert(1)</script> **samedi**",
                      "publie_le": (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339(), "a_la_une": false});
    assert_eq!(
        app.post_json_auth("/api/backoffice/actualites", &family.access_token, &item)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let (admin, _) = administrator(&app);
    let (_, staff) = staff_session(&app, &admin).await;
    let created = app
        .post_json_auth("/api/backoffice/actualites", &staff, &item)
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.expect("json");
    assert_eq!(
        created["corps"], "<script>alert(1)</script> **samedi**",
        "kept as text, never interpreted"
    );
    let id = created["id"].as_str().expect("id");
    assert_eq!(
        app.client
            .get(app.url(&format!("/api/actualites/{id}")))
            .send()
            .await
            .expect("get")
            .status(),
        StatusCode::NOT_FOUND
    );
    let after = app
        .client
        .get(app.url("/api/actualites"))
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("get");
    assert_eq!(
        after.status(),
        StatusCode::NOT_MODIFIED,
        "a scheduled item changes nothing yet"
    );
    let mut now_item = item.clone();
    now_item["publie_le"] = json!(chrono::Utc::now().to_rfc3339());
    let updated = app
        .put_json_auth(
            &format!("/api/backoffice/actualites/{id}"),
            &staff,
            &now_item,
        )
        .await;
    assert_eq!(updated.status(), StatusCode::OK);
    assert_eq!(
        app.client
            .get(app.url(&format!("/api/actualites/{id}")))
            .send()
            .await
            .expect("get")
            .status(),
        StatusCode::OK
    );
    let bad = app.post_json_auth("/api/backoffice/actualites", &staff, &json!({"titre": " ", "corps": "x", "publie_le": chrono::Utc::now().to_rfc3339(), "a_la_une": false})).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // A new CGU version: the family must accept it again.
    let dossiers = app
        .post_json_auth("/api/dossiers", &family.access_token, &json!({}))
        .await;
    assert_eq!(dossiers.status(), StatusCode::CREATED);
    let published = app
        .post_json_auth(
            "/api/backoffice/cgu",
            &staff,
            &json!({"text": "Article 1 — nouvelle version."}),
        )
        .await;
    assert_eq!(published.status(), StatusCode::CREATED);
    let version = published.json::<Value>().await.expect("json")["version"].clone();
    let blocked = app
        .post_json_auth("/api/dossiers", &family.access_token, &json!({}))
        .await;
    assert_eq!(blocked.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        blocked.json::<Value>().await.expect("json")["code"],
        "terms_not_accepted"
    );
    let accepted = app
        .post_json_auth(
            "/api/me/terms",
            &family.access_token,
            &json!({"version": version}),
        )
        .await;
    assert_eq!(accepted.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.post_json_auth("/api/dossiers", &family.access_token, &json!({}))
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn staff_edit_the_faq_see_scheduled_news_and_administrators_set_the_town() {
    let app = spawn_app().await;
    let (admin, _) = administrator(&app);
    let (_, staff) = staff_session(&app, &admin).await;

    // « À la une » only, for the home page.
    let une: Value = app.get_json("/api/actualites?a_la_une=true").await;
    assert_eq!(une["total"], 1);
    assert_eq!(une["items"][0]["titre"], "Inscriptions scolaires");

    // Editors see scheduled news; the public does not.
    let later = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
    let scheduled =
        json!({"titre": "Rentrée", "corps": "Bientôt.", "publie_le": later, "a_la_une": true});
    let created = app
        .post_json_auth("/api/backoffice/actualites", &staff, &scheduled)
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let all: Value = app
        .get_auth("/api/backoffice/actualites", &staff)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(all["total"], 3);
    assert_eq!(all["items"][0]["titre"], "Rentrée", "newest first");
    let public: Value = app.get_json("/api/actualites").await;
    assert_eq!(public["total"], 2);

    // FAQ: change, then remove, an entry; unknown entries are 404.
    let faq: Value = app.get_json("/api/faq").await;
    let id = faq["items"][0]["id"].as_str().expect("id").to_string();
    let changed = json!({"question": "Comment créer mon compte ?", "reponse": "Avec **Créer mon compte**.",
                         "categorie": "Compte", "position": 1});
    let updated = app
        .put_json_auth(&format!("/api/backoffice/faq/{id}"), &staff, &changed)
        .await;
    assert_eq!(updated.status(), StatusCode::OK);
    assert_eq!(
        updated.json::<Value>().await.expect("json")["question"],
        "Comment créer mon compte ?"
    );
    let invalid = json!({"question": "", "reponse": "x", "categorie": "Compte", "position": 1});
    let refused = app
        .put_json_auth(&format!("/api/backoffice/faq/{id}"), &staff, &invalid)
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let delete = |path: String| {
        let request = app.client.delete(app.url(&path)).bearer_auth(&staff);
        async move { request.send().await.expect("delete").status() }
    };
    assert_eq!(
        delete(format!("/api/backoffice/faq/{id}")).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        delete(format!("/api/backoffice/faq/{id}")).await,
        StatusCode::NOT_FOUND
    );
    let remaining: Value = app.get_json("/api/faq").await;
    assert_eq!(remaining["items"].as_array().expect("items").len(), 2);

    // Town settings: seeded from the deployment, then owned by administrators; the next
    // email signs with the new name.
    let town: Value = app.get_json("/api/town").await;
    assert_eq!(town["name"], "Ville de Chartres");
    assert_eq!(
        town["codes_postaux"], "28000",
        "seeded from TOWN_POSTAL_CODES' default"
    );
    assert!(
        town["welcome_text"]
            .as_str()
            .expect("welcome")
            .contains("dossier famille")
    );
    let settings = json!({"name": "Ville de Lucé", "tagline": "Votre espace famille",
                          "contact": "Hôtel de ville\n02 37 00 00 00", "welcome_text": "Bienvenue à **Lucé**.", "codes_postaux": "28110"});
    let invalid = json!({"name": " ", "tagline": "x", "contact": "x", "welcome_text": "", "codes_postaux": "28 000"});
    let refused = app
        .put_json_auth("/api/backoffice/town", &staff, &invalid)
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = refused.json().await.expect("json");
    assert_eq!(
        problem["fields"]["codes_postaux"],
        json!(["invalid_postal_code"]),
        "{problem}"
    );
    let saved = app
        .put_json_auth("/api/backoffice/town", &staff, &settings)
        .await;
    assert_eq!(saved.status(), StatusCode::OK);
    let town: Value = app.get_json("/api/town").await;
    assert_eq!(town["name"], "Ville de Lucé");
    assert_eq!(town["contact"], "Hôtel de ville\n02 37 00 00 00");
    assert_eq!(town["welcome_text"], "Bienvenue à **Lucé**.");
    assert_eq!(town["codes_postaux"], "28110");
    let (_, email) = app.activated_account().await;
    let reset = app
        .post_json("/api/password-resets", &json!({"email": email}))
        .await;
    assert_eq!(reset.status(), StatusCode::ACCEPTED);
    let mail = crate::helpers::mail::wait_for_mail(&email, "mot de passe").await;
    assert!(mail.text.contains("Ville de Lucé"), "{}", mail.text);
}

async fn publish_document(
    app: &crate::helpers::spawn::TestApp,
    token: &str,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("titre", "Règlement intérieur de la restauration scolaire")
        .text("categorie", "Restauration")
        .part(
            "fichier",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(name.to_string())
                .mime_str("application/pdf")
                .expect("mime"),
        );
    app.client
        .post(app.url("/api/backoffice/documents"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

#[tokio::test]
async fn staff_publish_pdf_documents_that_anyone_downloads_safely() {
    use crate::helpers::files;
    let app = spawn_app().await;
    let (admin, _) = administrator(&app);
    let (_, staff) = staff_session(&app, &admin).await;
    let family = app.family().await;
    assert_eq!(
        publish_document(&app, &family.access_token, "r.pdf", files::pdf("x"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        publish_document(&app, &staff, "x.pdf", files::HTML.to_vec())
            .await
            .status(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    assert_eq!(
        publish_document(&app, &staff, "x.pdf", files::pdf_with_javascript())
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let pdf = files::pdf("Règlement");
    let created = publish_document(&app, &staff, "reglement-2026.pdf", pdf.clone()).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.expect("json");
    let id = created["id"].as_str().expect("id");
    let list: Value = app.get_json("/api/documents").await;
    let titles: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|d| d["titre"].as_str().expect("titre"))
        .collect();
    assert_eq!(
        titles,
        vec![
            "Règlement intérieur des accueils périscolaires",
            "Règlement intérieur de la restauration scolaire"
        ],
        "the demo document, then ours, by category"
    );
    let download = app
        .client
        .get(app.url(&format!("/api/documents/{id}/fichier")))
        .send()
        .await
        .expect("get");
    assert_eq!(download.status(), StatusCode::OK);
    assert_eq!(
        download.headers()["content-disposition"],
        "attachment; filename=\"reglement-2026.pdf\"; filename*=UTF-8''reglement-2026.pdf"
    );
    assert_eq!(
        download.headers()["content-security-policy"],
        "sandbox; default-src 'none'"
    );
    assert_eq!(
        download.bytes().await.expect("body").as_ref(),
        pdf.as_slice()
    );

    let stored = app
        .state
        .storage
        .local_path(api::documents::storage::Shelf::Documents, id)
        .expect("local");
    assert!(stored.exists());
    let deleted = app
        .client
        .delete(app.url(&format!("/api/backoffice/documents/{id}")))
        .bearer_auth(&staff)
        .send()
        .await
        .expect("delete");
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert!(!stored.exists(), "the file goes with its document");
    assert_eq!(
        app.client
            .get(app.url(&format!("/api/documents/{id}/fichier")))
            .send()
            .await
            .expect("get")
            .status(),
        StatusCode::NOT_FOUND
    );
}
