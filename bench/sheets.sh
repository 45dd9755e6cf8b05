#!/usr/bin/env bash
# Reading a 737,686-row roster .xlsx (the whole province) with PeixunSheets, beside
# python-calamine and `unzip -p` (inflating alone, the floor), on the same file in the same run;
# then a full dry run + commit of it into an empty SQLite database, beside sqlite3 .import.
source "$(dirname "$0")/common.sh"
python3 -c "import python_calamine" 2>/dev/null || pip install -q python-calamine

roster="$OUT/roster-full.xlsx"
[ -f "$roster" ] || "$PEIXUN" demo-roster --scale full -o "$roster"
ls -l "$roster"

echo "== PeixunSheets: peixun inspect (parse every cell) =="
/usr/bin/time -f "%e s wall, %M KB peak" "$PEIXUN" inspect "$roster" 2>&1 | tail -n 3
echo "== reference: python-calamine =="
/usr/bin/time -f "%e s wall, %M KB peak" python3 -c "
import sys
from python_calamine import CalamineWorkbook
rows = CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python()
print(len(rows), 'rows', sum(1 for r in rows for c in r if c not in ('', None)), 'cells')
" "$roster"
echo "== floor: unzip -p (inflate only) =="
/usr/bin/time -f "%e s wall, %M KB peak" sh -c "unzip -p '$roster' xl/worksheets/sheet1.xml > /dev/null"
/usr/bin/time -f "%e s wall, %M KB peak (sharedStrings)" sh -c "unzip -p '$roster' xl/sharedStrings.xml > /dev/null"

data="$OUT/import-data"
fresh_database() {
  rm -rf "$data"
  PEIXUN_DATA_DIR="$data" "$PEIXUN" migrate --yes >/dev/null 2>&1
}
fresh_database
echo "== import: dry run (every check, no writes) =="
/usr/bin/time -f "%e s wall, %M KB peak" env PEIXUN_DATA_DIR="$data" "$PEIXUN" import teachers "$roster" --create-schools --dry-run 2>&1 | tail -n 2
# This machine's wall times vary by ±10 % between identical runs: the commit runs IMPORT_RUNS times.
runs=${IMPORT_RUNS:-5}
for run in $(seq "$runs"); do
  fresh_database
  echo "== import $run/$runs: checks + commit into an empty SQLite database (phases with LOG_LEVEL=debug) =="
  /usr/bin/time -f "%e s wall, %M KB peak" env LOG_LEVEL=debug PEIXUN_DATA_DIR="$data" "$PEIXUN" import teachers "$roster" --create-schools 2>&1 \
    | sed -n 's/.*teacher import[^:]*: \(.*\) \[database-id.*/  \1/p; /共/p; /wall/p' | tee "$OUT/import-run.txt"
  grep wall "$OUT/import-run.txt" >> "$OUT/import-runs.txt"
done
echo "== the $runs commits, sorted =="
sort -n "$OUT/import-runs.txt" && rm -f "$OUT/import-runs.txt" "$OUT/import-run.txt"
echo "== the same file again: nothing changes =="
/usr/bin/time -f "%e s wall, %M KB peak" env PEIXUN_DATA_DIR="$data" "$PEIXUN" import teachers "$roster" --create-schools 2>&1 | tail -n 2
echo "== reference: sqlite3 .import of the same rows as CSV =="
python3 -c "
import sys, csv
from python_calamine import CalamineWorkbook
rows = CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python()[1:]
csv.writer(open(sys.argv[2], 'w', newline='')).writerows(rows)
" "$roster" "$OUT/roster.csv"
rm -f "$OUT/reference-import.sqlite"
/usr/bin/time -f "%e s wall, %M KB peak" sqlite3 "$OUT/reference-import.sqlite" ".import --csv $OUT/roster.csv roster"
echo "reference rows: $(sqlite3 "$OUT/reference-import.sqlite" 'SELECT COUNT(*) FROM roster')"
rm -f "$OUT/roster.csv" "$OUT/reference-import.sqlite"
