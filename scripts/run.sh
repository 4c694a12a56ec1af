#!/usr/bin/env bash
# Runs the portal on http://localhost:8000 (API, Swagger UI and the SPA on one port).
# Without DATABASE_URL it uses an embedded SQLite file in data/; without SMTP_URL emails
# are written to data/mails/ and their links printed in the log. Demo content included.
set -euo pipefail
source "$(dirname "$0")/tools.sh"
cd "$ROOT"

ensure_wasm_tools
ensure_node_packages
build_spa
say "starting Portail Famille on ${PUBLIC_URL:-http://localhost:${PORT:-8000}}"
exec cargo run --locked --release -p api
