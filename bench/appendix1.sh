#!/usr/bin/env bash
# Issue 15, Appendix 1 on the approval engine, on the full demo province: the province approves
# 成都市's 2016 Appendix 1 (its 20 counties and the city submitted beforehand, as the engine
# writes them), which keeps the city's table cell by cell; then reopens it; ten times each,
# timed per request. Also the approval page of the province and of 成都市, the approved
# table's page and its .xlsx; median of 50 sequential requests (bench/latency.py).
source "$(dirname "$0")/common.sh"

port=18096
data="$OUT/demo-data"
serve_demo $port
kill $server; wait $server 2>/dev/null || true
sqlite3 "$data/peixun.sqlite" <<'SQL'
DELETE FROM submissions WHERE workflow = 'completion' AND subject_id = 2016;
DELETE FROM frozen_tables WHERE kind = 'progress';
INSERT INTO submissions (workflow, subject_id, region_code, level, state, submitted_at, late, updated_by, updated_at)
SELECT 'completion', 2016, code, CASE WHEN code = '510100' THEN 'city' ELSE 'county' END, 'submitted',
       '2016-12-20 10:00:00', 0, 'bench', '2016-12-20 10:00:00'
FROM regions WHERE code = '510100' OR parent_code = '510100';
SQL
serve_demo $port
base="http://127.0.0.1:$port"
echo "== province approves and reopens 成都市's 2016 Appendix 1 (approve keeps the table) =="
python3 - "$base" <<'PY'
import http.client, json, os, statistics, sys, time, urllib.parse
parts = urllib.parse.urlsplit(sys.argv[1])
connection = http.client.HTTPConnection(parts.hostname, parts.port)
headers = {"Authorization": "Bearer " + os.environ["TOKEN"], "Content-Type": "application/json"}
times = {"approve": [], "reopen": []}
for _ in range(10):
    for step in ("approve", "reopen"):
        started = time.perf_counter()
        connection.request("POST", f"/api/v1/reports/progress/approval/{step}", body=json.dumps({"year": 2016, "region": "510100"}), headers=headers)
        response = connection.getresponse(); body = response.read()
        times[step].append((time.perf_counter() - started) * 1000)
        assert response.status == 200, (step, response.status, body[:300])
for step, samples in times.items():
    samples.sort()
    print(f"{step}: median {statistics.median(samples):.2f} ms, min {samples[0]:.2f} ms, max {samples[-1]:.2f} ms")
connection.request("POST", "/api/v1/reports/progress/approval/approve", body=json.dumps({"year": 2016, "region": "510100"}), headers=headers)
connection.getresponse().read()
PY
id=$(sqlite3 "$data/peixun.sqlite" "SELECT MAX(id) FROM frozen_tables WHERE kind = 'progress' AND reopened_at IS NULL")
python3 bench/latency.py "$base/reports/progress/approval?year=2016" 50
python3 bench/latency.py "$base/api/v1/reports/progress/approval?year=2016&region=510100" 50
python3 bench/latency.py "$base/frozen/$id" 50
python3 bench/latency.py "$base/frozen/$id/xlsx" 50
python3 bench/latency.py "$base/reports/progress?year=2016" 50
python3 bench/latency.py "$base/reports/progress?year=2016&format=xlsx" 50
