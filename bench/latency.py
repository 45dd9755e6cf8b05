"""Sequential GET requests over one keep-alive connection; prints median/p90/min/max in ms.
A bearer token in $TOKEN is sent with every request."""
import http.client, os, statistics, sys, time, urllib.parse

url, count = sys.argv[1], int(sys.argv[2])
parts = urllib.parse.urlsplit(url)
connection = http.client.HTTPConnection(parts.hostname, parts.port)
path = parts.path + ("?" + parts.query if parts.query else "")
headers = {"Authorization": "Bearer " + os.environ["TOKEN"]} if os.environ.get("TOKEN") else {}
connection.request("GET", path, headers=headers); connection.getresponse().read()  # warm-up
samples = []
for _ in range(count):
    started = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse(); body = response.read()
    samples.append((time.perf_counter() - started) * 1000)
    assert response.status == 200, (response.status, body[:200])
samples.sort()
print(f"{path}: median {statistics.median(samples):.2f} ms, p90 {samples[int(len(samples)*0.9)-1]:.2f} ms, "
      f"min {samples[0]:.2f} ms, max {samples[-1]:.2f} ms, {len(body)} bytes")
