//! `portail-famille`: runs the API and serves the SPA, or runs an administration command
//! (`portail-famille --help` lists them).

use std::path::PathBuf;
use std::process::ExitCode;

use api::config::Settings;
use api::startup::Application;
use clap::{Parser, Subcommand};

/// Portail Famille: the API and the SPA on one port, and the town's administration
/// commands. Configuration comes from the environment (see the README).
#[derive(Parser)]
#[command(name = "portail-famille", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the SPA (the default).
    Serve,
    /// Import the town's existing dossiers from a CSV file (all or nothing).
    ImportDossiers { file: PathBuf },
    /// Create an administrator (the password is read on the standard input).
    CreateAdmin { username: String, email: String },
    /// The catalogue of types de pièce.
    #[command(name = "types-de-piece", subcommand)]
    TypesDePiece(Catalogue),
    /// The opening-morning load test (BENCHMARKS.md).
    #[command(subcommand)]
    Charge(Charge),
    /// Draws of *attribution équitable*.
    #[command(subcommand)]
    Attribution(Attribution),
    /// Connected applications (the town's other software), as in the back office.
    #[command(subcommand)]
    Applications(Applications),
    /// The stored files (pièces, public documents), for backups: `scripts/backup.sh`.
    #[command(subcommand)]
    Fichiers(Fichiers),
}

#[derive(Subcommand)]
enum Fichiers {
    /// Copy every file of the store (`STORAGE_URL`) into DIRECTORY (`pieces/`,
    /// `documents/`).
    Exporter {
        #[arg(long)]
        vers: PathBuf,
    },
    /// Put every file of DIRECTORY (as written by `exporter`) into the store.
    Importer {
        #[arg(long)]
        depuis: PathBuf,
    },
}

#[derive(Subcommand)]
enum Applications {
    /// List them (JSON).
    Liste,
    /// Connect one; prints its client_id and secret (shown this once).
    Creer {
        #[arg(long)]
        nom: String,
        /// Who to warn about it.
        #[arg(long)]
        email: String,
        /// Its scopes, comma- or space-separated (e.g. dossiers:read,demandes:read).
        #[arg(long)]
        scopes: String,
    },
    /// A new secret; the previous one stays valid `--recouvrement` hours.
    Secret {
        id: String,
        #[arg(long, default_value_t = 24)]
        recouvrement: u32,
    },
    /// Revoke one: its tokens are refused at their next request.
    Revoquer { id: String },
}

#[derive(Subcommand)]
enum Attribution {
    /// Re-run a published draw from its public document (`GET /api/tirages/{période}`,
    /// saved e.g. with `curl -o tirage.json`) and compare it line by line with what was
    /// published. Exits 1 on any difference.
    Verifier {
        #[arg(long)]
        fichier: PathBuf,
    },
}

#[derive(Subcommand)]
enum Catalogue {
    /// Print the catalogue (JSON).
    Export,
    /// Replace the catalogue with FILE (JSON).
    Import { file: PathBuf },
}

#[derive(Subcommand)]
enum Charge {
    /// Create the test's families (validated dossiers, activated accounts sharing one
    /// password) and its périodes, straight into the database.
    Preparer {
        #[arg(long, default_value_t = 10_000)]
        familles: usize,
        #[arg(long, default_value_t = 40)]
        periodes: usize,
        #[arg(long, default_value_t = 24)]
        places: i32,
        /// When registrations open (RFC 3339, e.g. 2026-12-07T07:30:00Z).
        #[arg(long)]
        ouverture: chrono::DateTime<chrono::Utc>,
        /// Every family's password (at least 12 characters).
        #[arg(long)]
        mot_de_passe: String,
        /// The usernames' prefix (letters).
        #[arg(long, default_value = "charge")]
        prefixe: String,
        /// *Attribution équitable*: the périodes are given by one draw whose wishes close
        /// at `--ouverture`, and every child's three wishes are written already.
        #[arg(long)]
        equitable: bool,
    },
    /// Measure the raw Argon2id rate of this machine (the login ceiling): hashes per
    /// second on `threads` threads, with the server's parameters.
    Argon2 {
        #[arg(long, default_value_t = 2)]
        threads: usize,
        #[arg(long, default_value_t = 5)]
        secondes: u64,
    },
}

fn main() -> anyhow::Result<ExitCode> {
    // The file inspector limits its own memory and CPU: it starts before any runtime or
    // thread exists, and reads no configuration.
    if std::env::args().nth(1).as_deref() == Some("inspect-file") {
        return Ok(api::documents::inspect::child_main());
    }
    let cli = Cli::parse();
    tokio::runtime::Runtime::new()?.block_on(run(cli))
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // Anyone may verify a draw: no configuration, no database.
    if let Some(Command::Attribution(Attribution::Verifier { fichier })) = &cli.command {
        return verify_draw(fichier);
    }
    let settings = Settings::from_env()?;
    api::telemetry::init(settings.environment);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            Application::build(settings)
                .await?
                .run_until_signalled()
                .await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::ImportDossiers { file } => import_dossiers(&settings, &file),
        Command::TypesDePiece(Catalogue::Export) => {
            let mut conn = api::db::connect(&settings.database_url, 1)?.get()?;
            println!("{}", api::catalogue::export(&mut conn)?);
            Ok(ExitCode::SUCCESS)
        }
        Command::TypesDePiece(Catalogue::Import { file }) => import_catalogue(&settings, &file),
        Command::CreateAdmin { username, email } => create_admin(&settings, &username, &email),
        Command::Charge(Charge::Preparer {
            familles,
            periodes,
            places,
            ouverture,
            mot_de_passe,
            prefixe,
            equitable,
        }) => {
            let plan = api::load_seed::Plan {
                families: familles,
                periodes,
                places,
                opening: ouverture,
                password: mot_de_passe,
                prefix: prefixe,
                fair: equitable,
            };
            let mut conn = api::db::connect(&settings.database_url, 1)?.get()?;
            let started = std::time::Instant::now();
            let prepared = api::load_seed::prepare(&mut conn, &plan)?;
            println!(
                "{} familles ({} enfants) et {} périodes de {} places prêtes en {:.1} s.",
                prepared.usernames.len(),
                prepared.children,
                prepared.periode_ids.len(),
                places,
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Attribution(Attribution::Verifier { fichier }) => verify_draw(&fichier),
        Command::Applications(command) => applications(&settings, command),
        Command::Fichiers(command) => files(&settings, command).await,
        Command::Charge(Charge::Argon2 { threads, secondes }) => {
            let rate =
                api::auth::password::raw_rate(threads, std::time::Duration::from_secs(secondes))?;
            println!("argon2id: {rate:.1} hachages/s sur {threads} fil(s)");
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn files(settings: &Settings, command: Fichiers) -> anyhow::Result<ExitCode> {
    use api::documents::{backup, storage::Storage};
    let storage = Storage::open(
        &settings.storage,
        &settings.upload_scratch_dir,
        &settings.web_dist,
    )?;
    let (copied, verb, dir) = match command {
        Fichiers::Exporter { vers } => (
            backup::export(&storage, &vers).await?,
            "exportés vers",
            vers,
        ),
        Fichiers::Importer { depuis } => (
            backup::import(&storage, &depuis).await?,
            "importés depuis",
            depuis,
        ),
    };
    println!(
        "{} pièces et {} documents {verb} {}.",
        copied.pieces,
        copied.documents,
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn applications(settings: &Settings, command: Applications) -> anyhow::Result<ExitCode> {
    use api::integrations::applications as apps;
    use shared::api::integration::{NewApplicationRequest, parse_scopes};
    use validator::Validate;
    let mut conn = api::db::connect(&settings.database_url, 1)?.get()?;
    let now = api::db::now();
    let printed = match command {
        Applications::Liste => apps::list(&mut conn, now).and_then(|list| Ok(json(&list)?)),
        Applications::Creer { nom, email, scopes } => {
            let Some(scopes) = parse_scopes(&scopes.replace(',', " ")) else {
                eprintln!(
                    "Permission inconnue dans « {scopes} » ; permissions : {}.",
                    shared::api::integration::Scope::ALL
                        .map(|s| s.as_str())
                        .join(", ")
                );
                return Ok(ExitCode::FAILURE);
            };
            let request = NewApplicationRequest {
                name: nom,
                contact_email: email,
                scopes,
            };
            if let Err(errors) = request.validate() {
                eprintln!("Application refusée : {errors}");
                return Ok(ExitCode::FAILURE);
            }
            api::db::write_tx(&mut conn, |conn| apps::create(conn, &request, "cli", now))
                .and_then(|issued| Ok(json(&issued)?))
        }
        Applications::Secret { id, recouvrement } => {
            api::db::write_tx(&mut conn, |conn| apps::rotate(conn, &id, recouvrement, now))
                .and_then(|issued| Ok(json(&issued)?))
        }
        Applications::Revoquer { id } => {
            api::db::write_tx(&mut conn, |conn| apps::revoke(conn, &id, now))
                .and_then(|revoked| Ok(json(&revoked)?))
        }
    };
    match printed {
        Ok(text) => {
            println!("{text}");
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            eprintln!("{}", error.problem().detail.unwrap_or_default());
            Ok(ExitCode::FAILURE)
        }
    }
}

fn json(value: &impl serde::Serialize) -> anyhow::Result<String> {
    Ok(serde_json::to_string_pretty(value)?)
}

fn verify_draw(path: &std::path::Path) -> anyhow::Result<ExitCode> {
    use anyhow::Context;
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("Failed to read {}", path.display()))?;
    let view: shared::api::voeux::TirageView = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a published draw", path.display()))?;
    let verified = api::activities::verify_draw::verify(&view);
    if verified.differences.is_empty() {
        println!(
            "Tirage vérifié : « {} », {} demandes, {} places attribuées — identique à la publication.",
            view.activite, verified.wishes, verified.placed
        );
        Ok(ExitCode::SUCCESS)
    } else {
        for difference in &verified.differences {
            eprintln!("{difference}");
        }
        eprintln!(
            "Tirage NON vérifié : {} différence(s).",
            verified.differences.len()
        );
        Ok(ExitCode::FAILURE)
    }
}

fn import_dossiers(settings: &Settings, path: &std::path::Path) -> anyhow::Result<ExitCode> {
    use anyhow::Context;
    let file =
        std::fs::File::open(path).with_context(|| format!("Failed to open {}", path.display()))?;
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

fn import_catalogue(settings: &Settings, path: &std::path::Path) -> anyhow::Result<ExitCode> {
    use anyhow::Context;
    let json = std::fs::read_to_string(path)
        .with_context(|| format!("Failed to read {}", path.display()))?;
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
