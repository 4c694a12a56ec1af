//! Dossier famille over HTTP: drafts, optimistic locking, submission, access control
//! (SECURITY.md C-01, C-02, D-01, H-01).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::mail::wait_for_mail;
use crate::helpers::spawn::{Family, TestApp};
use crate::helpers::spawn_app;

/// Sends a dossier write with `If-Match`.
pub(crate) async fn write(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    version: Option<i64>,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app.client.request(method, app.url(path)).bearer_auth(token);
    if let Some(version) = version {
        request = request.header("if-match", format!("\"{version}\""));
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("request")
}

pub(crate) fn member(role: &str, prenom: Option<&str>, birth: Option<&str>) -> Value {
    json!({
        "role": role, "sexe": "feminin", "nom": "DEMONSTRATION", "nom_naissance": null, "prenom": prenom,
        "autres_prenoms": null, "a_naitre": false, "date_naissance": birth, "date_naissance_prevue": null,
        "pays_naissance": "France", "commune_naissance": null, "situation_familiale": null,
        "situation_depuis": null, "telephone_mobile": "06 12 34 56 78", "telephone_fixe": null, "email": null,
        "profession": null, "employeur": null
    })
}

/// A draft dossier of `family`, as JSON.
pub(crate) async fn new_dossier(app: &TestApp, family: &Family) -> Value {
    let response = write(
        app,
        &family.access_token,
        Method::POST,
        "/api/dossiers",
        None,
        Some(json!({})),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["etag"], "\"1\"");
    response.json().await.expect("json")
}

/// Applies a write and returns the updated dossier, asserting `expected` status.
pub(crate) async fn apply(
    app: &TestApp,
    family: &Family,
    method: Method,
    path: &str,
    dossier: &Value,
    body: Value,
    expected: StatusCode,
) -> Value {
    let response = write(
        app,
        &family.access_token,
        method,
        path,
        dossier["version"].as_i64(),
        Some(body),
    )
    .await;
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert_eq!(status, expected, "{path}: {body}");
    body
}

pub(crate) fn last_member_id(dossier: &Value) -> String {
    dossier["members"]
        .as_array()
        .and_then(|m| m.last())
        .and_then(|m| m["id"].as_str())
        .expect("member")
        .to_string()
}

/// The seed's household, ready to submit: returns the dossier.
pub(crate) async fn seed_household(app: &TestApp, family: &Family) -> Value {
    let mut dossier = new_dossier(app, family).await;
    let id = dossier["id"].as_str().expect("id").to_string();
    let base = format!("/api/dossiers/{id}");
    dossier = apply(
        app,
        family,
        Method::PATCH,
        &base,
        &dossier,
        json!({"adresse": "1 place des Halles", "code_postal": "28000", "commune": "Chartres"}),
        StatusCode::OK,
    )
    .await;
    let members = format!("{base}/members");
    dossier = apply(
        app,
        family,
        Method::POST,
        &members,
        &dossier,
        member("responsable", Some("Mère"), Some("1985-03-02")),
        StatusCode::CREATED,
    )
    .await;
    let mother = last_member_id(&dossier);
    dossier = apply(
        app,
        family,
        Method::POST,
        &members,
        &dossier,
        member("conjoint", Some("Père"), Some("1984-06-12")),
        StatusCode::CREATED,
    )
    .await;
    let father = last_member_id(&dossier);
    dossier = apply(
        app,
        family,
        Method::POST,
        &members,
        &dossier,
        member("enfant", Some("Léa"), Some("2018-01-01")),
        StatusCode::CREATED,
    )
    .await;
    let born = last_member_id(&dossier);
    let expected = (chrono::Utc::now().date_naive() + chrono::Duration::days(90)).to_string();
    let mut unborn = member("enfant", None, None);
    unborn["a_naitre"] = json!(true);
    unborn["sexe"] = json!(null);
    unborn["date_naissance_prevue"] = json!(expected);
    dossier = apply(
        app,
        family,
        Method::POST,
        &members,
        &dossier,
        unborn,
        StatusCode::CREATED,
    )
    .await;
    let unborn = last_member_id(&dossier);
    for child in [&born, &unborn] {
        let links = json!({"links": [
            {"adult_id": mother, "relation": "mere", "autorite_parentale": true, "contact_urgence": true, "autorise_recuperer": true},
            {"adult_id": father, "relation": "pere", "autorite_parentale": false, "contact_urgence": true, "autorise_recuperer": true}
        ]});
        dossier = apply(
            app,
            family,
            Method::PUT,
            &format!("{members}/{child}/links"),
            &dossier,
            links,
            StatusCode::OK,
        )
        .await;
    }
    apply(
        app,
        family,
        Method::POST,
        &members,
        &dossier,
        member("contact", Some("Mamie"), None),
        StatusCode::CREATED,
    )
    .await
}

#[tokio::test]
async fn the_seed_household_is_saved_as_a_draft_submitted_once_and_then_frozen() {
    let app = spawn_app().await;
    let family = app.family().await;
    let again_before = new_dossier(&app, &family).await;
    let same = write(
        &app,
        &family.access_token,
        Method::POST,
        "/api/dossiers",
        None,
        Some(json!({})),
    )
    .await;
    assert_eq!(
        same.status(),
        StatusCode::OK,
        "a second click gives the same dossier"
    );
    assert_eq!(
        same.json::<Value>().await.expect("json")["id"],
        again_before["id"]
    );

    let family = app.family().await;
    let dossier = seed_household(&app, &family).await;
    crate::http::pieces::provide_required_pieces(
        &app,
        &family,
        dossier["id"].as_str().expect("id"),
    )
    .await;
    assert_eq!(dossier["members"].as_array().expect("members").len(), 5);
    assert_eq!(dossier["links"].as_array().expect("links").len(), 4);
    assert_eq!(dossier["editable"], true);

    let list: Value = app
        .get_auth("/api/demandes", &family.access_token)
        .await
        .json()
        .await
        .expect("json");
    let demande_id = list["items"][0]["id"]
        .as_str()
        .expect("demande")
        .to_string();
    assert_eq!(list["items"][0]["status"], "brouillon");

    let with_observation = write(
        &app,
        &family.access_token,
        Method::PATCH,
        &format!("/api/demandes/{demande_id}"),
        dossier["version"].as_i64(),
        Some(json!({"observation": "Garde alternée le week-end."})),
    )
    .await;
    assert_eq!(with_observation.status(), StatusCode::OK);
    let version: i64 = with_observation.headers()["etag"]
        .to_str()
        .expect("etag")
        .trim_matches('"')
        .parse()
        .expect("version");

    let submitted = write(
        &app,
        &family.access_token,
        Method::POST,
        &format!("/api/demandes/{demande_id}/submit"),
        Some(version),
        Some(json!({})),
    )
    .await;
    let status = submitted.status();
    let detail: Value = submitted.json().await.expect("json");
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(detail["status"], "en_attente_validation");
    assert_eq!(detail["observation"], "Garde alternée le week-end.");
    assert_eq!(detail["history"].as_array().expect("history").len(), 2);
    assert_eq!(
        detail["dossier"]["members"]
            .as_array()
            .expect("members")
            .len(),
        5
    );
    wait_for_mail(&family.email, "a bien été reçue").await;

    // Submitting again is harmless; editing is refused until an agent decides.
    let again = write(
        &app,
        &family.access_token,
        Method::POST,
        &format!("/api/demandes/{demande_id}/submit"),
        Some(version),
        Some(json!({})),
    )
    .await;
    assert_eq!(again.status(), StatusCode::OK);
    let locked = write(
        &app,
        &family.access_token,
        Method::POST,
        &format!(
            "/api/dossiers/{}/members",
            dossier["id"].as_str().expect("id")
        ),
        Some(version + 1),
        Some(member("contact", Some("Tata"), None)),
    )
    .await;
    assert_eq!(locked.status(), StatusCode::CONFLICT);
    assert_eq!(
        locked.json::<Value>().await.expect("json")["code"],
        "dossier_locked"
    );
}

#[tokio::test]
async fn submission_reports_every_problem_at_once_and_changes_nothing() {
    let app = spawn_app().await;
    let family = app.family().await;
    let mut dossier = new_dossier(&app, &family).await;
    let id = dossier["id"].as_str().expect("id").to_string();
    dossier = apply(
        &app,
        &family,
        Method::POST,
        &format!("/api/dossiers/{id}/members"),
        &dossier,
        member("enfant", None, Some("2999-01-01")),
        StatusCode::CREATED,
    )
    .await;
    let child = last_member_id(&dossier);
    let demande = dossier["demande"]["id"]
        .as_str()
        .expect("demande")
        .to_string();

    let response = write(
        &app,
        &family.access_token,
        Method::POST,
        &format!("/api/demandes/{demande}/submit"),
        dossier["version"].as_i64(),
        Some(json!({})),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = response.json().await.expect("json");
    let fields = &problem["fields"];
    assert_eq!(fields["_"][0], "responsable_required");
    assert_eq!(fields["address.adresse"][0], "required");
    assert_eq!(fields[format!("members.{child}.prenom")][0], "required");
    assert_eq!(
        fields[format!("members.{child}.date_naissance")][0],
        "date_in_future"
    );
    assert_eq!(fields[format!("members.{child}")][0], "link_required");

    let after: Value = app
        .get_auth(&format!("/api/dossiers/{id}"), &family.access_token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(after["version"], dossier["version"], "nothing written");
    assert_eq!(after["demande"]["status"], "brouillon");
}

#[tokio::test]
async fn two_writers_with_the_same_version_one_wins_and_one_gets_412() {
    let app = spawn_app().await;
    let family = app.family().await;
    let dossier = new_dossier(&app, &family).await;
    let path = format!("/api/dossiers/{}", dossier["id"].as_str().expect("id"));
    let send = |commune: &'static str| {
        let (client, url, token) = (
            app.client.clone(),
            app.url(&path),
            family.access_token.clone(),
        );
        async move {
            client
                .patch(url)
                .bearer_auth(token)
                .header("if-match", "\"1\"")
                .json(&json!({"adresse": null, "code_postal": null, "commune": commune}))
                .send()
                .await
                .expect("request")
                .status()
        }
    };
    let (a, b) = tokio::join!(send("Chartres"), send("Lucé"));
    let mut statuses = [a, b];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::PRECONDITION_FAILED]);

    let without = write(
        &app,
        &family.access_token,
        Method::PATCH,
        &path,
        None,
        Some(json!({"adresse": null, "code_postal": null, "commune": "X"})),
    )
    .await;
    assert_eq!(without.status(), StatusCode::PRECONDITION_REQUIRED);
    let current = app.get_auth(&path, &family.access_token).await;
    assert_eq!(current.headers()["etag"], "\"2\"");
    assert_eq!(current.headers()["cache-control"], "no-store");
}

/// H-01, H-05: an edit saved while the submission is between reading the dossier and its
/// commit (an injected pause widens that window) is either refused (412) or part of the
/// frozen dossier agents review — never acknowledged and then missing from it.
#[tokio::test]
async fn an_edit_during_submission_is_refused_or_frozen_never_lost() {
    let app = crate::helpers::spawn_app_with(
        |settings| {
            settings.fault_injection.hold_during_submission =
                Some(std::time::Duration::from_millis(800));
        },
        api::auth::throttle::LoginPolicy::default(),
    )
    .await;
    let family = app.family().await;
    let dossier = seed_household(&app, &family).await;
    let id = dossier["id"].as_str().expect("id").to_string();
    crate::http::pieces::provide_required_pieces(&app, &family, &id).await;
    let path = format!("/api/dossiers/{id}");
    let current = app.get_auth(&path, &family.access_token).await;
    let version: i64 = current.headers()["etag"]
        .to_str()
        .expect("etag")
        .trim_matches('"')
        .parse()
        .expect("version");
    let demande = dossier["demande"]["id"].as_str().expect("demande");

    let submit_path = format!("/api/demandes/{demande}/submit");
    let submit = write(
        &app,
        &family.access_token,
        Method::POST,
        &submit_path,
        Some(version),
        Some(json!({})),
    );
    let edit = async {
        // Arrives while the submission holds its pause.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        write(
            &app,
            &family.access_token,
            Method::PATCH,
            &path,
            Some(version),
            Some(json!({"adresse": "9 rue Neuve", "code_postal": "28000", "commune": "Chartres"})),
        )
        .await
    };
    let (submitted, edited) = tokio::join!(submit, edit);
    let (submit_status, edit_status) = (submitted.status(), edited.status());
    let detail: Value = app
        .get_auth(&format!("/api/demandes/{demande}"), &family.access_token)
        .await
        .json()
        .await
        .expect("json");
    let frozen_address = &detail["dossier"]["adresse"];
    if edit_status == StatusCode::OK {
        assert_eq!(
            submit_status,
            StatusCode::PRECONDITION_FAILED,
            "the edit was acknowledged: the submission must not freeze the dossier without it"
        );
        assert_eq!(detail["status"], "brouillon");
    } else {
        assert_eq!(submit_status, StatusCode::OK);
        assert!(
            [StatusCode::PRECONDITION_FAILED, StatusCode::CONFLICT].contains(&edit_status),
            "the edit after the submission is refused, got {edit_status}"
        );
        assert_eq!(detail["status"], "en_attente_validation");
        assert_eq!(frozen_address, "1 place des Halles");
    }
    let live = app.get_auth(&path, &family.access_token).await;
    let live: Value = live.json().await.expect("json");
    if submit_status == StatusCode::OK {
        assert_eq!(
            live["adresse"], *frozen_address,
            "the frozen dossier is the live one"
        );
    }
}

#[tokio::test]
async fn another_family_sees_nothing_and_changes_nothing_of_a_dossier() {
    let app = spawn_app().await;
    let owner = app.family().await;
    let dossier = seed_household(&app, &owner).await;
    let intruder = app.family().await;
    let id = dossier["id"].as_str().expect("id");
    let member = dossier["members"][0]["id"].as_str().expect("member");
    let child = dossier["members"][2]["id"].as_str().expect("child");
    let demande = dossier["demande"]["id"].as_str().expect("demande");
    let unknown = uuid::Uuid::new_v4();
    let version = dossier["version"].as_i64();
    let body_member = member_json();
    let routes: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/api/dossiers/{id}"), None),
        (
            Method::PATCH,
            format!("/api/dossiers/{id}"),
            Some(json!({"adresse": "x", "code_postal": null, "commune": null})),
        ),
        (
            Method::POST,
            format!("/api/dossiers/{id}/members"),
            Some(body_member.clone()),
        ),
        (
            Method::PUT,
            format!("/api/dossiers/{id}/members/{member}"),
            Some(body_member.clone()),
        ),
        (
            Method::DELETE,
            format!("/api/dossiers/{id}/members/{member}"),
            None,
        ),
        (
            Method::PUT,
            format!("/api/dossiers/{id}/members/{child}/links"),
            Some(json!({"links": []})),
        ),
        (Method::GET, format!("/api/demandes/{demande}"), None),
        (
            Method::PATCH,
            format!("/api/demandes/{demande}"),
            Some(json!({"observation": "x"})),
        ),
        (
            Method::POST,
            format!("/api/demandes/{demande}/submit"),
            Some(json!({})),
        ),
    ];
    for (method, path, body) in routes {
        let theirs = write(
            &app,
            &intruder.access_token,
            method.clone(),
            &path,
            version,
            body.clone(),
        )
        .await;
        let missing_path = path
            .replace(id, &unknown.to_string())
            .replace(demande, &unknown.to_string());
        let missing = write(
            &app,
            &intruder.access_token,
            method.clone(),
            &missing_path,
            version,
            body,
        )
        .await;
        assert_eq!(theirs.status(), StatusCode::NOT_FOUND, "{method} {path}");
        let (theirs, missing) = (
            crate::helpers::but_request_id(&theirs.text().await.expect("body")),
            crate::helpers::but_request_id(&missing.text().await.expect("body")),
        );
        assert_eq!(
            theirs, missing,
            "{method} {path} must look like a missing id"
        );
        assert!(!theirs.contains("DEMONSTRATION"));
    }
    let list: Value = app
        .get_auth("/api/demandes", &intruder.access_token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["items"], json!([]));
    let untouched: Value = app
        .get_auth(&format!("/api/dossiers/{id}"), &owner.access_token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(untouched["version"], dossier["version"]);
}

fn member_json() -> Value {
    member("contact", Some("Intrus"), None)
}

#[tokio::test]
async fn unknown_fields_bad_names_and_absurd_counts_are_refused() {
    let app = spawn_app().await;
    let family = app.family().await;
    let mut dossier = new_dossier(&app, &family).await;
    let id = dossier["id"].as_str().expect("id").to_string();
    let members = format!("/api/dossiers/{id}/members");

    let mut with_status = member("responsable", Some("Zoé"), None);
    with_status["status"] = json!("validee");
    let refused = apply(
        &app,
        &family,
        Method::POST,
        &members,
        &dossier,
        with_status,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(refused["fields"]["status"][0], "unknown_field");
    let numero = apply(
        &app,
        &family,
        Method::PATCH,
        &format!("/api/dossiers/{id}"),
        &dossier,
        json!({"adresse": null, "code_postal": null, "commune": null, "numero": "1"}),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(numero["fields"]["numero"][0], "unknown_field");

    for name in ["N'Guessan", "Anne-Marie", "Zoé", "Ñuñez"] {
        dossier = apply(
            &app,
            &family,
            Method::POST,
            &members,
            &dossier,
            member("contact", Some(name), None),
            StatusCode::CREATED,
        )
        .await;
    }
    let mut control = member("contact", Some("Jean\u{7}"), None);
    control["nom"] = json!("x".repeat(101));
    let bad = apply(
        &app,
        &family,
        Method::POST,
        &members,
        &dossier,
        control,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(bad["fields"]["prenom"][0], "invalid_characters");
    assert_eq!(bad["fields"]["nom"][0], "too_long");

    for i in 4..20 {
        dossier = apply(
            &app,
            &family,
            Method::POST,
            &members,
            &dossier,
            member("contact", Some("Contact"), None),
            StatusCode::CREATED,
        )
        .await;
        assert_eq!(dossier["members"].as_array().expect("members").len(), i + 1);
    }
    let too_many = apply(
        &app,
        &family,
        Method::POST,
        &members,
        &dossier,
        member("contact", Some("Vingt"), None),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(too_many["fields"]["_"][0], "too_many_members");
}
