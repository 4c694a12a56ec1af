#!/usr/bin/env bash
# A rolling restart under load (issue 15, SECURITY.md L-11), against the topology that
# scripts/cluster.sh runs: CLIENTS closed-loop clients read /api/town through HAProxy while
# each API server in turn gets SIGTERM (it drains, stops, and cluster.sh starts it again).
# Prints the statuses the clients saw; exits non-zero if any was not 200.
#
#   scripts/cluster.sh &   # then, once it says « Portail Famille on … »:
#   scripts/rolling-restart.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=target/cluster
PROXY=${PROXY:-http://127.0.0.1:8100}
CLIENTS=${CLIENTS:-4}
CODES=$(mktemp)
STOP=$(mktemp -u)
trap 'touch "$STOP"; wait; rm -f "$CODES" "$STOP"' EXIT

client() {
  while [ ! -f "$STOP" ]; do
    curl -s -o /dev/null -w '%{http_code}\n' --max-time 30 "$PROXY/api/town" >>"$CODES" || true
  done
}
for _ in $(seq 1 "$CLIENTS"); do client & done
sleep 3
for i in 1 2; do
  old=$(cat "$DIR/api$i.pid")
  echo "SIGTERM to API server $i (pid $old)"
  kill -TERM "$old"
  while kill -0 "$old" 2>/dev/null; do sleep 0.2; done
  for _ in $(seq 1 150); do
    new=$(cat "$DIR/api$i.pid")
    [ "$new" != "$old" ] && curl -fs "http://127.0.0.1:810$i/api/health/ready" >/dev/null 2>&1 && break
    sleep 0.2
  done
  sleep 3 # HAProxy sees it ready again (2 checks a second apart)
done
touch "$STOP"
wait
echo "statuses seen by the clients:"
sort "$CODES" | uniq -c
! grep -qv '^200$' "$CODES"
