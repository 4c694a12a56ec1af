//! Lighthouse's mobile performance budget on ACCUEIL, the sign-up wizard's first step and
//! the back office's queue (e2e/perf/lighthouse.mjs). Ignored in the parallel passes: its
//! CPU model reads the machine's load, so the test command runs it on its own afterwards
//! (`cargo test -p api --test it lighthouse -- --ignored`).

use crate::helpers::mail::MAIL;
use crate::helpers::{spawn_app, unique};

#[tokio::test]
#[ignore = "run alone by scripts/test.sh: Lighthouse measures CPU time"]
async fn lighthouse_mobile_performance_meets_the_budget() {
    let app = spawn_app().await;
    // ACCUEIL as a town has it: with its welcome text (the demo's), which the server
    // writes into the first screen.
    {
        let mut conn = app.state.pool.get().expect("conn");
        api::db::models::town::welcome_if_empty(&mut conn, api::demo::DEMO_WELCOME)
            .expect("welcome text");
    }
    app.state.town_settings.forget().await;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let output = tokio::process::Command::new("node")
        .arg(root.join("e2e/perf/lighthouse.mjs"))
        .current_dir(&root)
        .env("BASE_URL", &app.address)
        .env("MAILDEV_URL", &MAIL.api_url)
        .env("RUN_ID", unique(""))
        .env("PF_BIN", env!("CARGO_BIN_EXE_portail-famille"))
        .env("DATABASE_URL", &app.db.url)
        .output()
        .await
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    // The figures, for BENCHMARKS.md, whether the budget is met or not.
    println!("{stdout}");
    assert!(
        output.status.success(),
        "Lighthouse budget not met:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
