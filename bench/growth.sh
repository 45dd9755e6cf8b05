#!/usr/bin/env bash
# Issue 16.7: how costs grow with the size of the database, on PostgreSQL (release build).
# For each scale N (N × Sichuan: `peixun demo --scale N`, 全国 above Sichuan and N − 1
# synthetic provinces) into an empty database:
#   1. the demo load: wall time, peak RSS (/usr/bin/time -v), database size
#   2. served: the national report (account on 全国), the province report (四川省's account),
#      a county registry page and a county's integration worklist (锦江区), medians of 20
#   3. EXPLAIN ANALYZE of the national report's two queries (official counts, county rollup)
#   4. a city approval: a 200,000-entry qualified list of Sichuan imported, counties verify,
#      the province approves 自贡市 (≈ 20,000 entries), as bench/integration.sh does on SQLite
#   5. a roster import of one province: Sichuan's 737,686-row roster (`peixun demo-roster`)
#      again into the database of N provinces (every teacher 未变), wall and peak RSS
# Usage: bench/growth.sh [N ...]  (default: 1 5 25). GROWTH_PARTS=load,serve skips 4 and 5.
# PostgreSQL is a throw-away server (scripts/with-postgres.sh) with fsync on; figures: bench/README.md.
source "$(dirname "$0")/common.sh"

if [ "${1:-}" != "--inner" ]; then
  df -h "${TMPDIR:-/tmp}" | tail -n 1
  PEIXUN_PG_DURABLE=1 exec scripts/with-postgres.sh bash "$0" --inner "${@:-1 5 25}"
fi
shift
parts=${GROWTH_PARTS:-load,serve,approve,roster}
roster="$OUT/roster-full.xlsx"
[[ $parts != *roster* ]] || [ -f "$roster" ] || "$PEIXUN" demo-roster --scale full -o "$roster" >/dev/null
data="$OUT/growth-data"
sql() { psql "$DATABASE_URL" -qtAX -c "SET client_min_messages = warning; $1"; }
timed() { # label, command…: one line with wall seconds and peak RSS
  local label=$1; shift
  /usr/bin/time -v "$@" > "$OUT/growth-cmd.log" 2> "$OUT/growth-time.log" || { tail -n 5 "$OUT/growth-cmd.log" "$OUT/growth-time.log"; return 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$OUT/growth-time.log")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$OUT/growth-time.log")
  echo "  $label: ${wall} s wall, ${rss} MB peak RSS"
}

for n in $@; do
  echo "=== scale $n ==="
  rm -rf "$data"
  sql "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
  PEIXUN_DATA_DIR="$data" "$PEIXUN" migrate --yes >/dev/null 2>&1
  timed "demo --scale $n" env PEIXUN_DATA_DIR="$data" "$PEIXUN" demo --scale "$n"
  grep -E "已载入" "$OUT/growth-cmd.log" | sed 's/^/  /'
  echo "  database: $(sql "SELECT pg_size_pretty(pg_database_size(current_database()))"), teachers $(sql "SELECT COUNT(*) FROM teachers"), county rollup rows $(sql "SELECT COUNT(*) FROM progress_county_rollups")"

  if [[ $parts == *approve* ]]; then
    list="$OUT/growth-qualified.csv"
    psql "$DATABASE_URL" -qtAX -c "COPY (SELECT ROW_NUMBER() OVER (ORDER BY t.county_code = '510104' DESC, t.city_code = '510100' DESC, t.id), r.name, s.name, t.name, t.resident_id, COALESCE(t.mobile, '')
        FROM teachers t JOIN schools s ON s.id = t.school_id JOIN regions r ON r.code = t.county_code
        WHERE t.city_code LIKE '51%' ORDER BY t.county_code = '510104' DESC, t.city_code = '510100' DESC, t.id LIMIT 200000) TO STDOUT WITH CSV" \
      | { echo "序号,县(市、区),所在学校,教师姓名,身份证号码,联系电话"; cat; } > "$list"
    timed "import a 200,000-entry qualified list" env PEIXUN_DATA_DIR="$data" "$PEIXUN" import qualified "$list" --project 中国移动 --year 2017 --skip-invalid
    sql "UPDATE integration_entries SET status = 'verified', certificate_no = 'YD-' || id;
      INSERT INTO submissions (workflow, subject_id, region_code, level, state, late, updated_at)
        SELECT DISTINCT 'integration', batch_id, county_code, 'county', 'submitted', false, now() FROM integration_entries WHERE city_code = '510300';
      INSERT INTO submissions (workflow, subject_id, region_code, level, state, late, updated_at) VALUES ('integration', 1, '510300', 'city', 'submitted', false, now());"
  fi

  port=$((18000 + RANDOM % 1000))
  PEIXUN_DATA_DIR="$data" PEIXUN_PORT=$port LOG_LEVEL=warning "$PEIXUN" serve --env production > "$OUT/growth-serve.log" 2>&1 &
  server=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  token() { curl -s -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"Peixun2017demo\"}" \
    "http://127.0.0.1:$port/api/v1/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'; }
  province=$(token sheng)
  county=$(token jinjiang)
  if [ "$n" -gt 1 ]; then
    echo "  national report (quanguo, $n provinces):"
    TOKEN=$(token quanguo) python3 bench/latency.py "http://127.0.0.1:$port/api/v1/reports/progress?year=2016" 20 | sed 's/^/    /'
  fi
  echo "  province report (sheng), county registry page, county worklist:"
  for path in "/api/v1/reports/progress?year=2016" "/api/v1/reports/progress?year=2016&region=510100"; do
    TOKEN=$province python3 bench/latency.py "http://127.0.0.1:$port$path" 20 | sed 's/^/    /'
  done
  TOKEN=$county python3 bench/latency.py "http://127.0.0.1:$port/api/v1/teachers?region=510104&page=40" 20 | sed 's/^/    /'
  if [[ $parts == *approve* ]]; then
    TOKEN=$county python3 bench/latency.py "http://127.0.0.1:$port/api/v1/integration/1/entries" 20 | sed 's/^/    /'
    TOKEN=$county python3 bench/latency.py "http://127.0.0.1:$port/integration/1" 20 | sed 's/^/    /'
    echo "  approve 自贡市 ($(sql "SELECT COUNT(*) FROM integration_entries WHERE city_code = '510300'") entries): $(curl -s -o /dev/null -w "%{http_code} in %{time_total} s" \
      -H "Authorization: Bearer $province" -H 'Content-Type: application/json' -d '{"city":"510300"}' "http://127.0.0.1:$port/api/v1/integration/1/approve")"
  fi
  kill $server; wait $server 2>/dev/null || true

  echo "  plans of the national report's queries:"
  psql "$DATABASE_URL" -qtAX -c "EXPLAIN (ANALYZE, COSTS OFF) SELECT city_code, stage, CAST(SUM(teachers) AS BIGINT) FROM official_counts WHERE school_year = 2015 GROUP BY city_code, stage" | sed 's/^/    /'
  psql "$DATABASE_URL" -qtAX -c "EXPLAIN (ANALYZE, COSTS OFF) SELECT city_code, CAST(SUM(teachers) AS BIGINT) FROM progress_county_rollups WHERE first_passed_year >= 1 AND first_passed_year <= 2016 GROUP BY city_code" | sed 's/^/    /'

  if [[ $parts == *roster* ]]; then
    timed "roster import of one province (Sichuan, 737,686 rows, into $n provinces)" \
      env PEIXUN_DATA_DIR="$data" "$PEIXUN" import teachers "$roster" --create-schools
    grep -E "共|未变|新增" "$OUT/growth-cmd.log" | tail -n 2 | sed 's/^/  /'
  fi
done
sql "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
rm -rf "$data"
