//! Importing the town's existing dossiers from CSV (all or nothing, line-numbered errors).

use api::db::schema::{dossiers, members};
use api::import::{ImportErrors, import_dossiers};
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::mail::wait_for_mail;
use crate::helpers::{PASSWORD, spawn_app, unique};

/// The header of files exported before the optional `email` column: still accepted.
const HEADER: &str = "numero;role;sexe;nom;prenom;date_naissance;adresse;code_postal;commune\n";

#[tokio::test]
async fn an_imported_dossier_is_linked_at_sign_up_by_the_code_sent_to_its_address() {
    let app = spawn_app().await;
    let address = format!("{}@exemple.fr", unique("aicha-dossier"));
    let csv = format!(
        "numero;role;sexe;nom;prenom;date_naissance;adresse;code_postal;commune;email\n\
         20001;responsable;F;N'Guessan;Aïcha;02/03/1985;3 rue de la Paix;28000;Chartres;{address}\n\
         20001;enfant;M;N'Guessan;Léo;2019-05-05;;;;\n\
         20002;responsable;M;Dupont;Jean-Marc;;1 rue Noël Ballay;28000;Chartres;\n"
    );
    let report =
        import_dossiers(&mut app.state.pool.get().expect("conn"), csv.as_bytes()).expect("import");
    assert_eq!((report.dossiers, report.members), (2, 3));

    let username = unique("aicha");
    let email = format!("{username}@exemple.fr");
    let body = json!({"username": username, "email": email, "password": PASSWORD, "new_household": false,
                      "dossier_reference": {"numero": "20001", "nom": "n’guessan", "prenom": "AICHA"}});
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
    let code = wait_for_mail(&address, "Code de rattachement")
        .await
        .rattachement_code();
    let linked = app
        .post_json_auth("/api/rattachement/code", token, &json!({"code": code}))
        .await;
    assert_eq!(linked.status(), StatusCode::OK);
    let me: Value = app
        .get_auth("/api/me", token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["dossier_numero"], "20001");
}

#[tokio::test]
async fn a_bad_email_is_reported_with_its_line() {
    let app = spawn_app().await;
    let csv = "numero;role;sexe;nom;prenom;date_naissance;adresse;code_postal;commune;email\n\
               20011;responsable;F;Martin;Julie;;;;;pas-une-adresse\n";
    let ImportErrors(errors) =
        import_dossiers(&mut app.state.pool.get().expect("conn"), csv.as_bytes())
            .expect_err("refused");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].line, 2);
    assert!(errors[0].message.starts_with("email"), "{errors:?}");
}

#[tokio::test]
async fn a_file_with_a_bad_row_writes_nothing_and_names_every_bad_line() {
    let app = spawn_app().await;
    let mut conn = app.db.connect();
    let before: i64 = dossiers::table
        .count()
        .get_result(&mut conn)
        .expect("count");
    let csv = format!(
        "{HEADER}30001;responsable;F;Martin;Julie;02/03/1985;1 rue A;28000;Chartres\n\
         30001;enfant;X;Martin;R2D2;31/02/2019;;;\n\
         30002;conjoint;M;Durand;Paul;;;;\n\
         30003;responsable;F;Petit\n"
    );
    let ImportErrors(errors) =
        import_dossiers(&mut app.state.pool.get().expect("conn"), csv.as_bytes())
            .expect_err("refused");
    let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
    assert!(
        lines.contains(&3) && lines.contains(&4) && lines.contains(&5),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.line == 3 && e.message.starts_with("sexe")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.line == 3 && e.message.starts_with("prenom")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.line == 3 && e.message.starts_with("date_naissance")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.line == 4 && e.message.contains("0 responsable")),
        "{errors:?}"
    );
    let after: i64 = dossiers::table
        .count()
        .get_result(&mut conn)
        .expect("count");
    assert_eq!(before, after, "nothing written");
    let imported: i64 = members::table
        .filter(members::nom_folded.eq("martin"))
        .count()
        .get_result(&mut conn)
        .expect("count");
    assert_eq!(imported, 0);
}

#[tokio::test]
async fn the_command_line_imports_and_reports_errors_with_an_exit_code() {
    let app = spawn_app().await;
    let dir = std::env::temp_dir().join(unique("pf-import-"));
    std::fs::create_dir_all(&dir).expect("dir");
    let good = dir.join("good.csv");
    std::fs::write(
        &good,
        format!("{HEADER}40001;responsable;F;Zoé;Anne-Marie;;1 rue B;28000;Chartres\n"),
    )
    .expect("write");
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, format!("{HEADER}40002;chef;F;Zoé;Anne;;;;\n")).expect("write");
    let run = |file: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_portail-famille"))
            .args(["import-dossiers", &file.display().to_string()])
            .env("DATABASE_URL", &app.db.url)
            .env("RUST_LOG", "warn")
            .output()
            .expect("run the binary")
    };
    let ok = run(&good);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("1 dossier(s) et 1 membre(s) importés"));
    let refused = run(&bad);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("ligne 2 : role"), "{stderr}");
    let _ = std::fs::remove_dir_all(dir);
}
