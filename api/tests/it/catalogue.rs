//! The catalogue of types de pièce is data an administrator changes without a release:
//! exported, edited, imported whole (all or nothing), and seen at once by families.

use serde_json::Value;

use crate::helpers::spawn_app;

async fn catalogue(app: &crate::helpers::spawn::TestApp) -> Value {
    app.client
        .get(app.url("/api/types-de-piece"))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json")
}

#[tokio::test]
async fn an_edited_catalogue_is_imported_whole_or_not_at_all() {
    let app = spawn_app().await;
    let mut conn = app.state.pool.get().expect("conn");
    let exported: Value =
        serde_json::from_str(&api::catalogue::export(&mut conn).expect("export")).expect("json");
    assert_eq!(exported, catalogue(&app).await);

    // Retire the tax notice, make the CAF attestation required, add a new type.
    let mut edited = exported.clone();
    let items = edited["items"].as_array_mut().expect("items");
    items.retain(|t| t["code"] != "avis_imposition");
    for t in items.iter_mut() {
        if t["code"] == "attestation_caf" {
            t["exigence"] = "toujours".into();
        }
    }
    let mut photo = items[0].clone();
    photo["code"] = "photo_identite".into();
    photo["libelle"] = "Photo d'identité".into();
    photo["cible"] = "personne".into();
    photo["roles"] = serde_json::json!(["enfant"]);
    photo["formats"] = serde_json::json!(["jpeg", "png"]);
    items.push(photo);
    let count = api::catalogue::import(&mut conn, &edited.to_string()).expect("import");
    assert_eq!(count, 7);
    let now = catalogue(&app).await;
    let codes: Vec<&str> = now["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|t| t["code"].as_str().expect("code"))
        .collect();
    assert!(!codes.contains(&"avis_imposition") && codes.contains(&"photo_identite"));

    // A bad file names every problem and changes nothing.
    let mut bad = now.clone();
    bad["items"][0]["formats"] = serde_json::json!([]);
    bad["items"][1]["code"] = "Mauvais Code".into();
    bad["items"][2]["cible"] = "personne".into();
    let problems = api::catalogue::import(&mut conn, &bad.to_string()).expect_err("refused");
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(problems[0].contains("format"));
    assert_eq!(catalogue(&app).await, now);
    assert!(api::catalogue::import(&mut conn, "{").is_err());
}

#[tokio::test]
async fn administrators_replace_the_catalogue_over_the_api() {
    use reqwest::StatusCode;

    use crate::http::staff::{administrator, staff_session};
    let app = spawn_app().await;
    let (admin, _) = administrator(&app);
    let (_, token) = staff_session(&app, &admin).await;
    let mut edited = catalogue(&app).await;
    edited["items"][0]["libelle"] = "Livret de famille complet".into();
    let response = app
        .client
        .put(app.url("/api/backoffice/types-de-piece"))
        .bearer_auth(&token)
        .json(&edited)
        .send()
        .await
        .expect("put");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        catalogue(&app).await["items"][0]["libelle"],
        "Livret de famille complet"
    );

    let mut bad = edited.clone();
    bad["items"][0]["formats"] = serde_json::json!([]);
    let refused = app
        .client
        .put(app.url("/api/backoffice/types-de-piece"))
        .bearer_auth(&token)
        .json(&bad)
        .send()
        .await
        .expect("put");
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = refused.json().await.expect("json");
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains("format")
    );
    assert_eq!(catalogue(&app).await, edited, "nothing changed");

    let family = app.family().await;
    let as_family = app
        .client
        .put(app.url("/api/backoffice/types-de-piece"))
        .bearer_auth(&family.access_token)
        .json(&edited)
        .send()
        .await
        .expect("put");
    assert_eq!(as_family.status(), StatusCode::FORBIDDEN);
}
