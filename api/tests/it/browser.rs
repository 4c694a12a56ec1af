//! The SPA in headless Chromium against the real server (e2e/tests/*.mjs, run by node
//! with playwright-core). Each scenario gets its own application and database.
//! They run when `BROWSER_TESTS=1` (the README's test command sets it once per run).

use crate::helpers::mail::MAIL;
use crate::helpers::{spawn_app, unique};

async fn run_scenario(name: &str) {
    if std::env::var("BROWSER_TESTS").map_or(true, |v| v != "1") {
        eprintln!("browser scenario {name} not run: set BROWSER_TESTS=1");
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
