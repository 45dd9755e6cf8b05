#!/usr/bin/env bash
# Issue 16.3: the province-wide registry export (737,686 teachers of the full demo) as a
# background job, on SQLite and on PostgreSQL (release build): the time from the request to the
# finished file, progress as it goes, the server's peak memory (`/usr/bin/time -v` around
# `peixun serve`: the whole process, serving included), and the file checked (rows in the
# sheet; with EXPORT_SOFFICE=1 also converted by LibreOffice and a few Chinese cells read).
# Reference in the same run: the same rows through `sqlite3 -csv` / `psql \copy`, and written
# to an .xlsx by openpyxl's write-only mode (python3-openpyxl).
#   bench/export.sh [sqlite|postgres|both]      PEIXUN=path/to/peixun (default the release build)
source "$(dirname "$0")/common.sh"
WHICH=${1:-both}
if [ "$WHICH" = both ]; then
  "$0" sqlite
  exec env PEIXUN_PG_DURABLE=1 scripts/with-postgres.sh "$0" postgres
fi
if [ "$WHICH" = postgres ] && [ -z "${DATABASE_URL:-}" ]; then exec env PEIXUN_PG_DURABLE=1 scripts/with-postgres.sh "$0" postgres; fi
[ "$WHICH" = sqlite ] && unset DATABASE_URL
PY=/usr/bin/python3   # Debian's, where python3-openpyxl is installed
REF_SQL="SELECT t.county_code, s.name AS school, t.stage, t.name, t.resident_id, t.mobile, t.first_passed_year,
  CASE WHEN t.first_passed_year IS NULL AND EXISTS (SELECT 1 FROM training_records r WHERE r.teacher_id = t.id AND r.result = 'failed')
  THEN 1 ELSE 0 END AS failed FROM teachers t JOIN schools s ON s.id = t.school_id ORDER BY t.county_code, s.name, t.name, t.id"

data="$OUT/export-$WHICH"
if [ "$WHICH" = sqlite ]; then
  [ -f "$OUT/demo-data/peixun.sqlite" ] || PEIXUN_DATA_DIR="$OUT/demo-data" "$PEIXUN" demo --scale full >/dev/null
  rm -rf "$data"; cp -r "$OUT/demo-data" "$data"
else
  rm -rf "$data"; mkdir -p "$data"
  PEIXUN_DATA_DIR="$data" "$PEIXUN" migrate --yes >/dev/null 2>&1
  echo "== postgres: loading the demo province =="
  /usr/bin/time -f "    %e s wall, %M KB peak" env PEIXUN_DATA_DIR="$data" "$PEIXUN" demo --scale full 2>&1 | tail -n 1
fi
PEIXUN_DATA_DIR="$data" "$PEIXUN" migrate --yes >/dev/null 2>&1
PEIXUN_DATA_DIR="$data" "$PEIXUN" demo --scale full --if-empty >/dev/null   # demo users

port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PEIXUN_DATA_DIR="$data" PEIXUN_PORT=$port LOG_LEVEL=warning /usr/bin/time -v -o "$OUT/export-$WHICH-time.txt" \
  "$PEIXUN" serve --env production >"$OUT/export-$WHICH-serve.log" 2>&1 &
timer=$!
trap 'kill $timer 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
server=$(pgrep -P $timer)
[ -n "$server" ] || { echo "peixun serve did not start: $OUT/export-$WHICH-serve.log" >&2; exit 1; }
TOKEN=$(curl -s -H 'Content-Type: application/json' -d '{"username":"sheng","password":"Peixun2017demo"}' \
  "http://127.0.0.1:$port/api/v1/session" | $PY -c 'import json,sys; print(json.load(sys.stdin)["token"])')
auth=(-H "Authorization: Bearer $TOKEN")
field() { $PY -c "import json,sys; d=json.load(sys.stdin); print(d.get('$1'))"; }

for format in xlsx csv; do
  echo "== $WHICH: province registry as $format, a background job =="
  grep -E "VmHWM" /proc/$server/status | sed 's/^/    before: /'
  start=$(date +%s.%N)
  id=$(curl -s "${auth[@]}" "http://127.0.0.1:$port/teachers/export?format=$format" | field id)
  last=0
  while :; do
    job=$(curl -s "${auth[@]}" "http://127.0.0.1:$port/api/v1/jobs/$id")
    state=$(echo "$job" | field state)
    [ "$state" = done ] || [ "$state" = failed ] && break
    now=$(date +%s)
    if [ $((now - last)) -ge 5 ]; then
      echo "$job" | $PY -c "import json,sys; d=json.load(sys.stdin); print('    %5.1f %%  %s' % ((d.get('fraction') or 0) * 100, d['phase']))"
      last=$now
    fi
    sleep 0.2
  done
  done_at=$(date +%s.%N)
  [ "$state" = done ] || { echo "    failed: $(echo "$job" | field error)"; exit 1; }
  file="$OUT/export-$WHICH.$format"
  curl -s "${auth[@]}" -o "$file" "http://127.0.0.1:$port/jobs/$id/file"
  $PY -c "print('    job: %.1f s from the request to the finished file; %.0f MB' % ($done_at - $start, $(stat -c %s "$file") / 1e6))"
  grep -E "VmHWM|VmRSS" /proc/$server/status | sed 's/^/    after:  /'
  if [ "$format" = xlsx ]; then
    echo "    rows in the sheet (title and header included): $(unzip -p "$file" xl/worksheets/sheet1.xml | grep -o '<row ' | wc -l)"
    if [ "${EXPORT_SOFFICE:-0}" = 1 ]; then
      rm -rf "$OUT/lo"; mkdir -p "$OUT/lo"
      /usr/bin/time -f "    LibreOffice convert-to csv: %e s, %M KB peak" soffice "-env:UserInstallation=file://$PWD/$OUT/lo/profile" --headless \
        --convert-to "csv:Text - txt - csv (StarCalc):44,34,76,1" --outdir "$OUT/lo" "$file" >/dev/null 2>"$OUT/lo/time.txt" || true
      tail -n 1 "$OUT/lo/time.txt"
      csv="$OUT/lo/$(basename "${file%.xlsx}").csv"
      echo "    LibreOffice reads $(wc -l < "$csv") lines; lines 1-3 and the last:"
      { sed -n 1,3p "$csv"; tail -n 1 "$csv"; } | cut -c1-150 | sed 's/^/      /'
    fi
  else
    echo "    lines in the CSV (header included): $(wc -l < "$file")"
  fi
done
kill -INT $server; wait $timer 2>/dev/null || true
grep -E "Maximum resident|Elapsed" "$OUT/export-$WHICH-time.txt" | sed 's/^\s*/    serve process: /'

echo "== reference: the same rows (unmasked, unformatted) through the database's own client =="
ref="$OUT/export-$WHICH-reference.csv"
if [ "$WHICH" = sqlite ]; then
  /usr/bin/time -f "    sqlite3 -csv: %e s, %M KB peak" sqlite3 -csv "$data/peixun.sqlite" "$REF_SQL" > "$ref"
else
  /usr/bin/time -f "    psql copy: %e s, %M KB peak" psql -qX "$DATABASE_URL" -c "\\copy ($REF_SQL) to '$ref' csv"
fi
echo "    $(wc -l < "$ref") lines"
if $PY -c "import openpyxl" 2>/dev/null; then
  /usr/bin/time -f "    openpyxl write-only .xlsx of those rows: %e s, %M KB peak" $PY - "$ref" "$OUT/export-$WHICH-reference.xlsx" <<'PY'
import csv, sys
from openpyxl import Workbook
book = Workbook(write_only=True)
sheet = book.create_sheet("教师名册")
sheet.append(["教师名册"])
sheet.append(["县(市、区)", "所在学校", "学段", "教师姓名", "身份证号码", "联系电话", "首次合格年度", "不合格"])
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    for row in csv.reader(f):
        sheet.append(row)
book.save(sys.argv[2])
PY
fi
rm -rf "$data"
