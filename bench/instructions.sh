#!/usr/bin/env bash
# Instructions the server executes per request (valgrind's callgrind), for comparing two builds
# on a noisy machine: unlike time, the count repeats to within a percent or so.
#
#   bench/instructions.sh [binary]      default: target/release/agora (built if missing)
#
# (valgrind names its control pipe after HOST, which agora reads too: both see 127.0.0.1.)
# On SQLite unless INSTR_POSTGRES_URL names a PostgreSQL database to connect to first (e.g.
# postgres://postgres@127.0.0.1:5432/postgres): then a database `agora_instr` beside it is used
# and dropped, and only agora's own instructions are counted, not PostgreSQL's. Environment:
# INSTR_REQUESTS (200 per workload), INSTR_WORKLOADS (default "health W1 W2 W5 W6"), INSTR_KEEP
# (a directory: each workload's callgrind output is kept there, for
# `callgrind_annotate --inclusive=yes`).
set -euo pipefail
# A binary given by a relative path is found from where the script was called.
given=${1:+$(realpath "$1")}
cd "$(dirname "$0")/.."

agora=${given:-$PWD/target/release/agora}
[ -x "$agora" ] || cargo build --release --locked --quiet
requests=${INSTR_REQUESTS:-200}
workloads=${INSTR_WORKLOADS:-health W1 W2 W5 W6}
keep=${INSTR_KEEP:-}
command -v valgrind >/dev/null || { apt-get install -y -qq valgrind >/dev/null; }

work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
  if [ -n "${INSTR_POSTGRES_URL:-}" ]; then
    psql "$INSTR_POSTGRES_URL" -qc 'DROP DATABASE IF EXISTS agora_instr WITH (FORCE)' >/dev/null || true
  fi
}
trap cleanup EXIT

url="sqlite://$work/instructions.db?mode=rwc"
if [ -n "${INSTR_POSTGRES_URL:-}" ]; then
  psql "$INSTR_POSTGRES_URL" -qc 'DROP DATABASE IF EXISTS agora_instr WITH (FORCE)' \
    -c 'CREATE DATABASE agora_instr' >/dev/null
  url="${INSTR_POSTGRES_URL%/*}/agora_instr?sslmode=disable"
fi
DATABASE_URL=$url RUST_LOG=warn "$agora" seed --users 1000 --posts-per-user 10 >/dev/null

# Starts agora under callgrind, counting nothing yet; sets server_pid and address.
start_server() {
  rm -f "$work"/callgrind.out.*
  (cd "$work" && DATABASE_URL=$url HOST=127.0.0.1 PORT=0 RUST_LOG=warn,agora=info \
    exec valgrind --tool=callgrind --instr-atstart=no "$agora" serve >server.log 2>&1) &
  server_pid=$!
  address=""
  for _ in $(seq 1 600); do
    address=$(grep -o 'listening on http://[0-9.:]*' "$work/server.log" | head -1 | sed 's/listening on //') || true
    [ -n "$address" ] && return
    sleep 0.1
  done
  echo "agora did not start:" >&2; cat "$work/server.log" >&2; exit 1
}

stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""; }

body() {
  case $1 in
    W1) echo '{"query":"{ post(id: 17) { id title author { id name email } } }"}' ;;
    W2) echo '{"query":"{ posts(limit: 50) { id title author { name } } }"}' ;;
    W5) echo '{"query":"{ products(filter: { minPrice: 10, maxPrice: 300, inStock: true }, limit: 50) { name price category { name } } }"}' ;;
    W6) echo '{"query":"{ users(limit: 20) { name posts { title author { name } } } }"}' ;;
  esac
}

send() { # workload count
  local i
  for i in $(seq 1 "$2"); do
    if [ "$1" = health ]; then
      curl -sf -o /dev/null "$address/health"
    else
      curl -sf -o /dev/null -H 'Content-Type: application/json' -d "$(body "$1")" "$address/graphql"
    fi
  done
}

# The total instructions counted so far (callgrind dumps on request).
counted() {
  HOST=127.0.0.1 callgrind_control -d "$server_pid" >/dev/null
  sleep 0.5
  cat "$work"/callgrind.out.* 2>/dev/null | awk '/^summary:/ { n += $2 } END { printf "%.0f\n", n }'
}

printf '%-8s %14s\n' workload "instr/request"
# One server per workload: counts of one run do not leak into the next.
for workload in $workloads; do
  start_server
  send "$workload" 20 # warm: statements prepared, caches filled
  HOST=127.0.0.1 callgrind_control -i on "$server_pid" >/dev/null
  send "$workload" "$requests"
  total=$(counted)
  if [ -n "$keep" ]; then
    mkdir -p "$keep"
    for out in "$work"/callgrind.out.*; do cp "$out" "$keep/$workload.${out##*.}"; done
  fi
  stop_server
  printf '%-8s %14d\n' "$workload" $((total / requests))
done
