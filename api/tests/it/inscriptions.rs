//! An inscription's life over HTTP (issue 12): an agent builds the catalogue in the back
//! office, families enrol; a cancellation gives the place to the first in line (offered
//! until a deadline), an offer not accepted in time passes to the next (the job, run
//! twice), decisions on requests *sur validation*, the capacity rule on edits, and the
//! emails of every step read back from the SMTP server.

use chrono::{Duration, Utc};
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::activities::families;
use crate::helpers::mail::wait_for_mail;
use crate::helpers::spawn::{Family, TestApp};
use crate::helpers::spawn_app;
use crate::http::staff::{administrator, staff_session};

/// A family whose account is linked to imported (validated) dossier `dossier_id`.
pub(crate) async fn family_of(app: &TestApp, dossier_id: &str) -> Family {
    let family = app.family().await;
    let mut conn = app.state.pool.get().expect("conn");
    let account: String = api::db::schema::accounts::table
        .filter(api::db::schema::accounts::username.eq(&family.username))
        .select(api::db::schema::accounts::id)
        .first(&mut conn)
        .expect("account");
    api::db::models::dossier::link_account(&mut conn, &account, dossier_id, Utc::now().naive_utc())
        .expect("link");
    family
}

/// An agent's session (an administrator's: agents have the same rights here).
pub(crate) async fn agent(app: &TestApp) -> String {
    let (username, _) = administrator(app);
    staff_session(app, &username).await.1
}

/// The agent creates a published activité for 6–11 year-olds; answers its id.
pub(crate) async fn create_activite(app: &TestApp, token: &str) -> String {
    let response = app
        .post_json_auth(
            "/api/backoffice/activites",
            token,
            &json!({
                "nom": "Vacances sportives hiver 2026",
                "description": "Une semaine de **sports** collectifs.",
                "categorie": "sport",
                "lieu": "Gymnase de la Madeleine",
                "age_min": 6,
                "age_max": 11,
                "tarifs": "Selon le quotient familial.",
                "pieces_requises": [],
                "publiee": true,
            }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.expect("json");
    body["id"].as_str().expect("id").to_string()
}

/// A période's settings: open since an hour, starting in 60 days.
pub(crate) fn periode_input(capacite: u32, mode: &str, offre_heures: Option<u32>) -> Value {
    let now = Utc::now();
    let first = now.date_naive() + Duration::days(60);
    json!({
        "libelle": "Semaine 1 : du lundi au vendredi",
        "premier_jour": first,
        "dernier_jour": first + Duration::days(4),
        "horaires": "De 9 h à 17 h",
        "capacite": capacite,
        "ouverture": now - Duration::hours(1),
        "ouverture_residents": null,
        "fermeture": now + Duration::days(30),
        "annulation_jours": 7,
        "limite_famille": null,
        "liste_attente": true,
        "mode_validation": mode,
        "offre_heures": offre_heures,
        "statut": "publiee",
    })
}

pub(crate) async fn create_periode(
    app: &TestApp,
    token: &str,
    activite: &str,
    input: &Value,
) -> String {
    let response = app
        .post_json_auth(
            &format!("/api/backoffice/activites/{activite}/periodes"),
            token,
            input,
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.expect("json");
    body["id"].as_str().expect("id").to_string()
}

pub(crate) async fn enrol(app: &TestApp, family: &Family, periode: &str, child: &str) -> Value {
    let response = app
        .client
        .post(app.url("/api/inscriptions"))
        .bearer_auth(&family.access_token)
        .header("idempotency-key", uuid::Uuid::new_v4().to_string())
        .json(&json!({"periode_id": periode, "enfant_id": child}))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.expect("json")
}

async fn post(app: &TestApp, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
    let response = app.post_json_auth(path, token, body).await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The family's inscription `id` as « Mes inscriptions » shows it.
async fn mine(app: &TestApp, family: &Family, id: &Value) -> Value {
    let list: Value = app
        .get_auth("/api/inscriptions", &family.access_token)
        .await
        .json()
        .await
        .expect("json");
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["id"] == *id)
        .cloned()
        .expect("the inscription is listed")
}

#[tokio::test]
async fn a_cancelled_place_is_offered_in_line_and_passes_on_when_the_offer_lapses() {
    let app = spawn_app().await;
    let token = agent(&app).await;
    let activite = create_activite(&app, &token).await;
    let periode = create_periode(
        &app,
        &token,
        &activite,
        &periode_input(1, "automatique", Some(24)),
    )
    .await;
    let dossiers = families(&app, 3);
    let (a, b, c) = (
        family_of(&app, &dossiers[0].0).await,
        family_of(&app, &dossiers[1].0).await,
        family_of(&app, &dossiers[2].0).await,
    );

    let first = enrol(&app, &a, &periode, &dossiers[0].1).await;
    assert_eq!(first["statut"], "confirmee");
    wait_for_mail(&a.email, "Inscription confirmée").await;
    let second = enrol(&app, &b, &periode, &dossiers[1].1).await;
    assert_eq!(
        (&second["statut"], &second["position_liste_attente"]),
        (&json!("liste_attente"), &json!(1))
    );
    wait_for_mail(&b.email, "liste d'attente").await;
    let third = enrol(&app, &c, &periode, &dossiers[2].1).await;
    assert_eq!(third["position_liste_attente"], 2);

    // B sees why « Inscrire » is not offered again for this période.
    let eligibilities: Value = app
        .get_auth("/api/inscriptions/eligibilites", &b.access_token)
        .await
        .json()
        .await
        .expect("json");
    let here = eligibilities["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["periode_id"] == periode.as_str())
        .cloned()
        .expect("the période");
    assert_eq!(
        here["raisons"],
        json!([{"code": "already_enrolled"}]),
        "{eligibilities}"
    );

    // Another family cannot touch A's inscription.
    let path = format!(
        "/api/inscriptions/{}/annulation",
        first["id"].as_str().expect("id")
    );
    let (status, _) = post(&app, &c.access_token, &path, &json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let answer_for_a = format!(
        "/api/inscriptions/{}/reponse",
        first["id"].as_str().expect("id")
    );
    let (status, problem) = post(
        &app,
        &c.access_token,
        &answer_for_a,
        &json!({"accepter": true}),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "as for an id that does not exist"
    );
    assert!(
        !problem
            .to_string()
            .contains(first["id"].as_str().expect("id")),
        "{problem}"
    );

    // A cancels: the place is offered to B for 24 hours, C moves up.
    let (status, cancelled) = post(&app, &a.access_token, &path, &json!({})).await;
    assert_eq!(
        (status, &cancelled["statut"]),
        (StatusCode::OK, &json!("annulee"))
    );
    wait_for_mail(&a.email, "Inscription annulée").await;
    let offered = mine(&app, &b, &second["id"]).await;
    assert_eq!(offered["statut"], "place_proposee", "{offered}");
    let deadline: chrono::DateTime<Utc> =
        serde_json::from_value(offered["offre_expire_at"].clone()).expect("deadline");
    assert!(
        (deadline - Utc::now() - Duration::hours(24))
            .num_minutes()
            .abs()
            < 5,
        "{deadline}"
    );
    let offer_mail = wait_for_mail(&b.email, "Une place se libère").await;
    assert!(
        offer_mail.text.contains("Mes inscriptions"),
        "{}",
        offer_mail.text
    );
    assert_eq!(
        mine(&app, &c, &third["id"]).await["position_liste_attente"],
        1
    );
    let (status, _) = post(&app, &a.access_token, &path, &json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "cancelling twice");

    // Nobody answers for a day: the job passes the place to C; run twice, it moves once.
    app.state.clock.advance(Duration::hours(25));
    assert_eq!(api::jobs::expire_offers(&app.state).await.expect("job"), 1);
    assert_eq!(api::jobs::expire_offers(&app.state).await.expect("job"), 0);
    let lapsed = mine(&app, &b, &second["id"]).await;
    assert_eq!(lapsed["statut"], "annulee");
    assert!(
        lapsed["motif"]
            .as_str()
            .is_some_and(|m| m.contains("délai")),
        "{lapsed}"
    );
    assert_eq!(
        mine(&app, &c, &third["id"]).await["statut"],
        "place_proposee"
    );
    wait_for_mail(&c.email, "Une place se libère").await;

    // B's late answer is refused; C accepts.
    let late = format!(
        "/api/inscriptions/{}/reponse",
        second["id"].as_str().expect("id")
    );
    let (status, _) = post(&app, &b.access_token, &late, &json!({"accepter": true})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let answer = format!(
        "/api/inscriptions/{}/reponse",
        third["id"].as_str().expect("id")
    );
    let (status, accepted) = post(&app, &c.access_token, &answer, &json!({"accepter": true})).await;
    assert_eq!(
        (status, &accepted["statut"]),
        (StatusCode::OK, &json!("confirmee"))
    );
    wait_for_mail(&c.email, "Inscription confirmée").await;

    // The agent's list: C holds the place, then the ended ones; the CSV says the same.
    let roster: Value = app
        .get_auth(
            &format!("/api/backoffice/periodes/{periode}/inscriptions"),
            &token,
        )
        .await
        .json()
        .await
        .expect("json");
    let statuses: Vec<&str> = roster["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["statut"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(statuses, ["confirmee", "annulee", "annulee"], "{roster}");
    assert_eq!(roster["periode"]["confirmees"], 1);
    // Imported dossiers have no parental links yet: their responsables stand in.
    assert!(
        roster["items"][0]["responsables"][0]["nom"]
            .as_str()
            .is_some_and(|n| n.starts_with("Mère")),
        "{roster}"
    );
    assert_eq!(roster["periode"]["places_restantes"], 0);
    let csv = app
        .get_auth(
            &format!("/api/backoffice/periodes/{periode}/inscriptions.csv"),
            &token,
        )
        .await;
    assert_eq!(csv.status(), StatusCode::OK);
    let csv = csv.text().await.expect("text");
    assert!(csv.starts_with("\u{feff}\"Enfant\";"), "{csv}");
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(csv.contains("\"Confirmée\""), "{csv}");

    // The agent cancels C's place with a reason, which C reads in the email.
    let (status, body) = post(
        &app,
        &token,
        &format!(
            "/api/backoffice/inscriptions/{}/annulation",
            third["id"].as_str().expect("id")
        ),
        &json!({"motif": "Séjour annulé faute d'encadrants."}),
    )
    .await;
    assert_eq!(
        (status, &body["statut"]),
        (StatusCode::OK, &json!("annulee")),
        "{body}"
    );
    let mail = wait_for_mail(&c.email, "Inscription annulée").await;
    assert!(mail.text.contains("faute d'encadrants"), "{}", mail.text);
}

#[tokio::test]
async fn requests_sur_validation_are_decided_by_an_agent_and_a_refusal_needs_a_reason() {
    let app = spawn_app().await;
    let token = agent(&app).await;
    let activite = create_activite(&app, &token).await;
    let periode = create_periode(
        &app,
        &token,
        &activite,
        &periode_input(2, "sur_validation", None),
    )
    .await;
    let dossiers = families(&app, 2);
    let (a, b) = (
        family_of(&app, &dossiers[0].0).await,
        family_of(&app, &dossiers[1].0).await,
    );
    let first = enrol(&app, &a, &periode, &dossiers[0].1).await;
    let second = enrol(&app, &b, &periode, &dossiers[1].1).await;
    assert_eq!(
        (&first["statut"], &second["statut"]),
        (&json!("demandee"), &json!("demandee"))
    );
    wait_for_mail(&a.email, "Demande d'inscription reçue").await;

    let queue: Value = app
        .get_auth("/api/backoffice/inscriptions/a-valider", &token)
        .await
        .json()
        .await
        .expect("json");
    let ids: Vec<&Value> = queue["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| &i["id"])
        .collect();
    assert_eq!(ids, [&first["id"], &second["id"]], "oldest first: {queue}");
    assert_eq!(
        queue["items"][0]["activite"],
        "Vacances sportives hiver 2026"
    );

    let decide = |id: &Value| {
        format!(
            "/api/backoffice/inscriptions/{}/decision",
            id.as_str().unwrap_or_default()
        )
    };
    let (status, problem) = post(
        &app,
        &token,
        &decide(&second["id"]),
        &json!({"decision": "refuser"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["fields"]["motif"], json!(["required"]), "{problem}");
    let (status, body) = post(
        &app,
        &token,
        &decide(&second["id"]),
        &json!({"decision": "refuser", "motif": "Enfant déjà accueilli cette semaine-là."}),
    )
    .await;
    assert_eq!(
        (status, &body["statut"]),
        (StatusCode::OK, &json!("refusee"))
    );
    let mail = wait_for_mail(&b.email, "refusée").await;
    assert!(mail.text.contains("déjà accueilli"), "{}", mail.text);
    let (status, body) = post(
        &app,
        &token,
        &decide(&first["id"]),
        &json!({"decision": "confirmer"}),
    )
    .await;
    assert_eq!(
        (status, &body["statut"]),
        (StatusCode::OK, &json!("confirmee"))
    );
    let (status, _) = post(
        &app,
        &token,
        &decide(&first["id"]),
        &json!({"decision": "refuser", "motif": "x"}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "decided once");
    wait_for_mail(&a.email, "Inscription confirmée").await;
    let refused = mine(&app, &b, &second["id"]).await;
    assert_eq!(refused["motif"], "Enfant déjà accueilli cette semaine-là.");
}

#[tokio::test]
async fn capacity_never_goes_below_the_places_held_and_added_places_go_to_the_waiting_list() {
    let app = spawn_app().await;
    let token = agent(&app).await;
    let activite = create_activite(&app, &token).await;
    let mut input = periode_input(2, "automatique", None);
    let periode = create_periode(&app, &token, &activite, &input).await;
    let dossiers = families(&app, 3);
    let family = family_of(&app, &dossiers[2].0).await;

    // Two children enrolled by an agent (as at the counter), the third by its family.
    for (_, child) in &dossiers[..2] {
        let (status, body) = post(
            &app,
            &token,
            &format!("/api/backoffice/periodes/{periode}/inscriptions"),
            &json!({"enfant_id": child}),
        )
        .await;
        assert_eq!(
            (status, &body["statut"]),
            (StatusCode::CREATED, &json!("confirmee")),
            "{body}"
        );
    }
    let waiting = enrol(&app, &family, &periode, &dossiers[2].1).await;
    assert_eq!(waiting["statut"], "liste_attente");

    input["capacite"] = json!(1);
    let lowered = app
        .put_json_auth(
            &format!("/api/backoffice/periodes/{periode}"),
            &token,
            &input,
        )
        .await;
    assert_eq!(lowered.status(), StatusCode::CONFLICT);
    input["capacite"] = json!(3);
    let raised = app
        .put_json_auth(
            &format!("/api/backoffice/periodes/{periode}"),
            &token,
            &input,
        )
        .await;
    assert_eq!(raised.status(), StatusCode::OK);
    let raised: Value = raised.json().await.expect("json");
    assert_eq!(
        (&raised["capacite"], &raised["confirmees"]),
        (&json!(3), &json!(3)),
        "{raised}"
    );
    assert_eq!(
        mine(&app, &family, &waiting["id"]).await["statut"],
        "confirmee"
    );
    wait_for_mail(&family.email, "Inscription confirmée").await;

    // Dates out of order are refused on the field that is wrong.
    input["fermeture"] = input["ouverture"].clone();
    let wrong = app
        .put_json_auth(
            &format!("/api/backoffice/periodes/{periode}"),
            &token,
            &input,
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = wrong.json().await.expect("json");
    assert_eq!(
        problem["fields"]["fermeture"],
        json!(["date_out_of_range"]),
        "{problem}"
    );

    // The children of a dossier, by its number, for the agent's form.
    let children: Value = app
        .get_auth("/api/backoffice/enfants?dossier=30000", &token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        children["items"][0]["id"],
        dossiers[0].1.as_str(),
        "{children}"
    );
    let unknown = app
        .get_auth("/api/backoffice/enfants?dossier=99999", &token)
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_family_cannot_cancel_a_place_past_the_deadline_but_may_leave_the_waiting_list() {
    let app = spawn_app().await;
    let token = agent(&app).await;
    let activite = create_activite(&app, &token).await;
    let mut input = periode_input(1, "automatique", None);
    // Starts in three days: the 7-day cancellation deadline has passed.
    let first = Utc::now().date_naive() + Duration::days(3);
    input["premier_jour"] = json!(first);
    input["dernier_jour"] = json!(first + Duration::days(4));
    let periode = create_periode(&app, &token, &activite, &input).await;
    let dossiers = families(&app, 2);
    let (a, b) = (
        family_of(&app, &dossiers[0].0).await,
        family_of(&app, &dossiers[1].0).await,
    );
    let held = enrol(&app, &a, &periode, &dossiers[0].1).await;
    let waiting = enrol(&app, &b, &periode, &dossiers[1].1).await;
    let cancel = |id: &Value| {
        format!(
            "/api/inscriptions/{}/annulation",
            id.as_str().unwrap_or_default()
        )
    };
    let (status, problem) = post(&app, &a.access_token, &cancel(&held["id"]), &json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("délai")),
        "{problem}"
    );
    assert_eq!(mine(&app, &a, &held["id"]).await["statut"], "confirmee");
    let (status, left) = post(&app, &b.access_token, &cancel(&waiting["id"]), &json!({})).await;
    assert_eq!(
        (status, &left["statut"]),
        (StatusCode::OK, &json!("annulee"))
    );
}

#[tokio::test]
async fn households_living_in_the_town_may_enrol_from_the_residents_opening() {
    let app = spawn_app().await;
    let token = agent(&app).await;
    let activite = create_activite(&app, &token).await;
    let mut input = periode_input(5, "automatique", None);
    input["ouverture"] = json!(Utc::now() + Duration::hours(2));
    input["ouverture_residents"] = json!(Utc::now() - Duration::hours(1));
    let periode = create_periode(&app, &token, &activite, &input).await;
    // Both imported at a Chartres address (28000, the town's code); one moves away.
    let dossiers = families(&app, 2);
    {
        let mut conn = app.state.pool.get().expect("conn");
        diesel::update(api::db::schema::dossiers::table.find(&dossiers[1].0))
            .set(api::db::schema::dossiers::code_postal.eq("75011"))
            .execute(&mut conn)
            .expect("move");
    }
    let (resident, outsider) = (
        family_of(&app, &dossiers[0].0).await,
        family_of(&app, &dossiers[1].0).await,
    );
    assert_eq!(
        enrol(&app, &resident, &periode, &dossiers[0].1).await["statut"],
        "confirmee"
    );
    let refused = app
        .client
        .post(app.url("/api/inscriptions"))
        .bearer_auth(&outsider.access_token)
        .header("idempotency-key", "hors-commune")
        .json(&json!({"periode_id": periode, "enfant_id": dossiers[1].1}))
        .send()
        .await
        .expect("post");
    // Only the window stands in the way: 409 with the instant it opens (issue 13).
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let problem: Value = refused.json().await.expect("json");
    assert_eq!(problem["code"], "window_not_open", "{problem}");
    let opens_at: chrono::DateTime<Utc> =
        serde_json::from_value(problem["opens_at"].clone()).expect("opens_at");
    let expected: chrono::DateTime<Utc> =
        serde_json::from_value(input["ouverture"].clone()).expect("ouverture");
    assert_eq!(opens_at.timestamp(), expected.timestamp());
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("heure de Paris")),
        "{problem}"
    );
}

/// H-06: two agents deciding the same request at the same instant — one decision holds,
/// the other is told it came second; the family is told once.
#[tokio::test]
async fn two_agents_deciding_at_once_make_one_decision_and_one_email() {
    let app = spawn_app().await;
    let (first_agent, second_agent) = (agent(&app).await, agent(&app).await);
    let activite = create_activite(&app, &first_agent).await;
    let input = periode_input(3, "sur_validation", None);
    let periode = create_periode(&app, &first_agent, &activite, &input).await;
    let dossiers = families(&app, 1);
    let family = family_of(&app, &dossiers[0].0).await;
    let request = enrol(&app, &family, &periode, &dossiers[0].1).await;
    let path = format!(
        "/api/backoffice/inscriptions/{}/decision",
        request["id"].as_str().expect("id")
    );
    let (confirmation, refusal) = (
        json!({"decision": "confirmer"}),
        json!({"decision": "refuser", "motif": "Complet."}),
    );
    let (confirm, refuse) = tokio::join!(
        post(&app, &first_agent, &path, &confirmation),
        post(&app, &second_agent, &path, &refusal),
    );
    let mut statuses = [confirm.0, refuse.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let decided = if confirm.0 == StatusCode::OK {
        "confirmée"
    } else {
        "refusée"
    };
    wait_for_mail(&family.email, decided).await;
    // Give a second (wrong) email the time to arrive, then count.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let decisions = crate::helpers::mail::mails_to(&family.email)
        .await
        .into_iter()
        .filter(|m| m.subject.contains("confirmée") || m.subject.contains("refusée"))
        .count();
    assert_eq!(decisions, 1);
}
