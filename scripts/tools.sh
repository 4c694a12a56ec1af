#!/usr/bin/env bash
# Installs, only when missing, what building and testing Portail Famille needs beyond the
# Rust toolchain. Sourced by scripts/run.sh and scripts/test.sh. Versions: see STACK.md.
set -euo pipefail

TRUNK_VERSION=0.21.14
GARAGE_VERSION=2.5.0
WASM_BINDGEN_VERSION=0.2.130
export TRUNK_SKIP_VERSION_CHECK=true
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/e2e/node_modules/.bin:$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

apt_install() {
  if ! command -v apt-get >/dev/null; then
    echo "Please install: $*" >&2
    exit 1
  fi
  say "apt-get install $*"
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  if [ ! -f /tmp/.pf-apt-updated ]; then $sudo apt-get update -qq && touch /tmp/.pf-apt-updated; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

ensure_wasm_tools() {
  if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
    say "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
  if ! trunk --version 2>/dev/null | grep -q "$TRUNK_VERSION"; then
    say "cargo install trunk $TRUNK_VERSION (about 7 minutes, once)"
    cargo install --locked trunk --version "$TRUNK_VERSION"
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
    say "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 3 minutes, once)"
    # Not --locked: its lock file pins a webpki-roots version the registry no longer serves.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
  fi
}

ensure_node_packages() {
  command -v npm >/dev/null || apt_install nodejs npm
  local stamp="$ROOT/e2e/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$ROOT/e2e/package-lock.json" -nt "$stamp" ]; then
    say "npm ci (maildev, playwright-core, axe-core, binaryen)"
    npm ci --prefix "$ROOT/e2e" --no-audit --no-fund --loglevel=error
  fi
}

# Garage, a real S3-compatible store, for the tests of S3 storage (STACK.md).
ensure_garage() {
  if ! garage --version 2>/dev/null | grep -q "$GARAGE_VERSION"; then
    say "cargo install garage $GARAGE_VERSION (about 7 minutes, once)"
    cargo install --locked garage --version "$GARAGE_VERSION"
  fi
}

# schemathesis (PyPI), for the contract test against the served OpenAPI document, in a
# virtual environment of its own under .tools/.
SCHEMATHESIS_VERSION=4.32.5
ensure_schemathesis() {
  local venv="$ROOT/.tools/schemathesis"
  if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    command -v python3 >/dev/null || apt_install python3 python3-venv
    say "pip install schemathesis $SCHEMATHESIS_VERSION (about 10 seconds, once)"
    python3 -m venv "$venv" || { apt_install python3-venv && python3 -m venv "$venv"; }
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  fi
}

# HAProxy from Debian: the reverse proxy of the production topology (scripts/cluster.sh,
# the cluster fault tests).
ensure_haproxy() {
  command -v haproxy >/dev/null || apt_install haproxy
}

# ClamAV's daemon from Debian: the malware scanning tests start their own clamd.
ensure_clamav() {
  command -v clamd >/dev/null || [ -x /usr/sbin/clamd ] || apt_install clamav-daemon
}

ensure_chromium() {
  [ -x /usr/bin/chromium ] || apt_install chromium
}

ensure_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then return; fi
  if ! ls /etc/postgresql >/dev/null 2>&1; then apt_install postgresql; fi
  say "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -h 127.0.0.1 -p 5432
}

# Builds the SPA into web/dist, its public pages into web/dist/public and the agents' back office into web/dist/backoffice
# (release: wasm-opt -Oz with npm's binaryen 132). The family build empties web/dist, so it
# goes first. Then Brotli and gzip copies of the assets, which the server sends to the
# browsers that accept them.
build_spa() {
  say "trunk build --release (family SPA: full app, then public pages; then back office)"
  (cd "$ROOT" && cargo fetch --locked >/dev/null && trunk build --release \
    && trunk build --release=true --dist web/dist/public --public-url /public/ web/public.html \
    && trunk build --release=true --dist web/dist/backoffice --public-url /backoffice/ web/backoffice.html \
    && node scripts/precompress.mjs web/dist)
}

# The gzipped size (WASM + JS + CSS) of the bundle built in directory $1.
bundle_size() {
  local total=0 size
  for f in "$1"/*.wasm "$1"/*.js "$1"/*.css; do
    size=$(gzip -9 -c "$f" | wc -c)
    total=$((total + size))
  done
  echo "$total"
}

# Fails when a bundle's gzipped size exceeds its budget in BENCHMARKS.md: the family SPA
# (what every family downloads) and, separately, the agents' back office.
check_bundle_budget() {
  local budget=615700 public_budget=334400 backoffice_budget=535000 total
  total=$(bundle_size "$ROOT/web/dist")
  say "SPA bundle: $total bytes gzipped (budget $budget)"
  if [ "$total" -gt "$budget" ]; then
    echo "The SPA bundle grew past its budget: measure what was added (BENCHMARKS.md)." >&2
    return 1
  fi
  total=$(bundle_size "$ROOT/web/dist/public")
  say "Public pages' bundle: $total bytes gzipped (budget $public_budget)"
  if [ "$total" -gt "$public_budget" ]; then
    echo "The public pages' bundle grew past its budget: measure what was added (BENCHMARKS.md)." >&2
    return 1
  fi
  total=$(bundle_size "$ROOT/web/dist/backoffice")
  say "Back office bundle: $total bytes gzipped (budget $backoffice_budget)"
  if [ "$total" -gt "$backoffice_budget" ]; then
    echo "The back office bundle grew past its budget: measure what was added (BENCHMARKS.md)." >&2
    return 1
  fi
}
