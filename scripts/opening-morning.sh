#!/usr/bin/env bash
# The opening-morning benchmark (issue 13, BENCHMARKS.md): a release server on a fresh
# PostgreSQL database, FAMILIES families prepared straight into it (portail-famille
# charge preparer), then the load generator (loadgen, bin opening-morning) on loopback:
# logins over WINDOW seconds before the opening, every child enrolled at the opening.
# Prints the generator's figures, the raw Argon2id rate, the server's CPU and peak RSS and
# PostgreSQL's CPU. Exits non-zero if a correctness criterion broke.
#
#   FAMILIES=10000 PERIODES=40 PLACES=24 WINDOW=900 scripts/opening-morning.sh
#
# Needs PostgreSQL on 127.0.0.1:5432 (trust auth), as the test suite does.
set -euo pipefail
cd "$(dirname "$0")/.."

FAMILIES=${FAMILIES:-10000}
PERIODES=${PERIODES:-40}
PLACES=${PLACES:-24}
WINDOW=${WINDOW:-900}
# Seconds of the login ceiling phase, before the window (0: none; loadgen::ceiling).
CEILING=${CEILING:-15}
PORT=${PORT:-8091}
PASSWORD='cheval agrafe pile été 🌻'
DB="pf_opening_$(date +%s)"
OUT=${OUT:-target/opening-morning}
mkdir -p "$OUT"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

say "release build"
cargo build --locked --release -p api -p loadgen
# The build directory: CARGO_TARGET_DIR when set (a build beside another one), else target/.
RELEASE=${CARGO_TARGET_DIR:-target}/release
BIN=$RELEASE/portail-famille

# Thousands of simultaneous connections, each a file descriptor.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

say "fresh database $DB"
psql -h 127.0.0.1 -d postgres -qc "CREATE DATABASE $DB"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
trap 'kill "${SERVER:-0}" "${SAMPLER:-0}" 2>/dev/null || true' EXIT

say "raw Argon2id rate (the login ceiling)"
"$BIN" charge argon2 --threads "$(nproc)" --secondes 5 | tee "$OUT/argon2.txt"

say "server on port $PORT"
PORT=$PORT DEMO_CONTENT=false MAIL_DIR="$OUT/mails" DATABASE_POOL_SIZE=${DATABASE_POOL_SIZE:-16} \
  RUST_LOG=${RUST_LOG:-warn,access=info} "$BIN" serve >"$OUT/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null 2>&1 && break
  sleep 0.2
done

say "preparing $FAMILIES families"
SEED_MARGIN=$((FAMILIES / 200 + 30 + CEILING))
OPENING=$(date -u -d "+$((WINDOW + SEED_MARGIN)) seconds" +%Y-%m-%dT%H:%M:%SZ)
"$BIN" charge preparer --familles "$FAMILIES" --periodes "$PERIODES" --places "$PLACES" \
  --ouverture "$OPENING" --mot-de-passe "$PASSWORD"
say "opening at $OPENING"

# CPU ticks and RSS of the server, and CPU ticks of PostgreSQL, every second.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_ticks() {
  local total=0
  for pid in $(pgrep -f "postgres: .* $DB" || true); do total=$((total + $(ticks "$pid"))); done
  echo "$total"
}
(
  while kill -0 "$SERVER" 2>/dev/null; do
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status" 2>/dev/null || echo 0)
    echo "$(date +%s) $(ticks "$SERVER") $rss $(pg_ticks) $(ticks "$(pgrep -n -f "$RELEASE/opening-morning" || echo 0)")"
    sleep 1
  done
) >"$OUT/samples.txt" &
SAMPLER=$!

# PERF=1: a system-wide CPU profile of the whole scenario (99 samples/s per core), split
# by process and library, and the server's hottest functions.
if [ -n "${PERF:-}" ]; then
  perf record -a -F 99 -o "$OUT/perf.data" >/dev/null 2>&1 &
  PERF_PID=$!
fi

say "load generator"
status=0
"$RELEASE/opening-morning" --url "http://127.0.0.1:$PORT" --familles "$FAMILIES" \
  --mot-de-passe "$PASSWORD" --fenetre-connexion "$WINDOW" --plafond-secondes "$CEILING" \
  | tee "$OUT/report.md" || status=$?
# The login ceiling against the raw Argon2id rate measured at the start of the same run.
awk '/hachages\/s/ {raw=$2} END {print raw}' "$OUT/argon2.txt" >"$OUT/raw.txt"
awk -v raw="$(cat "$OUT/raw.txt")" '/^- login ceiling:/ {printf "- login ceiling / raw Argon2id rate: %.1f / %.1f = %.2f\n", $4, raw, $4 / raw}' \
  "$OUT/report.md" | tee -a "$OUT/report.md"

kill "$SAMPLER" 2>/dev/null || true
if [ -n "${PERF_PID:-}" ]; then
  kill -INT "$PERF_PID"; wait "$PERF_PID" 2>/dev/null || true
  # The whole run, then its last 7 % (the rush, with a 15-minute window); `head` closing
  # the pipe early is not an error.
  { perf report -i "$OUT/perf.data" --sort comm,dso --stdio 2>/dev/null | grep -v '^#' | head -25 >"$OUT/perf-split.txt"; } || true
  { perf report -i "$OUT/perf.data" --time 93%-100% --sort comm,dso --stdio 2>/dev/null | grep -v '^#' | head -25 >"$OUT/perf-rush.txt"; } || true
  say "CPU profile: $OUT/perf-split.txt (whole run), $OUT/perf-rush.txt (its end)"
fi
hz=$(getconf CLK_TCK)
awk -v hz="$hz" 'NR==1 {t0=$2; p0=$4} {rss=($3>rss)?$3:rss; t=$2; p=$4; g=($5>g)?$5:g}
  END {printf "- server CPU: %.0f s, PostgreSQL CPU: %.0f s, load generator CPU: %.0f s, server peak RSS: %.0f MiB\n",
       (t-t0)/hz, (p-p0)/hz, g/hz, rss/1024}' "$OUT/samples.txt" | tee -a "$OUT/report.md"
# The server's own time for the enrolments it admitted (its access log: from the request
# read to the answer written), to tell it from the time the generator waited.
grep 'route=/api/inscriptions ' "$OUT/server.log" | grep 'method=POST' | grep -E 'status=20[01]' |
  sed -E 's/.*ms=([0-9]+).*/\1/' | sort -n | awk '{v[NR]=$1} END {if (NR) printf "- enrolments admitted, server time: %d, p50 %d ms, p95 %d ms, p99 %d ms\n",
    NR, v[int(NR*0.5)+1], v[int(NR*0.95)+1], v[int(NR*0.99)+1]}' | tee -a "$OUT/report.md"
say "figures in $OUT/report.md"
psql -h 127.0.0.1 -d postgres -qc "DROP DATABASE $DB WITH (FORCE)" >/dev/null 2>&1 || true
exit "$status"
