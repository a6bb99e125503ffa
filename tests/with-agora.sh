#!/usr/bin/env bash
# Usage: with-agora.sh AGORA COMMAND [ARGS...]
# Starts the agora binary AGORA on a fresh database of each backend (SQLite always; PostgreSQL
# when AGORA_TEST_POSTGRES_URL is set, in a database of its own that is dropped afterwards), on
# a free port of 127.0.0.1, runs COMMAND ARGS... with the GraphQL endpoint's URL appended, and
# stops the server by its PID. Fails as soon as COMMAND fails (printing the server's log).
set -euo pipefail
agora="$1"
shift

work="$(mktemp -d)"
pid=""
created_db=""
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  if [ -n "$created_db" ]; then
    psql "$AGORA_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS \"$created_db\" WITH (FORCE)" || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

run_on() {
  local database_url="$1"
  shift
  local port
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  DATABASE_URL="$database_url" HOST=127.0.0.1 PORT="$port" RUST_LOG=warn "$agora" >"$work/agora.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    sleep 0.1
  done
  if ! "$@" "http://127.0.0.1:$port/graphql"; then
    cat "$work/agora.log"
    return 1
  fi
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=""
}

run_on "sqlite://$work/agora.db?mode=rwc" "$@"
if [ -n "${AGORA_TEST_POSTGRES_URL:-}" ]; then
  created_db="agora_live_$$"
  psql "$AGORA_TEST_POSTGRES_URL" -qc "CREATE DATABASE \"$created_db\""
  url="$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$AGORA_TEST_POSTGRES_URL" "$created_db")"
  run_on "$url" "$@"
fi
