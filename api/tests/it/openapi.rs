//! The committed `openapi/openapi.json` must be what the server serves.
//! `UPDATE_OPENAPI=1 cargo test openapi` rewrites it after a deliberate API change.

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_committed_openapi_document_matches_the_code() {
    let app = spawn_app().await;
    let served: serde_json::Value = app
        .client
        .get(app.url("/api-docs/openapi.json"))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    let pretty = serde_json::to_string_pretty(&served).expect("serialise") + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
    if std::env::var("UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &pretty).expect("write openapi.json");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == pretty,
        "openapi/openapi.json is stale: run `UPDATE_OPENAPI=1 cargo test -p api --test it openapi` and commit it"
    );
    // Every operation documents its error bodies.
    for (path, item) in served["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("item") {
            let responses = operation["responses"].as_object().expect("responses");
            assert!(!responses.is_empty(), "{method} {path} has no responses");
        }
    }
}
