//! What the server writes to its logs (SECURITY.md F-03, G-05): the real binary runs a
//! family's and an agent's scenario — a distinctive name searched in the agents' queue, a
//! password, one-time tokens, an access token, an address — and nothing of them appears
//! in anything it printed. The events that must be logged (activation, reset request and
//! confirmation, email change, rattachement) are.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::mail::wait_for_mail;
use crate::helpers::process::{Server, environment};
use crate::helpers::test_db::TestDb;
use crate::helpers::test_db::tempdir::TempDir;
use crate::helpers::{PASSWORD, unique};

async fn json(response: reqwest::Response) -> Value {
    response.json().await.unwrap_or(Value::Null)
}

#[tokio::test]
async fn the_logs_hold_no_name_password_token_or_address_but_every_account_event() {
    let db = TestDb::new();
    let dir =
        TempDir(std::env::temp_dir().join(format!("pf-logs-{}", uuid::Uuid::new_v4().simple())));
    let server = Server::start(&db, &dir.0);
    let client = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", server.base);
    let started = Instant::now();
    while client.get(url("/api/health")).send().await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // A family: sign-up, activation, login, consent, a child with a distinctive name.
    let username = unique("journal");
    let email = format!("{username}.adresse@exemple.fr");
    // Letters only (a name), unique to this run.
    let name: String = "Quetzalcoatl"
        .chars()
        .chain(
            uuid::Uuid::new_v4()
                .simple()
                .to_string()
                .bytes()
                .take(8)
                .map(|b| char::from(b'a' + b % 26)),
        )
        .collect();
    let register = client
        .post(url("/api/registrations"))
        .json(
            &json!({"username": username, "email": email, "password": PASSWORD,
                      "new_household": true, "dossier_reference": null}),
        )
        .send()
        .await
        .expect("register");
    assert_eq!(register.status(), StatusCode::ACCEPTED);
    let activation_token = wait_for_mail(&email, "Activez").await.token("/activation");
    let activated = client
        .post(url("/api/activations"))
        .json(&json!({"token": activation_token}))
        .send()
        .await
        .expect("activate");
    assert_eq!(activated.status(), StatusCode::OK);
    let wrong = client
        .post(url("/api/auth/login"))
        .json(&json!({"login": email, "password": "un mauvais mot de passe distinctif"}))
        .send()
        .await
        .expect("login");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let login = client
        .post(url("/api/auth/login"))
        .json(&json!({"login": username, "password": PASSWORD}))
        .send()
        .await
        .expect("login");
    let refresh = crate::helpers::spawn::refresh_cookie(&login).expect("refresh cookie");
    let access = json(login).await["access_token"]
        .as_str()
        .expect("token")
        .to_string();
    let terms = json(client.get(url("/api/terms")).send().await.expect("terms")).await;
    client
        .post(url("/api/me/terms"))
        .bearer_auth(&access)
        .json(&json!({"version": terms["version"]}))
        .send()
        .await
        .expect("consent");
    let dossier = json(
        client
            .post(url("/api/dossiers"))
            .bearer_auth(&access)
            .json(&json!({}))
            .send()
            .await
            .expect("dossier"),
    )
    .await;
    let id = dossier["id"].as_str().expect("id");
    let mut member = crate::http::dossiers::member("enfant", Some(&name), Some("2018-01-01"));
    member["nom"] = json!(name);
    let added = client
        .post(url(&format!("/api/dossiers/{id}/members?nom={name}")))
        .bearer_auth(&access)
        .header("if-match", "\"1\"")
        .json(&member)
        .send()
        .await
        .expect("member");
    assert_eq!(added.status(), StatusCode::CREATED);

    // A password reset, asked and used; an email change asked.
    client
        .post(url("/api/password-resets"))
        .json(&json!({"email": email}))
        .send()
        .await
        .expect("reset");
    let reset_token = wait_for_mail(&email, "Réinitialisation")
        .await
        .token("/reinitialiser-mot-de-passe");
    let new_password = format!("une phrase secrète {} distinctive", unique(""));
    let reset = client
        .post(url("/api/password-resets/confirm"))
        .json(&json!({"token": reset_token, "password": new_password}))
        .send()
        .await
        .expect("confirm");
    assert_eq!(reset.status(), StatusCode::OK);
    let login = client
        .post(url("/api/auth/login"))
        .json(&json!({"login": username, "password": new_password}))
        .send()
        .await
        .expect("login");
    let access = json(login).await["access_token"]
        .as_str()
        .expect("token")
        .to_string();
    let new_email = format!("{username}.nouvelle@exemple.fr");
    let change = client
        .post(url("/api/me/email"))
        .bearer_auth(&access)
        .json(&json!({"password": new_password, "new_email": new_email}))
        .send()
        .await
        .expect("email change");
    assert_eq!(change.status(), StatusCode::ACCEPTED);
    // A rattachement reference that matches nothing.
    client
        .post(url("/api/rattachement"))
        .bearer_auth(&access)
        .json(&json!({"numero": "99999", "nom": name, "prenom": "Personne"}))
        .send()
        .await
        .expect("rattachement");

    // An agent searches the queue for the family's name.
    let agent = unique("agent");
    let agent_password = format!("le mot de passe de l'agent {}", unique(""));
    let mut create = Command::new(env!("CARGO_BIN_EXE_portail-famille"))
        .args(["create-admin", &agent, &format!("{agent}@mairie.test")])
        .envs(environment(&db, &dir.0))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("create-admin");
    {
        use std::io::Write;
        let mut stdin = create.stdin.take().expect("stdin");
        writeln!(stdin, "{agent_password}").expect("password");
    }
    assert!(create.wait().expect("create-admin").success());
    let enrolment = json(
        client
            .post(url("/api/auth/totp-enrolment"))
            .json(&json!({"login": agent, "password": agent_password}))
            .send()
            .await
            .expect("enrol"),
    )
    .await;
    let secret = enrolment["secret"].as_str().expect("secret");
    let now = u64::try_from(chrono::Utc::now().timestamp()).expect("time");
    let code = api::auth::totp::code_at(secret, now).expect("code");
    let staff = json(
        client
            .post(url("/api/auth/login"))
            .json(&json!({"login": agent, "password": agent_password, "totp_code": code}))
            .send()
            .await
            .expect("staff login"),
    )
    .await;
    let staff_token = staff["access_token"].as_str().expect("staff token");
    let search = client
        .get(url(&format!(
            "/api/backoffice/demandes?q={name}&status=brouillon"
        )))
        .bearer_auth(staff_token)
        .send()
        .await
        .expect("search");
    assert_eq!(search.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(500)).await;

    let logged = server.text();
    let secrets = [
        ("the child's name", name.as_str()),
        ("the password", PASSWORD),
        ("the new password", new_password.as_str()),
        ("the wrong password", "un mauvais mot de passe distinctif"),
        ("the agent's password", agent_password.as_str()),
        ("the activation token", activation_token.as_str()),
        ("the reset token", reset_token.as_str()),
        ("the access token", access.as_str()),
        ("the agent's token", staff_token),
        ("the refresh token", refresh.as_str()),
        ("the address", email.as_str()),
        ("the new address", new_email.as_str()),
        ("the TOTP secret", secret),
    ];
    for (what, secret) in secrets {
        assert!(
            !logged.contains(secret),
            "{what} appears in the server's logs:\n{}",
            logged
                .lines()
                .filter(|l| l.contains(secret))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    for event in [
        "event=\"activation\"",
        "event=\"password_reset_request\"",
        "event=\"password_reset_confirm\"",
        "event=\"email_change_request\"",
        "event=\"dossier_reference\"",
        "route=/api/backoffice/demandes",
    ] {
        let unquoted = event.replace('"', "");
        assert!(
            logged.contains(event) || logged.contains(&unquoted),
            "no « {event} » line in the logs:\n{logged}"
        );
    }
}
