#!/usr/bin/env bash
# Starts the agora binary ($1) on a fresh database of each backend (SQLite always; PostgreSQL
# when AGORA_TEST_POSTGRES_URL is set), on a free port of 127.0.0.1, runs the graphql-http
# audit suite against it, and stops it by PID. Exits non-zero on any failure or warning.
set -euo pipefail
agora="$1"
here="$(cd "$(dirname "$0")" && pwd)"
(cd "$here" && npm ci --silent --no-audit --no-fund)

work="$(mktemp -d)"
pid=""
created_db=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  if [ -n "$created_db" ]; then
    psql "$AGORA_TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS \"$created_db\" WITH (FORCE)" || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

audit() {
  local database_url="$1"
  local port
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  DATABASE_URL="$database_url" HOST=127.0.0.1 PORT="$port" RUST_LOG=warn "$agora" >"$work/agora.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    sleep 0.1
  done
  node "$here/audit.mjs" "http://127.0.0.1:$port/graphql" || { cat "$work/agora.log"; return 1; }
  kill "$pid" && wait "$pid" 2>/dev/null || true
  pid=""
}

audit "sqlite://$work/audit.db?mode=rwc"
if [ -n "${AGORA_TEST_POSTGRES_URL:-}" ]; then
  created_db="agora_audit_$$"
  psql "$AGORA_TEST_POSTGRES_URL" -qc "CREATE DATABASE \"$created_db\""
  audit "$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$AGORA_TEST_POSTGRES_URL" "$created_db")"
fi
