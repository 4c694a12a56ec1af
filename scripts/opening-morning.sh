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
# Without TLS, as in docker-compose.yml (the postgres image's default): Debian's cluster
# offers TLS, which libpq would take on loopback and spend CPU on for nothing.
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB?sslmode=disable"
trap 'kill "${SERVER:-0}" "${SAMPLER:-0}" 2>/dev/null || true' EXIT

# The raw Argon2id rate, the login ceiling's reference: measured just before the ceiling
# phase and just after it, and the higher of the two taken (on this machine one
# measurement differs from the next by up to 15 %).
raw_rate() { "$BIN" charge argon2 --threads "$(nproc)" --secondes 10 | tee -a "$OUT/argon2.txt"; }
: >"$OUT/argon2.txt"

say "server on port $PORT"
PORT=$PORT DEMO_CONTENT=false MAIL_DIR="$OUT/mails" DATABASE_POOL_SIZE=${DATABASE_POOL_SIZE:-16} \
  RUST_LOG=${RUST_LOG:-warn,access=info} "$BIN" serve >"$OUT/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null 2>&1 && break
  sleep 0.2
done

say "preparing $FAMILIES families"
# Seeding (about 2 ms a family), then up to 40 s of waiting for PostgreSQL to settle, the
# two raw measurements and the ceiling phase, before the window starts.
SEED_MARGIN=$((FAMILIES / 200 + 100 + CEILING))
OPENING=$(date -u -d "+$((WINDOW + SEED_MARGIN)) seconds" +%Y-%m-%dT%H:%M:%SZ)
"$BIN" charge preparer --familles "$FAMILIES" --periodes "$PERIODES" --places "$PLACES" \
  --ouverture "$OPENING" --mot-de-passe "$PASSWORD"
say "opening at $OPENING"

# CPU ticks and RSS of the server, CPU ticks of PostgreSQL and of the generator, and the
# machine's TCP sockets in use (both ends of each loopback connection), every second —
# with shell builtins only (the first version forked awk and pgrep every second: 2 % of
# the two cores during the login ceiling). PostgreSQL's and the generator's processes
# are looked up every 10 s.
ticks() { # TICKS=utime + stime of process $1, 0 when gone
  local stat fields
  TICKS=0
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 0
  read -r -a fields <<<"${stat##*) }" # the fields after the command name
  TICKS=$((fields[11] + fields[12]))
}
(
  n=0
  while kill -0 "$SERVER" 2>/dev/null; do
    if ((n % 10 == 0)); then
      pg_pids=$(pgrep -f "postgres: .* $DB" || true)
      gen_pid=$(pgrep -n -f "$RELEASE/opening-morning" || echo 0)
    fi
    n=$((n + 1))
    pg=0
    for pid in $pg_pids; do ticks "$pid"; pg=$((pg + TICKS)); done
    rss=0
    { while read -r key value _; do [ "$key" = VmRSS: ] && rss=$value; done <"/proc/$SERVER/status"; } 2>/dev/null || true
    ticks "$SERVER"; server=$TICKS
    ticks "$gen_pid"; gen=$TICKS
    tcp=0
    { while read -r proto _ inuse _; do [ "$proto" = TCP: ] && tcp=$inuse; done </proc/net/sockstat; } 2>/dev/null || true
    printf '%(%s)T %s %s %s %s %s\n' -1 "$server" "$rss" "$pg" "$gen" "$tcp"
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

# The kernel's TCP counters around the run: connections the server accepted (the
# generator's are client-side), and any SYN or accept-queue drop.
TCP_COUNTERS="TcpPassiveOpens TcpExtListenOverflows TcpExtListenDrops TcpExtTCPReqQFullDrop TcpExtSyncookiesSent"
tcp_counters() { nstat -az $TCP_COUNTERS 2>/dev/null | awk 'NR > 1 && $1 !~ /^#/ {print $1, $2}'; }
tcp_counters >"$OUT/tcp-before.txt"

# After seeding, PostgreSQL works on for a while (autovacuum and checkpoint of what was
# written): wait until its CPU stays under 5 % for 3 seconds (at most 40 s), so that the
# measurements that follow compare like with like.
hz=$(getconf CLK_TCK)
for _ in $(seq 1 40); do
  tail -4 "$OUT/samples.txt" | awk -v hz="$hz" 'NR > 1 && $4 - p > hz / 20 {busy = 1} {p = $4} END {exit busy + (NR < 4)}' && break
  sleep 1
done

: >"$OUT/report.md"
if [ "$CEILING" -gt 0 ]; then
  say "login ceiling, between two raw Argon2id measurements"
  raw_rate
  "$RELEASE/opening-morning" --url "http://127.0.0.1:$PORT" --familles "$FAMILIES" \
    --mot-de-passe "$PASSWORD" --plafond-secondes "$CEILING" --plafond-seul | tee -a "$OUT/report.md"
  raw_rate
  awk '/hachages\/s/ {raw = ($2 > raw) ? $2 : raw} END {print raw}' "$OUT/argon2.txt" >"$OUT/raw.txt"
  awk -v raw="$(cat "$OUT/raw.txt")" '/^- login ceiling:/ {printf "- login ceiling / raw Argon2id rate (the higher of before and after): %.1f / %.1f = %.2f\n", $4, raw, $4 / raw}' \
    "$OUT/report.md" | tee -a "$OUT/report.md"
fi

say "load generator"
status=0
"$RELEASE/opening-morning" --url "http://127.0.0.1:$PORT" --familles "$FAMILIES" \
  --mot-de-passe "$PASSWORD" --fenetre-connexion "$WINDOW" | tee -a "$OUT/report.md" || status=$?

tcp_counters >"$OUT/tcp-after.txt"
awk 'NR == FNR {before[$1] = $2; next} {printf "%s%s %d", sep, $1, $2 - before[$1]; sep = ", "}
  END {print ""}' "$OUT/tcp-before.txt" "$OUT/tcp-after.txt" |
  sed 's/^/- kernel TCP counters over the run: /' | tee -a "$OUT/report.md"
kill "$SAMPLER" 2>/dev/null || true
if [ -n "${PERF_PID:-}" ]; then
  kill -INT "$PERF_PID"; wait "$PERF_PID" 2>/dev/null || true
  # The whole run, then its last 7 % (the rush, with a 15-minute window); `head` closing
  # the pipe early is not an error.
  { perf report -i "$OUT/perf.data" --sort comm,dso --stdio 2>/dev/null | grep -v '^#' | head -25 >"$OUT/perf-split.txt"; } || true
  { perf report -i "$OUT/perf.data" --time 93%-100% --sort comm,dso --stdio 2>/dev/null | grep -v '^#' | head -25 >"$OUT/perf-rush.txt"; } || true
  say "CPU profile: $OUT/perf-split.txt (whole run), $OUT/perf-rush.txt (its end)"
fi
awk -v hz="$hz" 'NR==1 {t0=$2; p0=$4} {rss=($3>rss)?$3:rss; t=$2; p=$4; g=($5>g)?$5:g; c=($6>c)?$6:c}
  END {printf "- server CPU: %.0f s, PostgreSQL CPU: %.0f s, load generator CPU: %.0f s, server peak RSS: %.0f MiB, TCP sockets in use at most: %d\n",
       (t-t0)/hz, (p-p0)/hz, g/hz, rss/1024, c}' "$OUT/samples.txt" | tee -a "$OUT/report.md"
# The server's own time for the enrolments it admitted (its access log: from the request
# read to the answer written), to tell it from the time the generator waited.
grep 'route=/api/inscriptions ' "$OUT/server.log" | grep 'method=POST' | grep -E 'status=20[01]' |
  sed -E 's/.*ms=([0-9]+).*/\1/' | sort -n | awk '{v[NR]=$1} END {if (NR) printf "- enrolments admitted, server time: %d, p50 %d ms, p95 %d ms, p99 %d ms\n",
    NR, v[int(NR*0.5)+1], v[int(NR*0.95)+1], v[int(NR*0.99)+1]}' | tee -a "$OUT/report.md"
say "figures in $OUT/report.md"
psql -h 127.0.0.1 -d postgres -qc "DROP DATABASE $DB WITH (FORCE)" >/dev/null 2>&1 || true
exit "$status"
