#!/usr/bin/env bash
# Login (bcrypt cost 12 verify) latency, and req/s of an authenticated
# GET /api/v1/reports/progress (wrk: 2 threads, 32 connections, 20 s) beside an
# unauthenticated static route in the same run, on the full demo province.
source "$(dirname "$0")/common.sh"

serve_demo 18082

echo "== login: POST /api/v1/session, 20 sequential =="
python3 - "$port" <<'PY'
import http.client, json, statistics, sys, time
port = int(sys.argv[1]); samples = []
for _ in range(20):
    c = http.client.HTTPConnection("127.0.0.1", port); started = time.perf_counter()
    c.request("POST", "/api/v1/session", json.dumps({"username": "sheng", "password": "Peixun2017demo"}), {"Content-Type": "application/json"})
    r = c.getresponse(); body = r.read(); samples.append((time.perf_counter() - started) * 1000)
    assert r.status == 200, body
print(f"login median {statistics.median(samples):.1f} ms, min {min(samples):.1f} ms, max {max(samples):.1f} ms")
PY

echo "== wrk: authenticated report (province) =="
wrk -t2 -c32 -d20s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port/api/v1/reports/progress?year=2016" | grep -E "Requests/sec|Latency|requests in|Non-2xx"
echo "== wrk: unauthenticated static route /css/app.css =="
wrk -t2 -c32 -d20s "http://127.0.0.1:$port/css/app.css" | grep -E "Requests/sec|Latency|requests in|Non-2xx"
echo "== wrk: unauthenticated /healthz =="
wrk -t2 -c32 -d20s "http://127.0.0.1:$port/healthz" | grep -E "Requests/sec|Latency|requests in|Non-2xx"
# The reference: Vapor's template app with one route (bench/hello), built once in release.
hello=bench/hello/.build/release/Hello
[ -x "$hello" ] || (cd bench/hello && swift build -c release)
PORT=$((port + 1)) "$hello" >/dev/null 2>&1 &
hello_pid=$!
trap 'kill $server $hello_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$((port + 1))/hello" >/dev/null && break; sleep 0.2; done
echo "== wrk: reference, a bare Vapor hello-world route =="
wrk -t2 -c32 -d20s "http://127.0.0.1:$((port + 1))/hello" | grep -E "Requests/sec|Latency|requests in|Non-2xx"
echo "== wrk: /healthz again (same run, after the reference) =="
wrk -t2 -c32 -d20s "http://127.0.0.1:$port/healthz" | grep -E "Requests/sec|Latency|requests in|Non-2xx"
grep -E "VmRSS|VmHWM" /proc/$server/status
