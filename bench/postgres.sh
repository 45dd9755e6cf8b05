#!/usr/bin/env bash
# Issue 16.1: the same work on SQLite and on PostgreSQL, side by side, in one run (release build).
#   1. the demo province loaded into an empty database (2.0 million rows)
#   2. the first load of the province roster (737,686 teachers, `peixun import teachers`)
#   3. reports, a county worklist and the registry served (median of 50 sequential requests)
# PostgreSQL is a throw-away server (scripts/with-postgres.sh) with fsync ON, like SQLite's WAL.
# Figures: bench/README.md. Usage: bench/postgres.sh [sqlite|postgres] (both when omitted).
source "$(dirname "$0")/common.sh"

roster="$OUT/roster-full.xlsx"
[ -f "$roster" ] || "$PEIXUN" demo-roster --scale full -o "$roster"
time_it() { /usr/bin/time -f "    %e s wall, %M KB peak" "$@" 2>&1 | grep -E "wall|共|错误|error" | tail -n 3; }

measure() { # label; DATABASE_URL set for PostgreSQL, unset for SQLite
  local label=$1 data="$OUT/pg-bench-$1"
  reset() {
    rm -rf "$data"
    if [ -n "${DATABASE_URL:-}" ]; then
      psql "$DATABASE_URL" -qc "DROP SCHEMA public CASCADE; CREATE SCHEMA public;" >/dev/null
    fi
    PEIXUN_DATA_DIR="$data" "$PEIXUN" migrate --yes >/dev/null 2>&1
  }
  echo "== $label: demo province into an empty database =="
  reset
  time_it env PEIXUN_DATA_DIR="$data" "$PEIXUN" demo --scale full
  echo "== $label: serving the demo province =="
  local port=$((18000 + RANDOM % 1000))
  PEIXUN_DATA_DIR="$data" PEIXUN_PORT=$port LOG_LEVEL=warning "$PEIXUN" serve --env production >"$OUT/serve-$label.log" 2>&1 &
  local server=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  TOKEN=$(curl -s -H 'Content-Type: application/json' -d '{"username":"sheng","password":"Peixun2017demo"}' \
    "http://127.0.0.1:$port/api/v1/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  export TOKEN
  for path in "/api/v1/reports/progress?year=2016" "/api/v1/reports/progress?year=2016&region=510100" \
              "/reports/progress?year=2016&region=510104" "/api/v1/teachers?region=510104&page=40" \
              "/api/v1/integration/summary" "/api/v1/todo"; do
    python3 bench/latency.py "http://127.0.0.1:$port$path" 50 || true
  done
  kill $server; wait $server 2>/dev/null || true
  echo "== $label: first load of the province roster into an empty registry =="
  reset
  time_it env PEIXUN_DATA_DIR="$data" "$PEIXUN" import teachers "$roster" --create-schools
  rm -rf "$data"
}

on_databases "$0" "$@"
