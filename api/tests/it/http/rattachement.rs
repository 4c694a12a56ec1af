//! Rattachement to an existing dossier (SECURITY.md, C-01): a number and a name
//! only start it; the account sees nothing of the dossier until it types the code sent to
//! the dossier's address on record, or an agent validates its request. The holders are
//! told; wrong references are throttled per IP and per number.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::mail::{mails_to, wait_for_mail, wait_for_mails};
use crate::helpers::spawn::{Family, TestApp};
use crate::helpers::{spawn_app, spawn_app_with, unique};
use crate::http::staff::{administrator, staff_session};

/// Imports one dossier (responsable Aïcha N'Guessan, conjoint Paul, child Léo) with
/// `email` on record, or none; answers its id.
fn import_dossier(app: &TestApp, numero: &str, email: Option<&str>) -> String {
    let email = email.unwrap_or_default();
    let csv = format!(
        "numero;role;sexe;nom;prenom;date_naissance;adresse;code_postal;commune;email\n\
         {numero};responsable;F;N'Guessan;Aïcha;02/03/1985;3 rue de la Paix;28000;Chartres;{email}\n\
         {numero};conjoint;M;N'Guessan;Paul;04/05/1983;;;;\n\
         {numero};enfant;M;N'Guessan;Léo;2019-05-05;;;;\n"
    );
    api::import::import_dossiers(&mut app.state.pool.get().expect("conn"), csv.as_bytes())
        .expect("import");
    let mut conn = app.state.pool.get().expect("conn");
    api::db::models::dossier::find_by_numero(&mut conn, numero)
        .expect("query")
        .expect("imported")
}

fn reference(numero: &str, nom: &str, prenom: &str) -> Value {
    json!({"numero": numero, "nom": nom, "prenom": prenom})
}

async fn me(app: &TestApp, family: &Family) -> Value {
    app.get_auth("/api/me", &family.access_token)
        .await
        .json()
        .await
        .expect("json")
}

async fn post(app: &TestApp, family: &Family, path: &str, body: Value) -> (StatusCode, Value) {
    let response = app.post_json_auth(path, &family.access_token, &body).await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Every operation of the OpenAPI document on `/api/dossiers/{id}…`, called with the
/// dossier's real id (and random ids for the rest), must give nothing away: no success,
/// and none of the family's names or address in any answer. Reads are 404, exactly as
/// for a dossier that does not exist.
async fn assert_sees_nothing_of(app: &TestApp, family: &Family, dossier_id: &str) {
    let document: Value = app.get_json("/api-docs/openapi.json").await;
    let paths = document["paths"].as_object().expect("paths");
    let mut checked = 0;
    for (template, operations) in paths {
        if !template.starts_with("/api/dossiers/{id}") {
            continue;
        }
        let path = template
            .replace("{id}", dossier_id)
            .replace("{piece_id}", &uuid::Uuid::new_v4().to_string())
            .replace("{member_id}", &uuid::Uuid::new_v4().to_string())
            .replace("{file_id}", &uuid::Uuid::new_v4().to_string());
        for method in operations.as_object().expect("operations").keys() {
            let method: Method = method.to_uppercase().parse().expect("method");
            let response = app
                .client
                .request(method.clone(), app.url(&path))
                .bearer_auth(&family.access_token)
                .header("if-match", "\"1\"")
                .header("idempotency-key", unique("k"))
                .json(&json!({}))
                .send()
                .await
                .expect("request");
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            assert!(
                !status.is_success(),
                "{method} {template} answered {status} to a stranger: {body}"
            );
            for secret in ["N'Guessan", "N\\u0027Guessan", "Léo", "rue de la Paix"] {
                assert!(!body.contains(secret), "{method} {template} leaks {secret}");
            }
            if method == Method::GET {
                assert_eq!(status, StatusCode::NOT_FOUND, "GET {template}");
            }
            checked += 1;
        }
    }
    assert!(
        checked >= 8,
        "only {checked} dossier operations were checked"
    );
    let demandes: Value = app
        .get_auth("/api/demandes", &family.access_token)
        .await
        .json()
        .await
        .expect("json");
    for demande in demandes["items"].as_array().expect("items") {
        assert_ne!(demande["kind"], "creation_dossier", "{demandes}");
        let detail: Value = app
            .get_auth(
                &format!("/api/demandes/{}", demande["id"].as_str().expect("id")),
                &family.access_token,
            )
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(detail["dossier"], Value::Null, "{detail}");
    }
    let me = me(app, family).await;
    assert_eq!(me["dossier_numero"], Value::Null);
    assert_eq!(me["comptes_rattaches"], json!([]));
}

#[tokio::test]
async fn a_stranger_knowing_a_number_and_a_name_sees_nothing_until_the_code_or_the_agent() {
    let app = spawn_app().await;
    let holder_address = format!("{}@exemple.fr", unique("holder"));
    let with_email = import_dossier(&app, "40001", Some(&holder_address));
    let without_email = import_dossier(&app, "40002", None);

    // A child's name, the easiest to learn, is not a reference at all.
    let child = app
        .post_json(
            "/api/registrations",
            &json!({"username": unique("x"), "email": format!("{}@exemple.fr", unique("x")),
                    "password": crate::helpers::PASSWORD, "new_household": false,
                    "dossier_reference": reference("40001", "n'guessan", "leo")}),
        )
        .await;
    assert_eq!(child.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // By the code path: the stranger knows the number and a parent's name.
    let stranger = app
        .family_with(Some(reference("40001", "N’GUESSAN", "paul")))
        .await;
    let code_mail = wait_for_mail(&holder_address, "Code de rattachement").await;
    assert!(
        !code_mail.text.contains(&stranger.email),
        "the code goes to the address on record, never to the one typed"
    );
    assert!(
        mails_to(&stranger.email)
            .await
            .iter()
            .all(|m| !m.subject.contains("Code de rattachement"))
    );
    let pending = me(&app, &stranger).await["rattachement"].clone();
    assert_eq!(pending["status"], "en_attente");
    assert_eq!(pending["method"], "code");
    assert_eq!(pending["code_valide"], true);
    assert!(
        !pending.to_string().contains(&holder_address),
        "the address on record is never shown: {pending}"
    );
    assert_sees_nothing_of(&app, &stranger, &with_email).await;

    // By the validation path: a request waits for an agent, and shows nothing meanwhile.
    let other = app
        .family_with(Some(reference("40002", "n'guessan", "Aïcha")))
        .await;
    let pending = me(&app, &other).await["rattachement"].clone();
    assert_eq!(pending["method"], "validation");
    assert!(pending["demande_id"].is_string());
    assert_sees_nothing_of(&app, &other, &without_email).await;
}

#[tokio::test]
async fn the_code_links_the_account_once_and_the_holders_are_told() {
    let app = spawn_app().await;
    let address = format!("{}@exemple.fr", unique("famille"));
    let dossier_id = import_dossier(&app, "40011", Some(&address));

    // The first parent reads the code at the address the town has on record.
    let first = app
        .family_with(Some(reference("40011", "N'Guessan", "Aïcha")))
        .await;
    let code = wait_for_mail(&address, "Code de rattachement")
        .await
        .rattachement_code();
    let (status, view) = post(
        &app,
        &first,
        "/api/rattachement/code",
        json!({"code": code}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["status"], "rattache");
    let dossier = app
        .get_auth(&format!("/api/dossiers/{dossier_id}"), &first.access_token)
        .await;
    assert_eq!(dossier.status(), StatusCode::OK);
    wait_for_mail(&first.email, "Votre demande de rattachement").await;
    // Single use: the same code again finds nothing waiting.
    let (again, _) = post(
        &app,
        &first,
        "/api/rattachement/code",
        json!({"code": code}),
    )
    .await;
    assert_eq!(again, StatusCode::NOT_FOUND);

    // The second parent: wrong codes count, a spent code is refused, a new one works.
    let second = app
        .family_with(Some(reference("40011", "n'guessan", "PAUL")))
        .await;
    let mails = wait_for_mails(&address, 2).await;
    let first_code = mails
        .iter()
        .rev()
        .find(|m| m.subject.contains("Code de rattachement"))
        .expect("second code")
        .rattachement_code();
    let wrong = if first_code == "000000" {
        "000001"
    } else {
        "000000"
    };
    for tries_left in (1..5).rev() {
        let (status, body) = post(
            &app,
            &second,
            "/api/rattachement/code",
            json!({"code": wrong}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["fields"]["code"][0], "rattachement_code_invalid");
        assert_eq!(
            me(&app, &second).await["rattachement"]["essais_restants"],
            tries_left
        );
    }
    let (status, body) = post(
        &app,
        &second,
        "/api/rattachement/code",
        json!({"code": wrong}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"]["code"][0], "rattachement_code_expired");
    let (status, body) = post(
        &app,
        &second,
        "/api/rattachement/code",
        json!({"code": first_code}),
    )
    .await;
    assert_eq!(
        body["fields"]["code"][0], "rattachement_code_expired",
        "the right code is spent after five wrong tries ({status})"
    );

    let (status, view) = post(&app, &second, "/api/rattachement/code/renvoi", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["renvoi_possible"], false, "one code a minute");
    let (too_soon, _) = post(&app, &second, "/api/rattachement/code/renvoi", json!({})).await;
    assert_eq!(too_soon, StatusCode::TOO_MANY_REQUESTS);
    let mails = wait_for_mails(&address, 3).await;
    let new_code = mails.last().expect("third code").rattachement_code();
    let (status, view) = post(
        &app,
        &second,
        "/api/rattachement/code",
        json!({"code": format!("{} {}", &new_code[..3], &new_code[3..])}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{view}");

    // The holder is told, and both see each other in « Mon compte ».
    let notice = wait_for_mail(&first.email, "Un nouveau compte a été rattaché").await;
    assert!(notice.text.contains(&second.username), "{}", notice.text);
    assert!(
        notice.text.contains("Si ce n'est pas vous"),
        "{}",
        notice.text
    );
    let linked = me(&app, &first).await["comptes_rattaches"].clone();
    let names: Vec<&str> = linked
        .as_array()
        .expect("accounts")
        .iter()
        .map(|a| a["username"].as_str().expect("username"))
        .collect();
    assert_eq!(names, [first.username.as_str(), second.username.as_str()]);
    assert_eq!(linked[0]["vous"], true);
}

#[tokio::test]
async fn without_an_address_on_record_an_agent_validates_or_refuses_the_request() {
    let app = spawn_app().await;
    let dossier_id = import_dossier(&app, "40021", None);
    let (admin, _) = administrator(&app);
    let (_, staff_token) = staff_session(&app, &admin).await;

    let family = app
        .family_with(Some(reference("40021", "n'guessan", "aicha")))
        .await;
    let listed: Value = app
        .get_auth("/api/demandes", &family.access_token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(listed["items"][0]["kind"], "rattachement_dossier");
    assert_eq!(listed["items"][0]["status"], "en_attente_validation");
    let demande_id = listed["items"][0]["id"].as_str().expect("id").to_string();

    // The queue's « Type de demande » filter finds it; the review shows what was typed
    // and who asks.
    let queue: Value = app
        .get_auth(
            "/api/backoffice/demandes?kind=rattachement_dossier",
            &staff_token,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(queue["total"], 1, "{queue}");
    assert_eq!(queue["items"][0]["demande_id"], demande_id.as_str());
    let review: Value = app
        .get_auth(
            &format!("/api/backoffice/demandes/{demande_id}"),
            &staff_token,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(review["rattachement"]["numero"], "40021");
    assert_eq!(review["rattachement"]["prenom"], "aicha");
    assert_eq!(review["rattachement"]["username"], family.username.as_str());
    assert_eq!(review["rattachement"]["email"], family.email.as_str());
    assert_eq!(review["demande"]["dossier"]["numero"], "40021");

    // « À compléter » makes no sense here; « Validée » links the account.
    let status = app
        .post_json_auth(
            &format!("/api/backoffice/demandes/{demande_id}/decision"),
            &staff_token,
            &json!({"decision": "a_completer", "message": "?"}),
        )
        .await
        .status();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let decided = app
        .post_json_auth(
            &format!("/api/backoffice/demandes/{demande_id}/decision"),
            &staff_token,
            &json!({"decision": "validee", "message": null}),
        )
        .await;
    assert_eq!(decided.status(), StatusCode::OK);
    let dossier = app
        .get_auth(&format!("/api/dossiers/{dossier_id}"), &family.access_token)
        .await;
    assert_eq!(dossier.status(), StatusCode::OK);
    let mail = wait_for_mail(&family.email, "Votre demande de rattachement").await;
    assert!(mail.text.contains("désormais rattaché"), "{}", mail.text);
    assert_eq!(me(&app, &family).await["dossier_numero"], "40021");

    // A second request is refused with a message: still nothing of the dossier, and the
    // family reads why.
    let refused = app
        .family_with(Some(reference("40021", "n'guessan", "paul")))
        .await;
    let pending = me(&app, &refused).await["rattachement"].clone();
    let demande_id = pending["demande_id"].as_str().expect("demande").to_string();
    let decided = app
        .post_json_auth(
            &format!("/api/backoffice/demandes/{demande_id}/decision"),
            &staff_token,
            &json!({"decision": "refusee", "message": "Nous n'avons pas pu vérifier votre lien avec ce dossier."}),
        )
        .await;
    assert_eq!(decided.status(), StatusCode::OK);
    let view = me(&app, &refused).await["rattachement"].clone();
    assert_eq!(view["status"], "refuse");
    assert_eq!(
        view["agent_message"],
        "Nous n'avons pas pu vérifier votre lien avec ce dossier."
    );
    assert_sees_nothing_of(&app, &refused, &dossier_id).await;
    let notices = mails_to(&family.email)
        .await
        .into_iter()
        .filter(|m| m.subject.contains("Un nouveau compte"))
        .count();
    assert_eq!(notices, 0, "nobody joined: the holder is not told");
}

#[tokio::test]
async fn a_family_that_no_longer_reads_the_address_asks_an_agent_instead() {
    let app = spawn_app().await;
    let address = format!("{}@exemple.fr", unique("ancienne"));
    import_dossier(&app, "40031", Some(&address));
    let family = app
        .family_with(Some(reference("40031", "n'guessan", "paul")))
        .await;
    wait_for_mail(&address, "Code de rattachement").await;
    let (status, view) = post(&app, &family, "/api/rattachement/validation", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["method"], "validation");
    assert_eq!(view["code_valide"], false, "the code sent stops working");
    assert!(view["demande_id"].is_string());
}

/// guesses on one number spread over many addresses still stop, and the answer is
/// the same whether the number exists or not.
#[tokio::test]
async fn wrong_references_are_throttled_per_number_whatever_the_address() {
    let app = spawn_app_with(
        |s| {
            s.trusted_proxies = vec![[127, 0, 0, 1].into()];
            s.registrations_per_hour = 100;
        },
        Default::default(),
    )
    .await;
    import_dossier(&app, "40041", Some("famille@exemple.fr"));
    let attempt = |numero: &'static str, nom: &'static str, ip: String| {
        let (client, url) = (app.client.clone(), app.url("/api/registrations"));
        async move {
            let username = unique("g");
            client
                .post(url)
                .header("x-forwarded-for", ip)
                .json(
                    &json!({"username": username, "email": format!("{username}@exemple.fr"),
                              "password": crate::helpers::PASSWORD, "new_household": false,
                              "dossier_reference": reference(numero, nom, "Paul")}),
                )
                .send()
                .await
                .expect("request")
        }
    };
    let missing = attempt("99999", "Martin", "198.51.100.200".into()).await;
    let missing_status = missing.status();
    let missing_body = crate::helpers::but_request_id(&missing.text().await.expect("body"));
    for i in 0..10 {
        let wrong = attempt("40041", "Martin", format!("203.0.113.{i}")).await;
        assert_eq!(wrong.status(), missing_status);
        let body = crate::helpers::but_request_id(&wrong.text().await.expect("body"));
        assert_eq!(
            body, missing_body,
            "existing and missing numbers answer alike"
        );
    }
    let throttled = attempt("40041", "N'Guessan", "192.0.2.77".into()).await;
    assert_eq!(
        throttled.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right name, from a new address"
    );
    assert!(throttled.headers().contains_key("retry-after"));
    let elsewhere = attempt("99998", "Martin", "192.0.2.78".into()).await;
    assert_eq!(
        elsewhere.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "other numbers are not affected"
    );
}
