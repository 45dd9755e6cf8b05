#!/usr/bin/env bash
# Issue 16.1: the same work on SQLite and on PostgreSQL, side by side, in one run (release build).
#   demo         the demo province loaded into an empty database (2.0 million rows)
#   serve        reports, worklists and the registry served (median of 50 sequential requests)
#   integration  a 200,000-entry qualified list: 锦江区's worklist (median of 20) and the approval of two cities
#   roster       the first load of the province roster (737,686 teachers, `peixun import teachers`)
# PostgreSQL is a throw-away server (scripts/with-postgres.sh) with fsync ON, like SQLite's WAL.
# Figures: bench/README.md. Usage: [PG_BENCH_PARTS="serve integration"] bench/postgres.sh [sqlite|postgres]
# (both databases when omitted; every part when PG_BENCH_PARTS is unset — serve and integration load the demo).
source "$(dirname "$0")/common.sh"

parts=" ${PG_BENCH_PARTS:-demo serve integration roster} "
part() { [[ "$parts" == *" $1 "* ]]; }
roster="$OUT/roster-full.xlsx"
if part roster; then [ -f "$roster" ] || "$PEIXUN" demo-roster --scale full -o "$roster"; fi
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
  sql() { # one statement list on whichever database this run measures; CSV rows out
    if [ -n "${DATABASE_URL:-}" ]; then psql "$DATABASE_URL" -qAt --csv -c "$1"; else sqlite3 -csv "$data/peixun.sqlite" "$1"; fi
  }
  local port=$((18000 + RANDOM % 1000)) server
  start() {
    PEIXUN_DATA_DIR="$data" PEIXUN_PORT=$port LOG_LEVEL=warning "$PEIXUN" serve --env production >"$OUT/serve-$label.log" 2>&1 &
    server=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  }
  token() {
    curl -s -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"Peixun2017demo\"}" \
      "http://127.0.0.1:$port/api/v1/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
  }
  if part demo || part serve || part integration; then
    echo "== $label: demo province into an empty database =="
    reset
    time_it env PEIXUN_DATA_DIR="$data" "$PEIXUN" demo --scale full
  fi
  # PostgreSQL serves as it does at rest: autovacuum would otherwise be visiting the 2 million new
  # rows during the measurement (on the same 2 cores), and until it has, index-only scans read the heap.
  settle() { [ -z "${DATABASE_URL:-}" ] || psql "$DATABASE_URL" -qc "VACUUM (ANALYZE)" >/dev/null; }
  if part serve; then
    echo "== $label: serving the demo province =="
    settle
    start
    local province city county
    province=$(token sheng); city=$(token chengdu); county=$(token jinjiang)
    for path in "/api/v1/reports/progress?year=2016" "/api/v1/reports/progress?year=2016&region=510100" \
                "/reports/progress?year=2016&region=510104" "/api/v1/teachers?region=510104&page=40" \
                "/api/v1/integration/summary" "/api/v1/todo"; do
      TOKEN=$province python3 bench/latency.py "http://127.0.0.1:$port$path" 50 || true
    done
    TOKEN=$city python3 bench/latency.py "http://127.0.0.1:$port/api/v1/todo" 50 || true
    TOKEN=$county python3 bench/latency.py "http://127.0.0.1:$port/api/v1/todo" 50 || true
    TOKEN=$county python3 bench/latency.py "http://127.0.0.1:$port/api/v1/teachers?page=37" 50 || true
    kill $server; wait $server 2>/dev/null || true
  fi
  if part integration; then
    echo "== $label: a 200,000-entry qualified list, 锦江区's worklist, two cities approved =="
    local list="$OUT/qualified-200k-$label.csv"
    echo "序号,县(市、区),所在学校,教师姓名,身份证号码,联系电话" >"$list"
    sql "SELECT ROW_NUMBER() OVER (ORDER BY t.county_code = '510104' DESC, t.city_code = '510100' DESC, t.id),
           r.name, s.name, t.name, t.resident_id, COALESCE(t.mobile, '') FROM teachers t
         JOIN schools s ON s.id = t.school_id JOIN regions r ON r.code = t.county_code
         ORDER BY t.county_code = '510104' DESC, t.city_code = '510100' DESC, t.id LIMIT 200000" >>"$list"
    time_it env PEIXUN_DATA_DIR="$data" "$PEIXUN" import qualified "$list" --project 中国移动 --year 2017 --skip-invalid
    # Counties verify everything and submit; the cities submit (straight in the database: the bench times the approval).
    local now=0; [ -n "${DATABASE_URL:-}" ] && now="now()"
    sql "UPDATE integration_entries SET status = 'verified', certificate_no = 'YD-' || id;
      INSERT INTO submissions (workflow, subject_id, region_code, level, state, late, updated_at)
        SELECT DISTINCT 'integration', batch_id, county_code, 'county', 'submitted', false, $now FROM integration_entries
        WHERE city_code IN ('510100', '510300');
      INSERT INTO submissions (workflow, subject_id, region_code, level, state, late, updated_at)
        VALUES ('integration', 1, '510100', 'city', 'submitted', false, $now), ('integration', 1, '510300', 'city', 'submitted', false, $now);"
    settle
    start
    local province county
    province=$(token sheng); county=$(token jinjiang)
    echo "  锦江区: $(sql "SELECT COUNT(*) FROM integration_entries WHERE county_code = '510104'") entries"
    for path in "/api/v1/integration/1/entries" "/integration/1" "/integration"; do
      TOKEN=$county python3 bench/latency.py "http://127.0.0.1:$port$path" 20 || true
    done
    TOKEN=$province python3 bench/latency.py "http://127.0.0.1:$port/integration/1/overview" 20 || true
    for city in 510300 510100; do
      echo "  approve $city ($(sql "SELECT COUNT(*) FROM integration_entries WHERE city_code = '$city'") verified entries): $(curl -s -o /dev/null \
        -w "%{http_code} in %{time_total} s" -H "Authorization: Bearer $province" -H 'Content-Type: application/json' \
        -d "{\"city\":\"$city\"}" "http://127.0.0.1:$port/api/v1/integration/1/approve")"
    done
    kill $server; wait $server 2>/dev/null || true
  fi
  if part roster; then
    echo "== $label: first load of the province roster into an empty registry =="
    reset
    time_it env PEIXUN_DATA_DIR="$data" "$PEIXUN" import teachers "$roster" --create-schools
  fi
  rm -rf "$data"
}

on_databases "$0" "$@"
