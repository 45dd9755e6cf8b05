#!/usr/bin/env bash
# `peixun demo --scale full` into an empty SQLite file: wall time, rows/s, peak RSS; beside
# sqlite3's own `.import` of the same rows as CSV (no validation, no indexes).
source "$(dirname "$0")/common.sh"

data="$OUT/demo-data"
rm -rf "$data"
echo "== peixun demo --scale full =="
PEIXUN_DATA_DIR="$data" /usr/bin/time -v "$PEIXUN" demo --scale full 2> "$OUT/demo-time.txt" | tail -n 1
grep -E "Elapsed \(wall|Maximum resident" "$OUT/demo-time.txt"
db="$data/peixun.sqlite"
rows=$(sqlite3 "$db" "SELECT (SELECT COUNT(*) FROM schools)+(SELECT COUNT(*) FROM teachers)+(SELECT COUNT(*) FROM training_records)+(SELECT COUNT(*) FROM projects)+(SELECT COUNT(*) FROM official_counts)")
echo "rows written: $rows"

echo "== reference: sqlite3 .import of the same tables as CSV =="
for table in schools teachers training_records projects official_counts; do
  sqlite3 -csv -header "$db" "SELECT * FROM $table" > "$OUT/$table.csv"
done
ref="$OUT/reference.sqlite"
rm -f "$ref"
/usr/bin/time -f "%e s wall, %M KB peak" sqlite3 "$ref" <<SQL
.mode csv
.import $OUT/schools.csv schools
.import $OUT/teachers.csv teachers
.import $OUT/training_records.csv training_records
.import $OUT/projects.csv projects
.import $OUT/official_counts.csv official_counts
SQL
echo "reference rows: $(sqlite3 "$ref" "SELECT (SELECT COUNT(*) FROM schools)+(SELECT COUNT(*) FROM teachers)+(SELECT COUNT(*) FROM training_records)+(SELECT COUNT(*) FROM projects)+(SELECT COUNT(*) FROM official_counts)")"
rm -f "$OUT"/*.csv "$ref"
