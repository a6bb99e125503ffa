#!/usr/bin/env bash
# agora's benchmark suite: builds the release binary, seeds a fresh database per backend,
# serves it, drives every workload with wrk (loopback, 16 connections) and writes BENCHMARKS.md.
#
#   bench/run.sh            full run (10 s per workload)
#   bench/run.sh --smoke    a few seconds in all, debug build, no BENCHMARKS.md (CI runs this)
#
# Environment: BENCH_DURATION (10s), BENCH_CONNECTIONS (16), BENCH_USERS (10000),
# BENCH_POSTS_PER_USER (10), BENCH_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/postgres;
# empty to skip PostgreSQL), BENCH_AGORA (a binary to measure instead of building one),
# BENCH_WORKLOADS (e.g. "W4 W4b": only those, printed, no BENCHMARKS.md). The search on a large
# table: BENCH_USERS=100000 BENCH_POSTS_PER_USER=0 BENCH_WORKLOADS="W4 W4b" bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=false
[ "${1:-}" = "--smoke" ] && smoke=true
duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-16}
users=${BENCH_USERS:-10000}
posts_per_user=${BENCH_POSTS_PER_USER:-10}
workloads=${BENCH_WORKLOADS:-}
if $smoke; then duration=1s; users=200; fi
postgres_url=${BENCH_POSTGRES_URL-postgres://postgres@127.0.0.1:5432/postgres}

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)"
  apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }
fi
if [ -n "${BENCH_AGORA:-}" ]; then
  agora=$BENCH_AGORA
elif $smoke; then
  # The smoke run only proves the script works: the debug build CI already has will do.
  cargo build --locked --quiet
  agora=$PWD/target/debug/agora
else
  cargo build --release --locked --quiet
  agora=$PWD/target/release/agora
fi
work=$(mktemp -d)
server_pid=""
address=""
cold_ms=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Starts agora on $1; sets server_pid, address and cold_ms (start to first answered query).
start_server() {
  local log=$work/server.log started
  started=$(date +%s%N)
  DATABASE_URL=$1 HOST=127.0.0.1 PORT=0 RUST_LOG=warn,agora=info \
    MAX_CONCURRENT_REQUESTS=4096 "$agora" serve >"$log" 2>&1 &
  server_pid=$!
  address=""
  for _ in $(seq 1 500); do
    address=$(grep -o 'listening on http://[0-9.:]*' "$log" | head -1 | sed 's/listening on //') || true
    if [ -n "$address" ] && curl -sf -H 'Content-Type: application/json' \
        -d '{"query":"{ __typename }"}' "$address/graphql" >/dev/null; then
      cold_ms=$(( ($(date +%s%N) - started) / 1000000 ))
      return
    fi
    sleep 0.01
  done
  echo "agora did not start:" >&2; cat "$log" >&2; exit 1
}

stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""; }

# CPU ticks (user + system) of the server so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }
# SQL statements the server has run so far (from its /metrics), or nothing.
statements() {
  curl -sf "$address/metrics" 2>/dev/null |
    awk '/^agora_sql_statements_total/ { n = $2 } END { if (NR > 0) print n + 0 }' || true
}

# Converts wrk's latency ("1.23ms", "850.00us", "1.02s") to milliseconds.
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'; }

results=$work/results.tsv
: >"$results"
run_workload() { # backend name script
  local backend=$1 name=$2 script=$3 out=$work/wrk.out ticks_before ticks_after sql_before sql_after
  if [ -n "$workloads" ] && [[ " $workloads " != *" $name "* ]]; then return; fi
  ticks_before=$(cpu_ticks); sql_before=$(statements)
  BENCH_POSTS=$((users * posts_per_user)) wrk -t2 -c"$connections" -d"$duration" --latency \
    -s "bench/$script" "$address" >"$out" 2>&1
  ticks_after=$(cpu_ticks); sql_after=$(statements)
  local rps p50 p99 requests failures cpu_us sql rss
  rps=$(awk '/^Requests\/sec/ { print $2 }' "$out")
  requests=$(awk '/requests in/ { print $1 }' "$out")
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
  failures=$(awk '/^FAILURES/ { print $2 }' "$out")
  cpu_us=$(awk -v t=$((ticks_after - ticks_before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" \
    'BEGIN { if (n > 0) printf "%.1f", t / hz * 1e6 / n; else print "-" }')
  sql="-"
  if [ -n "$sql_before" ] && [ -n "$sql_after" ]; then
    sql=$(awk -v a="$sql_before" -v b="$sql_after" -v n="$requests" 'BEGIN { printf "%.2f", (b - a) / n }')
  fi
  rss=$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$server_pid/status")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$backend" "$name" "$rps" "$p50" "$p99" \
    "${failures:-?}" "$cpu_us" "$sql" "$rss" >>"$results"
  printf '%-9s %-4s %10s req/s  p50 %6s ms  p99 %6s ms  failures %s  cpu %s us/req  sql %s/req  rss %s MiB\n' \
    "$backend" "$name" "$rps" "$p50" "$p99" "${failures:-?}" "$cpu_us" "$sql" "$rss"
}

# Hostile documents at full speed, and beside them a probe ({ __typename }) every 50 ms whose
# latency must stay low (the target: under 200 ms).
probe_under_hostile_load() {
  local out=$work/hostile.out probes=$work/probes.txt
  : >"$probes"
  wrk -t2 -c"$connections" -d"$duration" -s bench/hostile.lua "$address" >"$out" 2>&1 &
  local load=$!
  sleep 0.5
  while kill -0 "$load" 2>/dev/null; do
    curl -s -o /dev/null -w '%{time_total}\n' -H 'Content-Type: application/json' \
      -d '{"query":"{ __typename }"}' "$address/graphql" >>"$probes" || echo 9.999 >>"$probes"
    sleep 0.05
  done
  wait "$load" || true
  local refused
  refused=$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' "$out")
  read -r probe_count probe_p50 probe_p99 probe_max < <(sort -n "$probes" | awk '
    function at(q,   i) { i = int(NR * q); if (i < NR * q) i++; if (i < 1) i = 1; return v[i] }
    { v[NR] = $1 * 1000 }
    END { if (NR == 0) print "0 - - -"; else printf "%d %.1f %.1f %.1f\n", NR, at(0.5), at(0.99), v[NR] }')
  echo "hostile documents refused: ${refused}/s; probe ($probe_count): p50 ${probe_p50} ms, p99 ${probe_p99} ms, max ${probe_max} ms"
  printf 'hostile documents refused per second: %s; probe `{ __typename }` beside them (%s probes): p50 %s ms, p99 %s ms, max %s ms\n' \
    "$refused" "$probe_count" "$probe_p50" "$probe_p99" "$probe_max" >"$work/hostile.md"
}

bench_backend() { # backend url
  local backend=$1 url=$2
  echo "== $backend: seeding $users users, $((users * posts_per_user)) posts"
  DATABASE_URL=$url RUST_LOG=warn "$agora" seed --users "$users" --posts-per-user "$posts_per_user" >/dev/null
  start_server "$url"
  echo "cold start to first answered query: ${cold_ms} ms"
  printf '%s\tcold\t%s\n' "$backend" "$cold_ms" >>"$work/cold.tsv"
  run_workload "$backend" health health.lua
  run_workload "$backend" W1 w1-post-with-author.lua
  run_workload "$backend" W2 w2-posts-with-authors.lua
  run_workload "$backend" W3 w3-create-user.lua
  run_workload "$backend" W4 w4-search-users.lua
  run_workload "$backend" W4b w4b-search-nobody.lua
  run_workload "$backend" W5 w5-products-filter.lua
  run_workload "$backend" W6 w6-three-levels.lua
  run_workload "$backend" W7 w7-create-users.lua
  [ "$backend" = sqlite ] && [ -z "$workloads" ] && probe_under_hostile_load
  stop_server
}

bench_backend sqlite "sqlite://$work/bench.db?mode=rwc"
if [ -n "$postgres_url" ] && psql "$postgres_url" -qc 'select 1' >/dev/null 2>&1; then
  psql "$postgres_url" -qc 'DROP DATABASE IF EXISTS agora_bench' -c 'CREATE DATABASE agora_bench' >/dev/null
  # Loopback: TLS would only add CPU on both ends (sqlx negotiates it when the server offers it).
  bench_backend postgres "${postgres_url%/*}/agora_bench?sslmode=disable"
  psql "$postgres_url" -qc 'DROP DATABASE IF EXISTS agora_bench WITH (FORCE)' >/dev/null || true
else
  echo "!!! PostgreSQL not reachable at BENCH_POSTGRES_URL: skipped"
fi

$smoke && exit 0
[ -n "$workloads" ] && exit 0

{
  echo "# agora benchmarks"
  echo
  echo "Written by \`bench/run.sh\` on $(date -u +%Y-%m-%d). Machine: $(nproc) cores,"
  echo "$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM."
  echo "Load: wrk, 2 threads, $connections connections, $duration per workload, loopback."
  echo "Data: $users users, $((users * posts_per_user)) posts, 20 categories, 2,000 products (\`agora seed\`)."
  echo "PostgreSQL: the machine's own server over loopback, without TLS (\`sslmode=disable\`)."
  echo "Failures count non-200 answers and GraphQL errors. CPU is the server's CPU time per request;"
  echo "SQL is statements per request from its \`/metrics\`; RSS is the server's peak."
  echo
  echo "| backend | workload | req/s | % of /health | p50 ms | p99 ms | failures | CPU µs/req | SQL/req | peak RSS MiB |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' '
    $2 == "health" { ceiling[$1] = $3 }
    { pct = (ceiling[$1] > 0) ? sprintf("%.0f%%", 100 * $3 / ceiling[$1]) : "-";
      printf "| %s | %s | %.0f | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, pct, $4, $5, $6, $7, $8, $9 }
  ' "$results"
  echo
  echo "Under attack (SQLite): $(cat "$work/hostile.md" 2>/dev/null || echo 'not measured')."
  echo
  echo "Cold start to the first answered query on an existing database:"
  awk -F'\t' '{ printf "%s %s ms; ", $1, $3 } END { print "" }' "$work/cold.tsv"
  echo
  echo "Workloads: W1 \`post(id: random) { id title author { id name email } }\`;"
  echo "W2 \`posts(limit: 50) { id title author { name } }\`; W3 \`createUser\` with a new e-mail;"
  echo "W4 \`searchUsers(name: \"ada lovelace\")\`; W4b the same for a name nobody has; W5 \`products(filter: {minPrice, maxPrice,"
  echo "inStock: true}, limit: 50) { name price category { name } }\`; W6 \`users(limit: 20) { name"
  echo "posts { title author { name } } }\`; W7 \`createUsers\` of 50 new users per request, so"
  echo "its rows per second are 50 times its requests:"
  awk -F'\t' '$2 == "W7" { printf "%s %.0f rows/s; ", $1, 50 * $3 } END { print "" }' "$results"
  # Live data, measured by bench/live.sh.
  if [ -f bench/LIVE.md ]; then echo; cat bench/LIVE.md; echo; fi
  # The hand-written reading of the figures: targets, and where the time goes.
  cat bench/ANALYSIS.md
} >BENCHMARKS.md
echo "wrote BENCHMARKS.md"
