//! `portail-famille`: runs the API and serves the SPA, or runs an administration command.
//!
//! ```text
//! portail-famille                          serve (configuration: see the README)
//! portail-famille import-dossiers FILE    import the town's existing dossiers (CSV)
//! portail-famille create-admin USER EMAIL create an administrator (password on stdin)
//! portail-famille types-de-piece export  print the catalogue of types de pièce (JSON)
//! portail-famille types-de-piece import FILE   replace the catalogue with FILE
//! portail-famille inspect-file < FILE     check an uploaded file (run by the server itself)
//! ```

use std::process::ExitCode;

use api::config::Settings;
use api::startup::Application;

fn main() -> anyhow::Result<ExitCode> {
    // The file inspector limits its own memory and CPU: it starts before any runtime or
    // thread exists, and reads no configuration.
    if std::env::args().nth(1).as_deref() == Some("inspect-file") {
        return Ok(api::documents::inspect::child_main());
    }
    tokio::runtime::Runtime::new()?.block_on(run())
}

async fn run() -> anyhow::Result<ExitCode> {
    let settings = Settings::from_env()?;
    api::telemetry::init(settings.environment);
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] | ["serve"] => {
            Application::build(settings)
                .await?
                .run_until_stopped()
                .await?;
            Ok(ExitCode::SUCCESS)
        }
        ["import-dossiers", path] => import_dossiers(&settings, path),
        ["types-de-piece", "export"] => {
            let mut conn = api::db::connect(&settings.database_url, 1)?.get()?;
            println!("{}", api::catalogue::export(&mut conn)?);
            Ok(ExitCode::SUCCESS)
        }
        ["types-de-piece", "import", path] => import_catalogue(&settings, path),
        ["create-admin", username, email] => create_admin(&settings, username, email),
        _ => {
            eprintln!(
                "usage: portail-famille [serve | import-dossiers FILE.csv | types-de-piece export | types-de-piece import FILE.json | create-admin USERNAME EMAIL]"
            );
            Ok(ExitCode::from(2))
        }
    }
}

fn import_dossiers(settings: &Settings, path: &str) -> anyhow::Result<ExitCode> {
    use anyhow::Context;
    let file = std::fs::File::open(path).with_context(|| format!("Failed to open {path}"))?;
    let pool = api::db::connect(&settings.database_url, 1)?;
    let mut conn = pool.get().context("Failed to get a database connection")?;
    match api::import::import_dossiers(&mut conn, file) {
        Ok(report) => {
            println!(
                "{} dossier(s) et {} membre(s) importés.",
                report.dossiers, report.members
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(api::import::ImportErrors(errors)) => {
            for error in &errors {
                eprintln!("{error}");
            }
            eprintln!("Aucune donnée importée : corrigez le fichier puis relancez.");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn import_catalogue(settings: &Settings, path: &str) -> anyhow::Result<ExitCode> {
    use anyhow::Context;
    let json = std::fs::read_to_string(path).with_context(|| format!("Failed to read {path}"))?;
    let mut conn = api::db::connect(&settings.database_url, 1)?.get()?;
    match api::catalogue::import(&mut conn, &json) {
        Ok(count) => {
            println!("Catalogue enregistré : {count} type(s) de pièce.");
            Ok(ExitCode::SUCCESS)
        }
        Err(problems) => {
            for problem in &problems {
                eprintln!("{problem}");
            }
            eprintln!("Catalogue inchangé : corrigez le fichier puis relancez.");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn create_admin(settings: &Settings, username: &str, email: &str) -> anyhow::Result<ExitCode> {
    eprintln!("Mot de passe de l'administrateur (une ligne sur l'entrée standard) :");
    let mut password = String::new();
    std::io::stdin().read_line(&mut password)?;
    let password = password.trim_end_matches(['\r', '\n']);
    let mut conn = api::db::connect(&settings.database_url, 1)?.get()?;
    match api::staff::create_administrator(
        &mut conn,
        &settings.town_name,
        username,
        email,
        password,
    ) {
        Ok(_) => {
            println!(
                "Administrateur « {username} » créé : à sa première connexion, il associe une application d'authentification."
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(problem) => {
            eprintln!("{problem}");
            Ok(ExitCode::FAILURE)
        }
    }
}
