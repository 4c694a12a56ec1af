#!/usr/bin/env bash
# The production topology of docker-compose.yml, on loopback and without Docker (issue 15):
# HAProxy on http://localhost:8100 in front of two API servers (8101, 8102) that share one
# PostgreSQL database, one S3 store (a Garage node) and one SMTP catcher (maildev; its web
# page on http://localhost:1080 shows the emails). HAProxy sends traffic only to the
# servers whose /api/health/ready answers 200, so a server stopped with SIGTERM drains
# without failing a request:
#
#   scripts/cluster.sh                    # starts everything; Ctrl-C stops everything
#   kill -TERM "$(cat target/cluster/api1.pid)"   # a rolling restart, one server at a time
#
# State lives in target/cluster/ (Garage's data) and in the PostgreSQL database
# `portail_cluster` (CLUSTER_DB), kept between runs; CLUSTER_FRESH=1 starts from scratch.
# Installs what is missing (HAProxy from Debian, Garage, the npm packages, the SPA's tools).
set -euo pipefail
source "$(dirname "$0")/tools.sh"
cd "$ROOT"

PROXY_PORT=${PROXY_PORT:-8100}
API_PORTS=(8101 8102)
CLUSTER_DB=${CLUSTER_DB:-portail_cluster}
DIR=$ROOT/target/cluster
BIN=${CARGO_TARGET_DIR:-target}/release/portail-famille

ensure_wasm_tools
ensure_node_packages
ensure_garage
ensure_postgres
ensure_haproxy
build_spa
say "release build"
cargo build --locked --release -p api

PIDS=()
stop_all() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_all EXIT
trap 'exit 0' INT TERM # then the EXIT trap stops everything

if [ -n "${CLUSTER_FRESH:-}" ]; then
  rm -rf "$DIR"
  psql -h 127.0.0.1 -d postgres -qc "DROP DATABASE IF EXISTS $CLUSTER_DB WITH (FORCE)"
fi
mkdir -p "$DIR"
psql -h 127.0.0.1 -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$CLUSTER_DB'" | grep -q 1 ||
  psql -h 127.0.0.1 -d postgres -qc "CREATE DATABASE $CLUSTER_DB"

say "Garage (S3) on 127.0.0.1:3900"
GARAGE="$HOME/.cargo/bin/garage -c $DIR/garage.toml"
[ -f "$DIR/garage.toml" ] || cat >"$DIR/garage.toml" <<EOF
metadata_dir = "$DIR/garage/meta"
data_dir = "$DIR/garage/data"
db_engine = "sqlite"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:3901"
rpc_public_addr = "127.0.0.1:3901"
rpc_secret = "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"

[s3_api]
s3_region = "garage"
api_bind_addr = "127.0.0.1:3900"
root_domain = ".s3.garage.localhost"

[admin]
api_bind_addr = "127.0.0.1:3903"
EOF
$GARAGE server >"$DIR/garage.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do $GARAGE node id -q >/dev/null 2>&1 && break; sleep 0.2; done
if [ ! -f "$DIR/s3-key" ]; then
  node=$($GARAGE node id -q | cut -d@ -f1)
  $GARAGE layout assign -z dc1 -c 1G "$node" >/dev/null
  $GARAGE layout apply --version 1 >/dev/null
  $GARAGE bucket create portail >/dev/null
  $GARAGE key create portail-famille >"$DIR/s3-key"
  $GARAGE bucket allow --read --write --owner portail --key portail-famille >/dev/null
fi
export AWS_ACCESS_KEY_ID=$(awk '/Key ID:/ {print $3}' "$DIR/s3-key")
export AWS_SECRET_ACCESS_KEY=$(awk '/Secret key:/ {print $3}' "$DIR/s3-key")
export AWS_ENDPOINT=http://127.0.0.1:3900 AWS_REGION=garage AWS_ALLOW_HTTP=true
export AWS_VIRTUAL_HOSTED_STYLE_REQUEST=false

say "SMTP catcher (maildev): SMTP 127.0.0.1:1025, emails on http://localhost:1080"
e2e/node_modules/.bin/maildev --smtp 1025 --web 1080 --ip 127.0.0.1 >"$DIR/maildev.log" 2>&1 &
PIDS+=($!)

# The settings both servers share: what makes them one portal. Secrets are generated once
# and kept, so sessions and sealed secrets survive a restart of either server.
[ -f "$DIR/secrets" ] || printf 'JWT_SECRET=%s\nSECRETS_KEY=%s\n' \
  "$(head -c 48 /dev/urandom | base64 -w0)" "$(head -c 48 /dev/urandom | base64 -w0)" >"$DIR/secrets"
set -a
source "$DIR/secrets"
DATABASE_URL="postgres://postgres@127.0.0.1:5432/$CLUSTER_DB?sslmode=disable"
PUBLIC_URL="http://localhost:$PROXY_PORT"
SMTP_URL=smtp://127.0.0.1:1025
STORAGE_URL=s3://portail
TRUSTED_PROXIES=127.0.0.1
UPLOAD_SCRATCH_DIR=$DIR/scratch
set +a

start_api() { # $1: index (1 or 2)
  local port=${API_PORTS[$(($1 - 1))]}
  PORT=$port "$BIN" serve >>"$DIR/api$1.log" 2>&1 &
  echo $! >"$DIR/api$1.pid"
  PIDS+=($!)
}
say "two API servers on 127.0.0.1:${API_PORTS[0]} and :${API_PORTS[1]}"
start_api 1
for _ in $(seq 1 150); do curl -fs "http://127.0.0.1:${API_PORTS[0]}/api/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done
start_api 2 # after the first: the migrations ran once

say "HAProxy on http://localhost:$PROXY_PORT"
# HAProxy needs two file descriptors per connection (the client's and the server's).
MAXCONN=$((($(ulimit -Hn) - 100) / 2))
cat >"$DIR/haproxy.cfg" <<EOF
global
    maxconn $MAXCONN

defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    # A request that could not reach a server (refused), or whose server closed without
    # answering, goes to the other one: safe because every write is idempotent (see
    # deploy/haproxy.cfg, which this copies).
    retries 3
    option redispatch
    retry-on conn-failure empty-response

frontend portail
    bind 127.0.0.1:$PROXY_PORT
    # The proxy's own id for each request, kept by the servers in their logs and answers.
    unique-id-format %{+X}o%ci:%cp_%fi:%fp_%Ts_%rt:%pid
    http-request set-header X-Request-Id %[unique-id] unless { req.hdr(x-request-id) -m found }
    # Metrics are for the operators' Prometheus, not the Internet.
    http-request deny deny_status 404 if { path -m beg /metrics }
    default_backend api

backend api
    balance roundrobin
    option httpchk GET /api/health/ready
    http-check expect status 200
    # Checked every second: a draining server (5 s of « not ready ») is out after 2.
    default-server inter 1s fall 2 rise 2
    server api1 127.0.0.1:${API_PORTS[0]} check
    server api2 127.0.0.1:${API_PORTS[1]} check
EOF
haproxy -f "$DIR/haproxy.cfg" -db >"$DIR/haproxy.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PROXY_PORT/api/health/ready" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "http://127.0.0.1:$PROXY_PORT/api/health/ready" >/dev/null
say "Portail Famille on http://localhost:$PROXY_PORT (logs in $DIR); Ctrl-C stops everything"
# Serves until interrupted; a server stopped by hand (a rolling restart) is started again.
while true; do
  for i in 1 2; do
    kill -0 "$(cat "$DIR/api$i.pid")" 2>/dev/null || { say "restarting API server $i"; start_api "$i"; }
  done
  sleep 2
done
