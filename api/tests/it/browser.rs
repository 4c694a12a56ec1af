//! The SPA in headless Chromium against the real server (e2e/tests/*.mjs, run by node
//! with playwright-core). Each scenario gets its own application and database.
//! `SKIP_BROWSER_TESTS=1` leaves them out (the test command's second, SQLite pass does).

use crate::helpers::mail::MAIL;
use crate::helpers::{spawn_app, unique};

async fn run_scenario(name: &str) {
    // The test command runs the scenarios once, in the PostgreSQL pass; its SQLite pass
    // opts out explicitly. Nothing else skips them: a missing browser or build fails.
    if std::env::var("SKIP_BROWSER_TESTS").is_ok_and(|v| v == "1") {
        eprintln!("browser scenario {name} skipped (SKIP_BROWSER_TESTS=1)");
        return;
    }
    let app = spawn_app().await;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let output = tokio::process::Command::new("node")
        .arg(root.join("e2e/tests").join(format!("{name}.mjs")))
        .current_dir(&root)
        .env("BASE_URL", &app.address)
        .env("MAILDEV_URL", &MAIL.api_url)
        .env("RUN_ID", unique(""))
        // For scenarios that create staff accounts the way an administrator does:
        // `portail-famille create-admin` against this test's database.
        .env("PF_BIN", env!("CARGO_BIN_EXE_portail-famille"))
        .env("DATABASE_URL", &app.db.url)
        .output()
        .await
        .expect("node runs");
    assert!(
        output.status.success(),
        "browser scenario {name} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Every scenario in `e2e/tests`, each run by a test below.
const SCENARIOS: [&str; 16] = [
    "account_changes",
    "activites_journey",
    "backoffice_applications",
    "backoffice_content",
    "backoffice_review",
    "dossier_conflict",
    "dossier_journey",
    "mobile_keyboard",
    "my_data",
    "opening_countdown",
    "password_reset",
    "pieces_journey",
    "public_pages",
    "signup_existing_dossier",
    "signup_new_household",
    "voeux_journey",
];

#[test]
fn every_browser_scenario_has_a_test() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../e2e/tests");
    let mut found: Vec<String> = std::fs::read_dir(&dir)
        .expect("e2e/tests")
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .to_str()?
                .strip_suffix(".mjs")
                .map(str::to_string)
        })
        .collect();
    found.sort();
    assert_eq!(
        found, SCENARIOS,
        "add a test in api/tests/it/browser.rs for each new scenario"
    );
}

#[tokio::test]
async fn account_changes() {
    run_scenario("account_changes").await;
}

#[tokio::test]
async fn activites_journey() {
    run_scenario("activites_journey").await;
}

#[tokio::test]
async fn my_data() {
    run_scenario("my_data").await;
}

#[tokio::test]
async fn opening_countdown() {
    run_scenario("opening_countdown").await;
}

#[tokio::test]
async fn public_pages() {
    run_scenario("public_pages").await;
}

#[tokio::test]
async fn backoffice_applications() {
    run_scenario("backoffice_applications").await;
}

#[tokio::test]
async fn backoffice_content() {
    run_scenario("backoffice_content").await;
}

#[tokio::test]
async fn backoffice_review() {
    run_scenario("backoffice_review").await;
}

#[tokio::test]
async fn dossier_journey() {
    run_scenario("dossier_journey").await;
}

#[tokio::test]
async fn pieces_journey() {
    run_scenario("pieces_journey").await;
}

#[tokio::test]
async fn dossier_conflict() {
    run_scenario("dossier_conflict").await;
}

/// Issue 13: « Mes vœux », the draw and its public page at 390 px, with axe.
#[tokio::test]
async fn voeux_journey() {
    run_scenario("voeux_journey").await;
}

#[tokio::test]
async fn signup_new_household() {
    run_scenario("signup_new_household").await;
}

#[tokio::test]
async fn signup_existing_dossier() {
    run_scenario("signup_existing_dossier").await;
}

#[tokio::test]
async fn password_reset() {
    run_scenario("password_reset").await;
}

#[tokio::test]
async fn mobile_keyboard() {
    run_scenario("mobile_keyboard").await;
}
