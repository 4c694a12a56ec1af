#!/usr/bin/env bash
# Runs every test: unit tests (API, shared rules, SPA logic), the API's integration tests on PostgreSQL and on SQLite
# (real SMTP through maildev, real S3 through a Garage node), the schema-parity and OpenAPI checks, and the SPA in
# headless Chromium. Installs missing tools first (see scripts/tools.sh).
set -euo pipefail
source "$(dirname "$0")/tools.sh"
cd "$ROOT"

ensure_wasm_tools
ensure_node_packages
ensure_chromium
ensure_garage
ensure_schemathesis
ensure_postgres
ensure_haproxy
ensure_clamav
build_spa
check_bundle_budget

say "tests on PostgreSQL, with the browser scenarios"
TEST_DATABASE=postgres cargo test --locked --workspace --exclude web
say "Lighthouse (mobile) on ACCUEIL, sign-up step 1 and the back office's queue, on its own"
TEST_DATABASE=postgres cargo test --locked -p api --test it lighthouse -- --ignored --nocapture
say "SPA unit tests (native)"
cargo test --locked -p web
say "API integration tests on SQLite"
TEST_DATABASE=sqlite SKIP_BROWSER_TESTS=1 cargo test --locked -p api --test it
