#!/usr/bin/env bash
# Issue 5 targets on the full demo province: importing a 200,000-entry qualified list (≥ 50,000 rows/s),
# a county's page with ~5,000 entries (≤ 100 ms), approving a city with ~20,000 verified entries (≤ 5 s).
source "$(dirname "$0")/common.sh"
data="$OUT/integration-data"
rm -rf "$data"
mkdir -p "$data"
cp "$OUT/demo-data/peixun.sqlite" "$data/" 2>/dev/null || PEIXUN_DATA_DIR="$data" "$PEIXUN" demo --scale full >/dev/null
PEIXUN_DATA_DIR="$data" "$PEIXUN" demo --scale full --if-empty >/dev/null
list="$OUT/qualified-200k.csv"
python3 - "$data/peixun.sqlite" "$list" <<'PY'
import csv, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("""
  SELECT r.name, t.name, t.resident_id, t.mobile, s.name FROM teachers t
  JOIN schools s ON s.id = t.school_id JOIN regions r ON r.code = t.county_code
  ORDER BY t.county_code = '510104' DESC, t.city_code = '510100' DESC, t.id LIMIT 200000""").fetchall()
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["序号", "县(市、区)", "所在学校", "教师姓名", "身份证号码", "联系电话"])
    for i, (county, name, rid, mobile, school) in enumerate(rows, 1):
        w.writerow([i, county, school, name, rid, mobile or ""])
PY
echo "== import a 200,000-entry qualified list =="
/usr/bin/time -f "%e s wall, %M KB peak" env PEIXUN_DATA_DIR="$data" "$PEIXUN" import qualified "$list" --project 中国移动 --year 2017 --skip-invalid 2>&1 | tail -n 2
sqlite3 "$data/peixun.sqlite" "SELECT county_code, COUNT(*) FROM integration_entries GROUP BY county_code ORDER BY 2 DESC LIMIT 1;"
# Counties verify everything and submit; the city submits (straight in the database: the bench times the approval).
sqlite3 "$data/peixun.sqlite" "
  UPDATE integration_entries SET status = 'verified', certificate_no = 'YD-' || id;
  INSERT INTO submissions (workflow, subject_id, region_code, level, state, late, updated_at)
    SELECT DISTINCT 'integration', batch_id, county_code, 'county', 'submitted', 0, 0 FROM integration_entries WHERE city_code IN ('510100', '510300');
  INSERT INTO submissions (workflow, subject_id, region_code, level, state, late, updated_at)
    VALUES ('integration', 1, '510100', 'city', 'submitted', 0, 0), ('integration', 1, '510300', 'city', 'submitted', 0, 0);"
for city in 510300 510100; do
  echo "verified entries in $city: $(sqlite3 "$data/peixun.sqlite" "SELECT COUNT(*) FROM integration_entries WHERE city_code = '$city'")"
done
PEIXUN_DATA_DIR="$data" PEIXUN_PORT=18090 LOG_LEVEL=warning "$PEIXUN" serve --env production > "$OUT/serve-18090.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf http://127.0.0.1:18090/healthz >/dev/null && break; sleep 0.2; done
token() { curl -s -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"Peixun2017demo\"}" http://127.0.0.1:18090/api/v1/session | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'; }
county=$(token jinjiang)
echo "== 锦江区's page ($(sqlite3 "$data/peixun.sqlite" "SELECT COUNT(*) FROM integration_entries WHERE county_code = '510104'") entries) =="
TOKEN=$county python3 bench/latency.py "http://127.0.0.1:18090/api/v1/integration/1/entries" 20
TOKEN=$county python3 bench/latency.py "http://127.0.0.1:18090/integration/1" 20
TOKEN=$county python3 bench/latency.py "http://127.0.0.1:18090/integration/1?q=%E5%BC%A0" 20
TOKEN=$county python3 bench/latency.py "http://127.0.0.1:18090/api/v1/integration/1/entries?perPage=5000" 20
province=$(token sheng)
city=$(token chengdu)
echo "== dashboards and overviews =="
TOKEN=$county python3 bench/latency.py "http://127.0.0.1:18090/integration" 20
TOKEN=$city python3 bench/latency.py "http://127.0.0.1:18090/integration/1/overview" 20
TOKEN=$province python3 bench/latency.py "http://127.0.0.1:18090/integration/1/overview" 20
TOKEN=$province python3 bench/latency.py "http://127.0.0.1:18090/integration" 20
for city in 510300 510100; do
  echo "== approve $city =="
  curl -s -o /dev/null -w "%{http_code} in %{time_total}s\n" -H "Authorization: Bearer $province" -H 'Content-Type: application/json' \
    -d "{\"city\":\"$city\"}" http://127.0.0.1:18090/api/v1/integration/1/approve
done
for city in 510300 510100; do
  echo "== reopen $city (withdraws the records the approval created) =="
  curl -s -o /dev/null -w "%{http_code} in %{time_total}s\n" -H "Authorization: Bearer $province" -H 'Content-Type: application/json' \
    -d "{\"city\":\"$city\"}" http://127.0.0.1:18090/api/v1/integration/1/reopen
done
echo "records of the project in 2017: $(sqlite3 "$data/peixun.sqlite" "SELECT COUNT(*) FROM training_records r JOIN projects p ON p.id = r.project_id WHERE p.name = '中国移动中小学教师信息技术能力培训' AND r.year = 2017")"
