#!/usr/bin/env bash
# Issue 15 on the full demo province: the province-wide Appendix 3 (183 counties, every one
# with a plan) as a page, as JSON and as .xlsx, and the province's dashboard (page and JSON);
# median of 50 sequential requests over loopback (bench/latency.py, bearer token of `sheng`).
# Targets: Appendix 3 page ≤ 100 ms, .xlsx ≤ 300 ms, dashboard ≤ 100 ms.
source "$(dirname "$0")/common.sh"

port=18095
data="$OUT/demo-data"
[ -f "$data/peixun.sqlite" ] || PEIXUN_DATA_DIR="$data" "$PEIXUN" demo --scale full >/dev/null
# Start once so that migrations (plans, frozen_tables) exist, then give every county a plan.
serve_demo $port
kill $server; wait $server 2>/dev/null || true
sqlite3 "$data/peixun.sqlite" <<'SQL'
DELETE FROM plans WHERE year = 2017;
INSERT INTO plans (year, county_code, city_code, provincial_demand, local_plan, uses_provincial_platform, remarks, updated_by, updated_at)
SELECT 2017, code, parent_code, 100 + length(name), 400 + length(name) * 3, 1, '', 'bench', '2017-03-20 10:00:00'
FROM regions WHERE level = 'county';
SQL
echo "plans for 2017: $(sqlite3 "$data/peixun.sqlite" 'SELECT COUNT(*) FROM plans WHERE year = 2017') counties"
serve_demo $port

base="http://127.0.0.1:$port"
echo "== Appendix 3, province-wide (targets: page ≤ 100 ms, .xlsx ≤ 300 ms) =="
python3 bench/latency.py "$base/plans?year=2017" 50
python3 bench/latency.py "$base/api/v1/plans?year=2017" 50
python3 bench/latency.py "$base/plans/export?year=2017" 50
python3 bench/latency.py "$base/plans?year=2017&region=510100" 50
echo "== dashboard, province (target ≤ 100 ms) =="
python3 bench/latency.py "$base/dashboard" 50
python3 bench/latency.py "$base/api/v1/dashboard?year=2017" 50
python3 bench/latency.py "$base/dashboard?year=2016&region=510100" 50
python3 bench/latency.py "$base/dashboard?year=2016&region=510104" 50
echo "== server memory =="
grep -E "VmRSS|VmHWM" /proc/$server/status
