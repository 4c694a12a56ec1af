//! Enrolment under concurrency (issue 12): the enrolment module on the real database of
//! the run (PostgreSQL or SQLite), with many simultaneous requests. The HTTP routes come
//! next; the capacity rule they will call is this one.

use std::sync::{Arc, Barrier};

use api::activities::enrolment::{EnrolError, Enrolled, enrol};
use api::db::models::activite::{self, NewActivite, categorie};
use api::db::models::inscription::{self, NewInscription};
use api::db::models::periode::{self, NewPeriode, mode, statut};
use api::db::schema::{dossiers, members};
use api::import::import_dossiers;
use chrono::{Duration, NaiveDate, Utc};
use diesel::prelude::*;
use shared::eligibility::Reason;

use crate::helpers::spawn_app;

/// Where the family's emails point (these imported families have no account to write to).
pub(crate) fn mailing() -> api::rattachement::Mailing {
    api::rattachement::Mailing {
        town: "Ville de Test".into(),
        public_url: "http://localhost".into(),
        secret: "test".into(),
    }
}

/// `count` validated dossiers (imported with a number), each with one child born in 2018;
/// returns (dossier id, child id) pairs.
pub(crate) fn families(
    app: &crate::helpers::spawn::TestApp,
    count: usize,
) -> Vec<(String, String)> {
    let mut csv =
        String::from("numero;role;sexe;nom;prenom;date_naissance;adresse;code_postal;commune\n");
    let numeros: Vec<String> = (0..count).map(|n| (30_000 + n).to_string()).collect();
    for (n, numero) in numeros.iter().enumerate() {
        // Names take letters only: « Famille Bac », « Famille Bad »…
        let n: String = [n / 676, n / 26 % 26, n % 26]
            .iter()
            .map(|d| char::from(b'a' + u8::try_from(*d).unwrap_or(0)))
            .collect();
        csv.push_str(&format!(
            "{numero};responsable;F;Famille B{n};Mère;1985-01-01;1 rue des Écoles;28000;Chartres\n\
             {numero};enfant;M;Famille B{n};Enfant;2018-06-01;;;\n"
        ));
    }
    let mut conn = app.state.pool.get().expect("conn");
    import_dossiers(&mut conn, csv.as_bytes()).expect("import");
    members::table
        .inner_join(dossiers::table)
        .filter(members::role.eq("enfant"))
        // Only these families (the demo content has its own).
        .filter(dossiers::numero.eq_any(&numeros))
        .select((dossiers::id, members::id))
        .load(&mut conn)
        .expect("children")
}

/// A published période of `capacite` places, open now, in automatic mode.
fn open_periode(
    app: &crate::helpers::spawn::TestApp,
    capacite: i32,
    liste_attente: bool,
) -> String {
    let mut conn = app.state.pool.get().expect("conn");
    let now = Utc::now().naive_utc();
    let activite = activite::insert(
        &mut conn,
        &NewActivite {
            nom: "Stage multisports".into(),
            description: "Une semaine de sports collectifs.".into(),
            categorie: categorie::SPORT,
            lieu: "Gymnase de la Madeleine".into(),
            age_min: 6,
            age_max: 11,
            tarifs: "Selon le quotient familial.".into(),
            publiee: true,
            pieces: vec![],
        },
        now,
    )
    .expect("activité");
    let first = Utc::now().date_naive() + Duration::days(60);
    periode::insert(
        &mut conn,
        &NewPeriode {
            activite_id: activite,
            libelle: "Semaine 1".into(),
            premier_jour: first,
            dernier_jour: first + Duration::days(4),
            horaires: "du lundi au vendredi, de 9 h à 17 h".into(),
            capacite,
            ouverture: now - Duration::hours(1),
            ouverture_residents: None,
            fermeture: now + Duration::days(30),
            annulation_jours: 7,
            limite_famille: None,
            liste_attente,
            mode_validation: mode::AUTOMATIQUE,
            offre_heures: None,
            statut: statut::PUBLIEE,
            attribution: periode::attribution::PREMIER_ARRIVE,
            tirage_id: None,
        },
        now,
    )
    .expect("période")
}

/// Every family asks at the same instant, one thread (and connection) each.
fn rush(
    app: &crate::helpers::spawn::TestApp,
    periode_id: &str,
    families: &[(String, String)],
) -> Vec<Result<Enrolled, EnrolError>> {
    let barrier = Arc::new(Barrier::new(families.len()));
    let handles: Vec<_> = families
        .iter()
        .cloned()
        .map(|(dossier, child)| {
            let (pool, barrier, periode) = (
                app.state.pool.clone(),
                barrier.clone(),
                periode_id.to_string(),
            );
            std::thread::spawn(move || {
                barrier.wait();
                let mut conn = pool.get().expect("conn");
                let request = NewInscription {
                    periode_id: &periode,
                    member_id: &child,
                    dossier_id: &dossier,
                    demandeur_id: None,
                    par_agent: false,
                };
                enrol(&mut conn, &request, &mailing(), Utc::now())
            })
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn two_hundred_simultaneous_enrolments_fill_ten_places_and_queue_the_rest_in_order() {
    let app = spawn_app().await;
    let families = families(&app, 200);
    let periode_id = open_periode(&app, 10, true);

    let results = rush(&app, &periode_id, &families);
    let mut confirmed = Vec::new();
    let mut waiting = Vec::new();
    for result in results {
        match result {
            Ok(Enrolled::Confirmee(row)) => confirmed.push(row.rang),
            Ok(Enrolled::ListeAttente {
                inscription,
                position,
            }) => waiting.push((inscription.rang, position)),
            other => panic!("every request is answered confirmée or liste d'attente: {other:?}"),
        }
    }
    assert_eq!((confirmed.len(), waiting.len()), (10, 190));
    // Arrival order: the ten places went to the ten first requests, and each waiting
    // position is the request's rank among those that waited.
    confirmed.sort_unstable();
    assert_eq!(confirmed, (1..=10).collect::<Vec<_>>());
    waiting.sort_unstable();
    let positions: Vec<i64> = waiting.iter().map(|(_, p)| *p).collect();
    assert_eq!(positions, (1..=190).collect::<Vec<_>>());
    assert!(waiting.iter().all(|(rang, _)| *rang > 10));

    let mut conn = app.state.pool.get().expect("conn");
    let found = periode::find(&mut conn, &periode_id)
        .expect("query")
        .expect("période");
    assert_eq!((found.places_prises, found.capacite), (10, 10));

    // The same requests again (a retry, a double click): nobody is enrolled twice.
    drop(conn);
    for result in rush(&app, &periode_id, &families) {
        match result {
            Err(EnrolError::NotEligible(reasons)) => {
                assert_eq!(reasons, vec![Reason::AlreadyEnrolled]);
            }
            other => panic!("a second request for the same child: {other:?}"),
        }
    }
    let mut conn = app.state.pool.get().expect("conn");
    let mut counts = inscription::count_by_status(&mut conn, &periode_id).expect("counts");
    counts.sort();
    assert_eq!(
        counts,
        vec![
            ("confirmee".to_string(), 10),
            ("liste_attente".to_string(), 190)
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_waiting_list_a_full_periode_refuses_and_keeps_no_trace() {
    let app = spawn_app().await;
    let families = families(&app, 30);
    let periode_id = open_periode(&app, 5, false);
    let results = rush(&app, &periode_id, &families);
    let confirmed = results
        .iter()
        .filter(|r| matches!(r, Ok(Enrolled::Confirmee(_))))
        .count();
    let full = results
        .iter()
        .filter(|r| matches!(r, Err(EnrolError::Full)))
        .count();
    assert_eq!((confirmed, full), (5, 25), "{results:?}");
    let mut conn = app.state.pool.get().expect("conn");
    let found = periode::find(&mut conn, &periode_id)
        .expect("query")
        .expect("période");
    // Refused requests were rolled back, their rank with them.
    assert_eq!((found.places_prises, found.dernier_rang), (5, 5));
}

#[tokio::test]
async fn a_child_of_another_dossier_or_too_young_is_refused_with_every_reason() {
    let app = spawn_app().await;
    let families = families(&app, 2);
    let periode_id = open_periode(&app, 10, true);
    let mut conn = app.state.pool.get().expect("conn");
    // Family 0 asks for family 1's child.
    let request = NewInscription {
        periode_id: &periode_id,
        member_id: &families[1].1,
        dossier_id: &families[0].0,
        demandeur_id: None,
        par_agent: false,
    };
    match enrol(&mut conn, &request, &mailing(), Utc::now()) {
        Err(EnrolError::NotEligible(reasons)) => assert_eq!(reasons, vec![Reason::NotInDossier]),
        other => panic!("{other:?}"),
    }
    // Too young (born last year), and the window not open yet: both reasons at once.
    diesel::update(members::table.find(&families[0].1))
        .set(members::date_naissance.eq(NaiveDate::from_ymd_opt(2025, 1, 1)))
        .execute(&mut conn)
        .expect("update");
    let request = NewInscription {
        member_id: &families[0].1,
        dossier_id: &families[0].0,
        ..request
    };
    let early = Utc::now() - Duration::hours(2);
    match enrol(&mut conn, &request, &mailing(), early) {
        Err(EnrolError::NotEligible(reasons)) => {
            let codes: Vec<&str> = reasons.iter().map(Reason::code).collect();
            assert_eq!(codes, ["age", "not_open_yet"]);
        }
        other => panic!("{other:?}"),
    }
    let counts = inscription::count_by_status(&mut conn, &periode_id).expect("counts");
    assert!(counts.is_empty(), "nothing written: {counts:?}");
}

/// Anyone reads the published catalogue; the places left follow the enrolments; an
/// unchanged catalogue answers 304; drafts and unpublished activités are not shown.
#[tokio::test]
async fn the_public_catalogue_shows_the_places_left_and_revalidates() {
    let app = spawn_app().await;
    let families = families(&app, 3);
    let periode_id = open_periode(&app, 2, true);
    {
        let mut conn = app.state.pool.get().expect("conn");
        let now = Utc::now().naive_utc();
        // An activité that is not published.
        activite::insert(
            &mut conn,
            &NewActivite {
                nom: "Atelier caché".into(),
                description: String::new(),
                categorie: categorie::EXTRASCOLAIRE,
                lieu: "Mairie".into(),
                age_min: 3,
                age_max: 17,
                tarifs: String::new(),
                publiee: false,
                pieces: vec!["carnet_vaccinations".into()],
            },
            now,
        )
        .expect("activité");
    }
    let response = app
        .client
        .get(app.url("/api/activites"))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "public, no-cache");
    let etag = response.headers()["etag"]
        .to_str()
        .expect("etag")
        .to_string();
    let list: serde_json::Value = response.json().await.expect("json");
    let items = list["items"].as_array().expect("items");
    let ours: Vec<&serde_json::Value> = items
        .iter()
        .filter(|a| a["nom"] == "Stage multisports")
        .collect();
    assert_eq!(ours.len(), 1, "{list}");
    assert!(items.iter().all(|a| a["nom"] != "Atelier caché"), "{list}");
    let periode = &ours[0]["periodes"][0];
    assert_eq!(periode["id"], periode_id.as_str());
    assert_eq!(
        (
            periode["capacite"].as_u64(),
            periode["places_restantes"].as_u64()
        ),
        (Some(2), Some(2))
    );
    assert_eq!(periode["mode_validation"], "automatique");
    assert_eq!(ours[0]["categorie"], "sport");

    let unchanged = app
        .client
        .get(app.url("/api/activites"))
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("get");
    assert_eq!(unchanged.status(), reqwest::StatusCode::NOT_MODIFIED);

    rush(&app, &periode_id, &families);
    let list: serde_json::Value = app.get_json("/api/activites").await;
    let periode = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|a| a["nom"] == "Stage multisports")
        .map(|a| a["periodes"][0].clone())
        .expect("période");
    assert_eq!(
        (
            periode["places_restantes"].as_u64(),
            periode["en_liste_attente"].as_u64()
        ),
        (Some(0), Some(1))
    );
    let changed = app
        .client
        .get(app.url("/api/activites"))
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("get");
    assert_eq!(changed.status(), reqwest::StatusCode::OK);
}

/// `POST /api/inscriptions` as a family: its child is enrolled; a retry with the same key
/// answers the same; the key for another child, no key, another family's child and an
/// unknown période are refused, each clearly.
#[tokio::test]
async fn a_family_enrols_its_child_once_whatever_the_retries() {
    let app = spawn_app().await;
    let families = families(&app, 2);
    let periode_id = open_periode(&app, 5, true);
    let family = app.family().await;
    {
        let mut conn = app.state.pool.get().expect("conn");
        let account: String = api::db::schema::accounts::table
            .filter(api::db::schema::accounts::username.eq(&family.username))
            .select(api::db::schema::accounts::id)
            .first(&mut conn)
            .expect("account");
        api::db::models::dossier::link_account(
            &mut conn,
            &account,
            &families[0].0,
            Utc::now().naive_utc(),
        )
        .expect("link");
    }
    let enrol = |child: &str, key: Option<&str>, periode: &str| {
        let mut request = app
            .client
            .post(app.url("/api/inscriptions"))
            .bearer_auth(&family.access_token)
            .json(&serde_json::json!({"periode_id": periode, "enfant_id": child}));
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        request.send()
    };
    let first = enrol(&families[0].1, Some("cle-1"), &periode_id)
        .await
        .expect("post");
    assert_eq!(first.status(), reqwest::StatusCode::CREATED);
    let first: serde_json::Value = first.json().await.expect("json");
    assert_eq!(first["statut"], "confirmee");
    assert_eq!(first["enfant_id"], families[0].1.as_str());

    let again = enrol(&families[0].1, Some("cle-1"), &periode_id)
        .await
        .expect("post");
    assert_eq!(again.status(), reqwest::StatusCode::CREATED);
    assert_eq!(
        again.json::<serde_json::Value>().await.expect("json"),
        first
    );

    let other_key = enrol(&families[0].1, Some("cle-2"), &periode_id)
        .await
        .expect("post");
    assert_eq!(
        other_key.status(),
        reqwest::StatusCode::UNPROCESSABLE_ENTITY
    );
    let problem: serde_json::Value = other_key.json().await.expect("json");
    assert_eq!(
        problem["fields"]["_"],
        serde_json::json!(["already_enrolled"]),
        "{problem}"
    );

    let reused = enrol(&families[1].1, Some("cle-1"), &periode_id)
        .await
        .expect("post");
    assert_eq!(reused.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);

    let no_key = enrol(&families[0].1, None, &periode_id)
        .await
        .expect("post");
    assert_eq!(no_key.status(), reqwest::StatusCode::BAD_REQUEST);

    let not_ours = enrol(&families[1].1, Some("cle-3"), &periode_id)
        .await
        .expect("post");
    assert_eq!(not_ours.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    let problem: serde_json::Value = not_ours.json().await.expect("json");
    assert_eq!(
        problem["fields"]["_"],
        serde_json::json!(["not_in_dossier"]),
        "{problem}"
    );
    assert_eq!(
        problem["raisons"],
        serde_json::json!([{"code": "not_in_dossier"}]),
        "every reason in full: {problem}"
    );

    let unknown = enrol(
        &families[0].1,
        Some("cle-4"),
        &uuid::Uuid::new_v4().to_string(),
    )
    .await
    .expect("post");
    assert_eq!(unknown.status(), reqwest::StatusCode::NOT_FOUND);

    let mut conn = app.state.pool.get().expect("conn");
    let counts = inscription::count_by_status(&mut conn, &periode_id).expect("counts");
    assert_eq!(counts, vec![("confirmee".to_string(), 1)]);
    drop(conn);

    // « Mes inscriptions »: this one, with what it is for; nothing for a family without
    // a dossier.
    let mine = app
        .get_auth("/api/inscriptions", &family.access_token)
        .await;
    assert_eq!(mine.status(), reqwest::StatusCode::OK);
    let mine: serde_json::Value = mine.json().await.expect("json");
    let items = mine["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{mine}");
    assert_eq!(items[0]["id"], first["id"]);
    assert_eq!(items[0]["statut"], "confirmee");
    assert_eq!(items[0]["activite"], "Stage multisports");
    assert_eq!(items[0]["periode"], "Semaine 1");
    assert!(
        items[0]["enfant"]
            .as_str()
            .is_some_and(|e| e.starts_with("Enfant")),
        "{mine}"
    );
    let other = app.family().await;
    let theirs: serde_json::Value = app
        .get_auth("/api/inscriptions", &other.access_token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(theirs["items"], serde_json::json!([]));
}
