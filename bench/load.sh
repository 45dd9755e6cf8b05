#!/usr/bin/env bash
# Issue 16.5: 200 concurrent clients for 60 s through nginx against two instances on the full
# demo province in PostgreSQL (scripts/cluster.sh), with a realistic mix, while one import runs:
#   45 % teachers checking their records      GET /api/v1/me/training
#   25 % counties paging the registry         GET /api/v1/teachers?page=N, GET /teachers?page=N
#   20 % cities opening reports               GET /api/v1/reports/progress?region=510100, the HTML report
#   10 % the province                         GET /api/v1/reports/progress, GET /api/v1/todo
#   and all along: the small demo roster (about 1 % of the province) checked again and again (dry-run import API)
# Prints wrk's figures (requests, errors, latency percentiles) and the import loop's.
# Usage: bench/load.sh [seconds] [connections]   (defaults 60 and 200)
source "$(dirname "$0")/common.sh"
seconds=${1:-60}
connections=${2:-200}
export PEIXUN_CLUSTER_DIR="$PWD/$OUT/cluster" PEIXUN_CLUSTER_PORT=18180 PEIXUN_CLUSTER_DEMO=full PEIXUN_BIN="$PWD/$PEIXUN"
url="http://127.0.0.1:$PEIXUN_CLUSTER_PORT"
scripts/cluster.sh up | grep -vE "^\s+\S+\s+\S+　" || true
trap 'kill $importer 2>/dev/null || true; scripts/cluster.sh down' EXIT

token() {
  curl -s -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"Peixun2017demo\"}" "$url/api/v1/session" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
teacher=$(sed -n 's/^ *\([0-9X]\{18\}\) .*参训教师.*/\1/p' "$PEIXUN_CLUSTER_DIR/demo.log" | head -n 1)
province=$(token sheng); city=$(token chengdu); county=$(token jinjiang); own=$(token "$teacher")

cat > "$OUT/load.lua" <<LUA
local mix = {
  {45, "$own", {"/api/v1/me/training"}},
  {25, "$county", {"/api/v1/teachers?page=%d", "/teachers?page=%d"}},
  {20, "$city", {"/api/v1/reports/progress?year=2016&region=510100", "/reports/progress?year=2016&region=510100"}},
  {10, "$province", {"/api/v1/reports/progress?year=2016", "/api/v1/todo"}},
}
math.randomseed(os.time())
request = function()
  local roll = math.random(100)
  for _, entry in ipairs(mix) do
    if roll <= entry[1] then
      local path = entry[3][math.random(#entry[3])]
      path = string.format(path, math.random(160))
      return wrk.format("GET", path, {["Authorization"] = "Bearer " .. entry[2]})
    end
    roll = roll - entry[1]
  end
end
LUA

roster="$OUT/roster-small.xlsx"
[ -f "$roster" ] || "$PEIXUN" demo-roster --scale small -o "$roster"
: > "$OUT/load-imports.txt"
( while true; do
    curl -s -o /dev/null -w "%{http_code} %{time_total}\n" -H "Authorization: Bearer $province" \
      -H "X-File-Name: roster-small.xlsx" --data-binary "@$roster" \
      "$url/api/v1/teachers/import?dryRun=true" >> "$OUT/load-imports.txt"
  done ) &
importer=$!

echo "== wrk -t2 -c$connections -d${seconds}s through nginx, two instances, PostgreSQL, full province =="
wrk -t2 -c"$connections" -d"${seconds}s" --timeout 10s --latency -s "$OUT/load.lua" "$url/" \
  | grep -E "Requests/sec|Latency|requests in|Non-2xx|Socket errors|50%|75%|90%|99%"
kill $importer 2>/dev/null || true
echo "== the import running beside it =="
python3 - "$OUT/load-imports.txt" <<'PY'
import sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
ok = [float(t) for code, t in rows if code == "200"]
print(f"{len(rows)} dry-run imports of roster-small.xlsx: {len(ok)} answered 200, {len(rows) - len(ok)} other;",
      f"median {sorted(ok)[len(ok)//2]:.2f} s" if ok else "")
PY
echo "== instances' errors in their logs =="
grep -ciE "\[ (error|critical) \]" "$PEIXUN_CLUSTER_DIR"/instance-*.log || true
