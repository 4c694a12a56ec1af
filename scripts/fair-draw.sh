#!/usr/bin/env bash
# The fair-allocation benchmark (issue 13, BENCHMARKS.md): a release server on a fresh
# PostgreSQL database, FAMILIES families prepared straight into it with every child's three
# ranked wishes among PERIODES équitable périodes of PLACES places (portail-famille charge
# preparer --equitable), the wishes closing a few seconds later. The server's own job runs
# the draw (within a minute of the close); this script waits for it, reads how long it
# took from the server's log, the server's peak RSS, then downloads the public document
# and re-runs the draw with `portail-famille attribution verifier`. Exits non-zero if the
# verification fails.
#
#   FAMILIES=10000 PERIODES=40 PLACES=24 scripts/fair-draw.sh
#
# Needs PostgreSQL on 127.0.0.1:5432 (trust auth), as the test suite does.
set -euo pipefail
cd "$(dirname "$0")/.."

FAMILIES=${FAMILIES:-10000}
PERIODES=${PERIODES:-40}
PLACES=${PLACES:-24}
PORT=${PORT:-8092}
DB="pf_fair_$(date +%s)"
OUT=${OUT:-target/fair-draw}
mkdir -p "$OUT"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

say "release build"
# The same packages as scripts/opening-morning.sh: one feature set, one build for both.
cargo build --locked --release -p api -p loadgen
BIN=target/release/portail-famille

say "fresh database $DB"
psql -h 127.0.0.1 -d postgres -qc "CREATE DATABASE $DB"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
trap 'kill "${SERVER:-0}" "${SAMPLER:-0}" 2>/dev/null || true' EXIT

say "server on port $PORT"
PORT=$PORT DEMO_CONTENT=false MAIL_DIR="$OUT/mails" RUST_LOG=info,api=info \
  "$BIN" serve >"$OUT/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null 2>&1 && break
  sleep 0.2
done

say "preparing $FAMILIES families and their wishes"
CLOSE=$(date -u -d "+$((FAMILIES / 100 + 30)) seconds" +%Y-%m-%dT%H:%M:%SZ)
"$BIN" charge preparer --familles "$FAMILIES" --periodes "$PERIODES" --places "$PLACES" \
  --ouverture "$CLOSE" --mot-de-passe 'cheval agrafe pile été 🌻' --prefixe equitable --equitable
say "wishes close at $CLOSE"

(
  while kill -0 "$SERVER" 2>/dev/null; do
    awk '/VmRSS/ {print $2}' "/proc/$SERVER/status" 2>/dev/null || echo 0
    sleep 1
  done
) >"$OUT/rss.txt" &
SAMPLER=$!

PERIODE=$(psql -h 127.0.0.1 -d "$DB" -Atc "SELECT id FROM periodes WHERE attribution = 'equitable' LIMIT 1")
say "waiting for the draw (the job runs every minute)"
for _ in $(seq 1 600); do
  grep -q "draw ran" "$OUT/server.log" && break
  sleep 1
done
grep "draw ran" "$OUT/server.log" | tail -1
curl -fsS --compressed -o "$OUT/tirage.json" "http://127.0.0.1:$PORT/api/tirages/$PERIODE"
kill "$SAMPLER" 2>/dev/null || true

say "verifying the published draw"
status=0
{
  echo "- families: $FAMILIES, périodes: $PERIODES × $PLACES places"
  psql -h 127.0.0.1 -d "$DB" -Atc "SELECT '- wishes: ' || count(*) || ', placed: ' || count(*) FILTER (WHERE resultat = 'place') || ', waiting: ' || count(*) FILTER (WHERE resultat = 'liste_attente') || ', sans objet: ' || count(*) FILTER (WHERE resultat = 'sans_objet') FROM voeux"
  grep -o 'elapsed_ms=[0-9]*' "$OUT/server.log" | tail -1 | sed 's/elapsed_ms=/- draw (one transaction): /; s/$/ ms/'
  awk '{rss=($1>rss)?$1:rss} END {printf "- server peak RSS: %.0f MiB\n", rss/1024}' "$OUT/rss.txt"
  printf -- "- public document: %s bytes\n" "$(stat -c %s "$OUT/tirage.json")"
  /usr/bin/time -f "- verifier: %e s, %M KiB" "$BIN" attribution verifier --fichier "$OUT/tirage.json" 2>&1
} | tee "$OUT/report.md" || status=$?
grep -q "Tirage vérifié" "$OUT/report.md" || status=1
psql -h 127.0.0.1 -d postgres -qc "DROP DATABASE $DB WITH (FORCE)" >/dev/null 2>&1 || true
exit "$status"
