//! *Attribution équitable* over HTTP (issue 13): families rank wishes until the close,
//! nobody can enrol before the draw, the draw runs once (agent's button or the job) by the
//! published rules — wishes by rank, residents first, siblings together, a seeded lottery
//! — never beyond capacity, its result is in « Mes inscriptions » and in one email per
//! family, and the public document re-runs to the same result with
//! `portail-famille attribution verifier`, naming nobody.

use std::collections::HashMap;

use chrono::{Duration, Utc};
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use shared::api::voeux::{ResultatVoeu, TirageView};

use crate::helpers::mail::wait_for_mail;
use crate::helpers::spawn::{Family, TestApp};
use crate::helpers::spawn_app;
use crate::inscriptions::{agent, create_activite, create_periode, family_of, periode_input};

/// A validated household (imported with `numero`) at `code_postal` with `children`
/// children; answers (dossier id, children's ids in order).
fn household(
    app: &TestApp,
    numero: u32,
    code_postal: &str,
    children: &[&str],
) -> (String, Vec<String>) {
    use api::db::schema::{dossiers, members};
    // Names take letters only: 41003 → « Famille Tebad ».
    let nom: String = numero
        .to_string()
        .bytes()
        .map(|d| char::from(b'a' + (d - b'0')))
        .collect();
    let mut csv =
        String::from("numero;role;sexe;nom;prenom;date_naissance;adresse;code_postal;commune\n");
    csv.push_str(&format!(
        "{numero};responsable;F;Famille T{nom};Mère;1985-01-01;1 rue des Écoles;{code_postal};Chartres\n"
    ));
    for prenom in children {
        csv.push_str(&format!(
            "{numero};enfant;M;Famille T{nom};{prenom};2018-06-01;;;\n"
        ));
    }
    let mut conn = app.state.pool.get().expect("conn");
    api::import::import_dossiers(&mut conn, csv.as_bytes()).expect("import");
    let rows: Vec<(String, String)> = members::table
        .inner_join(dossiers::table)
        .filter(dossiers::numero.eq(numero.to_string()))
        .filter(members::role.eq("enfant"))
        .order(members::position)
        .select((dossiers::id, members::id))
        .load(&mut conn)
        .expect("children");
    let dossier = rows.first().map(|r| r.0.clone()).expect("a child");
    (dossier, rows.into_iter().map(|r| r.1).collect())
}

/// An équitable période closing at `fermeture`, with `places`.
fn fair_input(places: u32, libelle: &str, fermeture: chrono::DateTime<Utc>) -> Value {
    let mut input = periode_input(places, "automatique", None);
    input["libelle"] = json!(libelle);
    input["attribution"] = json!("equitable");
    input["fermeture"] = json!(fermeture);
    input
}

async fn put_wishes(
    app: &TestApp,
    family: &Family,
    activite: &str,
    child: &str,
    periodes: &[&str],
) -> (StatusCode, Value) {
    let response = app
        .put_json_auth(
            "/api/voeux",
            &family.access_token,
            &json!({"activite_id": activite, "enfant_id": child, "periodes": periodes}),
        )
        .await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The public draw of `periode`, read anonymously.
async fn published(app: &TestApp, periode: &str) -> (Value, TirageView) {
    let response = app
        .client
        .get(app.url(&format!("/api/tirages/{periode}")))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.expect("text");
    let raw: Value = serde_json::from_str(&text).expect("json");
    (raw, serde_json::from_str(&text).expect("a TirageView"))
}

/// Runs the `portail-famille attribution verifier` command on `view`: its success.
fn verifier_accepts(view: &Value) -> bool {
    let dir = crate::helpers::test_db::tempdir::TempDir(
        std::env::temp_dir().join(format!("pf-tirage-{}", uuid::Uuid::new_v4().simple())),
    );
    std::fs::create_dir_all(&dir.0).expect("dir");
    let file = dir.0.join("tirage.json");
    std::fs::write(&file, view.to_string()).expect("write");
    std::process::Command::new(env!("CARGO_BIN_EXE_portail-famille"))
        .args(["attribution", "verifier", "--fichier"])
        .arg(&file)
        .output()
        .expect("run the verifier")
        .status
        .success()
}

#[tokio::test]
async fn a_fair_draw_follows_the_published_rules_and_anyone_can_re_run_it() {
    let app = spawn_app().await;
    let token = agent(&app).await;
    let activite = create_activite(&app, &token).await;
    let fermeture = Utc::now() + Duration::hours(1);
    let a = create_periode(
        &app,
        &token,
        &activite,
        &fair_input(2, "Semaine A", fermeture),
    )
    .await;
    let b = create_periode(
        &app,
        &token,
        &activite,
        &fair_input(1, "Semaine B", fermeture),
    )
    .await;

    // Chartres (28000) is the town; 75011 is not.
    let (d1, c1) = household(&app, 41_001, "28000", &["Alice"]);
    let (d2, c2) = household(&app, 41_002, "75011", &["Bruno"]);
    let (d3, twins) = household(&app, 41_003, "28000", &["Chloé", "Chris"]);
    let (d4, c4) = household(&app, 41_004, "75011", &["Daniel"]);
    let (d5, c5) = household(&app, 41_005, "28000", &["Emma"]);
    let f1 = family_of(&app, &d1).await;
    let f2 = family_of(&app, &d2).await;
    let f3 = family_of(&app, &d3).await;
    let f4 = family_of(&app, &d4).await;
    let f5 = family_of(&app, &d5).await;

    // Before the draw nobody enrols: the reason says so and when wishes close.
    let refused = app
        .client
        .post(app.url("/api/inscriptions"))
        .bearer_auth(&f1.access_token)
        .header("idempotency-key", "avant-tirage")
        .json(&json!({"periode_id": a, "enfant_id": c1[0]}))
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = refused.json().await.expect("json");
    assert_eq!(problem["raisons"][0]["code"], "by_draw", "{problem}");

    // Wishes, in any order of arrival: it does not count.
    for (family, child, wishes) in [
        (&f4, &c4[0], vec![a.as_str(), b.as_str()]),
        (&f5, &c5[0], vec![b.as_str()]),
        (&f2, &c2[0], vec![a.as_str()]),
        (&f3, &twins[0], vec![a.as_str()]),
        (&f3, &twins[1], vec![a.as_str()]),
        (&f1, &c1[0], vec![b.as_str(), a.as_str()]),
    ] {
        let (status, body) = put_wishes(&app, family, &activite, child, &wishes).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // A family changes its mind: the list is replaced, not added to.
    let (status, body) = put_wishes(&app, &f1, &activite, &c1[0], &[a.as_str()]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["voeux"].as_array().map(Vec::len), Some(1), "{body}");
    assert_eq!(body["voeux"][0]["rang"], 1);

    // What is refused changes nothing.
    let (status, body) = put_wishes(&app, &f2, &activite, &c2[0], &[a.as_str(), a.as_str()]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = put_wishes(&app, &f2, &activite, &c1[0], &[b.as_str()]).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "another family's child: {body}"
    );
    assert_eq!(body["raisons"][0]["code"], "not_in_dossier", "{body}");
    let other = create_activite(&app, &token).await;
    let (status, _) = put_wishes(&app, &f2, &other, &c2[0], &[a.as_str()]).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a période of another activité"
    );

    // A family sees its own wishes only.
    let mine: Value = app
        .get_auth("/api/voeux", &f2.access_token)
        .await
        .json()
        .await
        .expect("json");
    let items = mine["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{mine}");
    assert_eq!(items[0]["enfant_id"], c2[0].as_str());
    assert_eq!(items[0]["voeux"][0]["periode_id"], a.as_str());
    assert!(items[0]["voeux"][0]["resultat"].is_null());

    // Before the close: the seed is published, the requests counted, nobody listed.
    let (before, _) = published(&app, &a).await;
    assert_eq!(before["graine"].as_str().map(str::len), Some(64));
    assert!(before["lignes"].as_array().is_some_and(Vec::is_empty));
    assert!(before["tirage_le"].is_null());
    let counts: HashMap<String, u64> = before["periodes"]
        .as_array()
        .expect("periodes")
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap_or("").to_string(),
                p["demandes"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(counts[&a], 5);
    assert_eq!(counts[&b], 2);
    // Once families wished, the town can no longer change how the places are given.
    let mut change = fair_input(2, "Semaine A", fermeture);
    change["attribution"] = json!("premier_arrive");
    let response = app
        .put_json_auth(&format!("/api/backoffice/periodes/{a}"), &token, &change)
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    // Nor draw before the close.
    let early = app
        .post_json_auth(
            &format!("/api/backoffice/periodes/{a}/tirage"),
            &token,
            &json!({}),
        )
        .await;
    assert_eq!(early.status(), StatusCode::CONFLICT);

    // The close passes (the database's clock, which the draw follows).
    app.state.clock.advance(Duration::hours(2));
    let drawn = app
        .post_json_auth(
            &format!("/api/backoffice/periodes/{a}/tirage"),
            &token,
            &json!({}),
        )
        .await;
    assert_eq!(drawn.status(), StatusCode::OK);
    let (raw, view) = published(&app, &a).await;
    assert!(view.tirage_le.is_some());
    assert_eq!(view.lignes.len(), 7);

    // Capacity, never beyond; siblings together; residents before others at one rank.
    let outcome = |child: &str| {
        let mut conn = app.state.pool.get().expect("conn");
        api::db::schema::voeux::table
            .filter(api::db::schema::voeux::member_id.eq(child))
            .select((
                api::db::schema::voeux::periode_id,
                api::db::schema::voeux::resultat,
            ))
            .load::<(String, Option<String>)>(&mut conn)
            .expect("wishes")
    };
    let placed_in = |periode: &str| {
        view.lignes
            .iter()
            .filter(|l| l.periode_id.to_string() == periode && l.resultat == ResultatVoeu::Place)
            .count()
    };
    assert!(placed_in(&a) <= 2 && placed_in(&b) <= 1);
    assert_eq!(placed_in(&a), 2, "no place left empty while wished for");
    assert_eq!(placed_in(&b), 1);
    let twin_results: Vec<_> = twins.iter().map(|t| outcome(t)[0].1.clone()).collect();
    assert_eq!(
        twin_results[0], twin_results[1],
        "siblings placed together or not at all"
    );
    let placed = |child: &str| {
        outcome(child)
            .iter()
            .any(|(_, r)| r.as_deref() == Some("place"))
    };
    // Emma (resident, alone for B) has B. In A, residents come first: either the twins
    // take both places, or Alice one and the twins (two) do not fit — then one
    // non-resident may take the last place.
    assert!(placed(&c5[0]));
    if placed(&twins[0]) {
        assert!(!placed(&c1[0]) && !placed(&c2[0]) && !placed(&c4[0]));
    } else {
        assert!(placed(&c1[0]));
        assert!(placed(&c2[0]) ^ placed(&c4[0]));
    }
    // Daniel's second wish (B) comes after every first wish: Emma's took B's place, so it
    // waits — unless his first wish placed him, which makes it moot.
    let daniel_b = if placed(&c4[0]) {
        "sans_objet"
    } else {
        "liste_attente"
    };
    assert!(
        outcome(&c4[0])
            .iter()
            .any(|(p, r)| p == &b && r.as_deref() == Some(daniel_b)),
        "{:?}",
        outcome(&c4[0])
    );

    // The result is in « Mes inscriptions », waiting lists in draw order.
    let inscriptions: Value = app
        .get_auth("/api/inscriptions", &f5.access_token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        inscriptions["items"][0]["statut"], "confirmee",
        "{inscriptions}"
    );
    let waiting: Vec<_> = view
        .lignes
        .iter()
        .filter(|l| l.periode_id.to_string() == a && l.resultat == ResultatVoeu::ListeAttente)
        .map(|l| l.position)
        .collect();
    assert_eq!(
        waiting,
        (1..=u32::try_from(waiting.len()).unwrap_or(0))
            .map(Some)
            .collect::<Vec<_>>()
    );
    // One email per family, with its result.
    let mail = wait_for_mail(&f5.email, "Résultat du tirage au sort").await;
    assert!(mail.text.contains("Emma"), "{}", mail.text);

    // Public, and naming nobody: no name, no dossier or child id.
    let text = raw.to_string();
    for secret in [&d1, &d2, &d3, &c1[0], &twins[0], &c5[0]] {
        assert!(!text.contains(secret.as_str()), "{secret} is published");
    }
    for name in ["Famille", "Alice", "Chloé", "Emma"] {
        assert!(!text.contains(name), "{name} is published");
    }

    // Anyone re-runs it from the document alone: the same result; a forged one is caught.
    assert!(verifier_accepts(&raw));
    let mut forged = raw.clone();
    let first_waiting = forged["lignes"]
        .as_array()
        .and_then(|l| l.iter().position(|l| l["resultat"] == "liste_attente"))
        .expect("someone waits");
    forged["lignes"][first_waiting]["resultat"] = json!("place");
    assert!(!verifier_accepts(&forged));

    // Running it again (the button, the job) changes nothing.
    let again = app
        .post_json_auth(
            &format!("/api/backoffice/periodes/{b}/tirage"),
            &token,
            &json!({}),
        )
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(api::jobs::run_due_draws(&app.state).await.expect("job"), 0);
    assert_eq!(published(&app, &a).await.0, raw);
    // Wishes are closed.
    let (status, body) = put_wishes(&app, &f2, &activite, &c2[0], &[b.as_str()]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
}

#[tokio::test]
async fn the_job_runs_a_closed_draw_once_and_a_family_limit_holds_for_wishes() {
    let app = spawn_app().await;
    let token = agent(&app).await;
    let activite = create_activite(&app, &token).await;
    let fermeture = Utc::now() + Duration::minutes(30);
    let mut input = fair_input(3, "Semaine unique", fermeture);
    input["limite_famille"] = json!(1);
    let periode = create_periode(&app, &token, &activite, &input).await;
    let (dossier, children) = household(&app, 42_001, "28000", &["Léa", "Noé"]);
    let family = family_of(&app, &dossier).await;
    let (status, body) =
        put_wishes(&app, &family, &activite, &children[0], &[periode.as_str()]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // One child per family in this période: the second wish is refused, with the reason.
    let (status, body) =
        put_wishes(&app, &family, &activite, &children[1], &[periode.as_str()]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["raisons"][0]["code"], "family_limit", "{body}");

    // Not closed yet: the job leaves it.
    assert_eq!(api::jobs::run_due_draws(&app.state).await.expect("job"), 0);
    app.state.clock.advance(Duration::hours(1));
    assert_eq!(api::jobs::run_due_draws(&app.state).await.expect("job"), 1);
    assert_eq!(api::jobs::run_due_draws(&app.state).await.expect("job"), 0);
    let (_, view) = published(&app, &periode).await;
    assert_eq!(view.lignes.len(), 1);
    assert_eq!(view.lignes[0].resultat, ResultatVoeu::Place);
    let mail = wait_for_mail(&family.email, "Résultat du tirage au sort").await;
    assert!(mail.text.contains("Léa"), "{}", mail.text);
}
