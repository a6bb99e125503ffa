#!/usr/bin/env bash
# agora's live-data benchmarks: commit-to-delivery latency on one instance and across two
# (PostgreSQL), deliveries per second to many subscribers, memory of idle subscribed sockets,
# and W3 (createUser) with and without the event record's triggers. Writes bench/LIVE.md,
# which bench/run.sh puts into BENCHMARKS.md.
#
#   bench/live.sh           full run
#   bench/live.sh --smoke   a few seconds, debug build, prints only (CI runs this)
#
# Environment: BENCH_POSTGRES_URL (as bench/run.sh; empty to skip PostgreSQL), BENCH_RATE
# (1000 events/s), BENCH_SUBSCRIBERS (1000), BENCH_IDLE_SOCKETS (10000).
set -euo pipefail
export PGOPTIONS="--client-min-messages=warning"
cd "$(dirname "$0")/.."

smoke=false
[ "${1:-}" = "--smoke" ] && smoke=true
rate=${BENCH_RATE:-1000}
seconds=10
subscribers=${BENCH_SUBSCRIBERS:-1000}
fan_events=200
idle_sockets=${BENCH_IDLE_SOCKETS:-10000}
postgres_url=${BENCH_POSTGRES_URL-postgres://postgres@127.0.0.1:5432/postgres}
profile=release
if $smoke; then rate=100; seconds=2; subscribers=20; fan_events=20; idle_sockets=50; profile=debug; fi
if $smoke; then
  cargo build --locked --quiet --bin agora --example live-bench
else
  cargo build --release --locked --quiet --bin agora --example live-bench
fi
agora=$PWD/target/$profile/agora
tool=$PWD/target/$profile/examples/live-bench
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null 2>&1 ||
  { apt-get update -qq && apt-get install -y -qq wrk; }
# Ten thousand sockets need as many descriptors, on both ends.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# Starts agora on $1; prints "pid address".
start() {
  local log
  log=$(mktemp -p "$work")
  DATABASE_URL=$1 HOST=127.0.0.1 PORT=0 RUST_LOG=warn,agora=info MAX_CONCURRENT_REQUESTS=4096 \
    MAX_CONNECTIONS=20000 "$agora" serve >"$log" 2>&1 &
  local pid=$! address=""
  for _ in $(seq 1 500); do
    address=$(grep -o 'listening on http://[0-9.:]*' "$log" | head -1 | sed 's/listening on //') || true
    [ -n "$address" ] && { echo "$pid $address"; return; }
    sleep 0.01
  done
  echo "agora did not start:" >&2; cat "$log" >&2; exit 1
}

out=$work/live.md
: >"$out"
row() { echo "$*" | tee -a "$out"; }
field() { tr ' ' '\n' <<<"$2" | awk -F= -v k="$1" '$1 == k { print $2 }'; }
# A latency result ($3, from the tool) as a row: backend, what was measured.
latency_row() {
  row "| $1 | $2 | p50 $(field request_p50 "$3") ms, p99 $(field request_p99 "$3") ms | after the write's acknowledgement | p50 $(field ack_p50 "$3") ms, p99 $(field ack_p99 "$3") ms |"
}

# W3 (createUser, wrk) on a fresh database of $2, with and without the event triggers.
w3_with_and_without_events() { # backend url drop-triggers-command
  local backend=$1 url=$2 pid address
  read -r pid address < <(start "$url"); pids+=("$pid")
  wrk -t2 -c16 --latency -d"$([ "$smoke" = true ] && echo 1s || echo 10s)" -s bench/w3-create-user.lua "$address" >"$work/w3a" 2>&1
  kill "$pid"; wait "$pid" 2>/dev/null || true
  $3
  read -r pid address < <(start "$url"); pids+=("$pid")
  wrk -t2 -c16 --latency -d"$([ "$smoke" = true ] && echo 1s || echo 10s)" -s bench/w3-create-user.lua "$address" >"$work/w3b" 2>&1
  kill "$pid"; wait "$pid" 2>/dev/null || true
  local with without p99_with p99_without
  with=$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' "$work/w3a")
  without=$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' "$work/w3b")
  p99_with=$(awk '$1 == "99%" { print $2 }' "$work/w3a")
  p99_without=$(awk '$1 == "99%" { print $2 }' "$work/w3b")
  row "| $backend | W3 createUser, with the event insert | $with/s (p99 $p99_with) | without it (triggers dropped) | $without/s (p99 $p99_without) |"
}

sqlite_triggers_off() {
  python3 - "$work/w3.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for kind in ("created", "updated", "deleted"):
    db.execute(f"DROP TRIGGER IF EXISTS users_{kind}")
db.commit()
PY
}
postgres_triggers_off() {
  for kind in created updated deleted; do
    psql "${postgres_url%/*}/agora_live_w3" -qc "DROP TRIGGER IF EXISTS users_$kind ON users" >/dev/null
  done
}

row "| backend | measure | figure | | |"
row "|---|---|---|---|---|"

# SQLite: one instance.
read -r pid address < <(start "sqlite://$work/live.db?mode=rwc"); pids+=("$pid")
r=$("$tool" latency "$address" "$address" "$rate" "$seconds")
latency_row sqlite "write-to-delivery at $(field rate "$r") events/s, one instance" "$r"
r=$("$tool" fanout "$address" "$subscribers" "$fan_events" "$pid")
row "| sqlite | deliveries to $subscribers subscribers of one instance | $(field per_second "$r")/s | per second of server CPU | $(field per_cpu_second "$r") |"
r=$("$tool" idle "$address" "$idle_sockets" "$pid")
row "| sqlite | $(field sockets "$r") idle subscribed WebSockets | $(field per_socket_kib "$r") KiB each | server RSS | $(field rss_before_mib "$r") → $(field rss_after_mib "$r") MiB |"
kill "$pid"; wait "$pid" 2>/dev/null || true
w3_with_and_without_events sqlite "sqlite://$work/w3.db?mode=rwc" sqlite_triggers_off

if [ -n "$postgres_url" ] && psql "$postgres_url" -qc 'select 1' >/dev/null 2>&1; then
  for db in agora_live agora_live_w3; do
    psql "$postgres_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
  done
  url="${postgres_url%/*}/agora_live?sslmode=disable"
  read -r pid_a address_a < <(start "$url"); pids+=("$pid_a")
  read -r pid_b address_b < <(start "$url"); pids+=("$pid_b")
  r=$("$tool" latency "$address_a" "$address_a" "$rate" "$seconds")
  latency_row postgres "write-to-delivery at $(field rate "$r") events/s, one instance" "$r"
  r=$("$tool" latency "$address_a" "$address_b" "$rate" "$seconds")
  latency_row postgres "write-to-delivery at $(field rate "$r") events/s, written on B, delivered by A" "$r"
  r=$("$tool" latency "$address_a" "$address_b" "$((rate * 5))" "$seconds")
  latency_row postgres "write-to-delivery asked at $((rate * 5)) events/s (reached $(field rate "$r")), across instances" "$r"
  r=$("$tool" fanout "$address_a" "$subscribers" "$fan_events" "$pid_a")
  row "| postgres | deliveries to $subscribers subscribers of one instance | $(field per_second "$r")/s | per second of server CPU | $(field per_cpu_second "$r") |"
  r=$("$tool" idle "$address_a" "$idle_sockets" "$pid_a")
  row "| postgres | $(field sockets "$r") idle subscribed WebSockets | $(field per_socket_kib "$r") KiB each | server RSS | $(field rss_before_mib "$r") → $(field rss_after_mib "$r") MiB |"
  kill "$pid_a" "$pid_b"; wait "$pid_a" "$pid_b" 2>/dev/null || true
  w3_with_and_without_events postgres "${postgres_url%/*}/agora_live_w3?sslmode=disable" postgres_triggers_off
  for db in agora_live agora_live_w3; do
    psql "$postgres_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null || true
  done
else
  echo "!!! PostgreSQL not reachable at BENCH_POSTGRES_URL: skipped"
fi

$smoke && exit 0
{
  echo "## Live data"
  echo
  echo "Written by \`bench/live.sh\` on $(date -u +%Y-%m-%d), same machine; the load tool"
  echo "(\`bench/live.rs\`) runs on it too. Write-to-delivery: from sending \`createUser\` to the"
  echo "subscriber (\`userCreated\`) receiving it; after the acknowledgement: from the writer reading"
  echo "its answer (the commit is between the two). $seconds s per rate; $fan_events creations to each"
  echo "of the subscribers; idle sockets each hold one subscription."
  echo
  cat "$out"
} >bench/LIVE.md
echo "wrote bench/LIVE.md"
