#!/usr/bin/env bash
# Latency of GET /api/v1/reports/progress?year=2016 (median of 50 sequential requests on
# loopback) on the full demo province, beside the plain GROUP BY query through the sqlite3
# CLI on the same file; then the server's resident memory.
source "$(dirname "$0")/common.sh"

serve_demo 18080

echo "== peixun: JSON endpoint, 50 sequential requests (authenticated) =="
python3 bench/latency.py "http://127.0.0.1:$port/api/v1/reports/progress?year=2016" 50
python3 bench/latency.py "http://127.0.0.1:$port/api/v1/reports/progress?year=2016&region=510100" 50
python3 bench/latency.py "http://127.0.0.1:$port/reports/progress?year=2016&region=510104" 50

echo "== reference: plain GROUP BY through sqlite3 (hyperfine) =="
cat > "$OUT/plain.sql" <<'SQL'
SELECT c.city_code, c.kindergarten, c.primary_secondary, c.vocational, t.trained FROM
 (SELECT city_code,
         SUM(CASE WHEN stage='kindergarten' THEN teachers ELSE 0 END) AS kindergarten,
         SUM(CASE WHEN stage='primarySecondary' THEN teachers ELSE 0 END) AS primary_secondary,
         SUM(CASE WHEN stage='vocational' THEN teachers ELSE 0 END) AS vocational
  FROM official_counts WHERE school_year = 2015 GROUP BY city_code) c
LEFT JOIN
 (SELECT te.city_code, COUNT(DISTINCT te.id) AS trained
  FROM training_records r JOIN teachers te ON te.id = r.teacher_id
  WHERE r.result = 'passed' AND r.year <= 2016 GROUP BY te.city_code) t
ON t.city_code = c.city_code ORDER BY c.city_code;
SQL
hyperfine --warmup 2 --runs 20 --export-json "$OUT/plain.json" "sqlite3 $data/peixun.sqlite < $OUT/plain.sql" | grep -E "Time|Range"
hyperfine --warmup 2 --runs 20 "sqlite3 $data/peixun.sqlite 'SELECT 1'" | grep -E "Time" | sed 's/^/  (sqlite3 start-up alone) /'

echo "== server memory after serving the reports =="
grep -E "VmRSS|VmHWM" /proc/$server/status
