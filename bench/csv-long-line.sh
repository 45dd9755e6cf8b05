#!/usr/bin/env bash
# Issue 12: a CSV whose data is one long line without a line break (60 MB) must be refused or
# read in ≤ 3 s and ≤ 300 MB. Five shapes of the line — one huge cell (UTF-8 and GB18030), a
# quoted field that never closes, millions of short cells, and 2,000 cells of 30,000 characters
# (within Excel's limits: read, not refused) — each timed with `peixun inspect`; the first and
# the last also with a dry-run import (where a 2 MB cell used to take a minute in the row checks).
#   bench/csv-long-line.sh [MB, default 60]
source "$(dirname "$0")/common.sh"
megabytes="${1:-60}"
header='县(市、区),所在学校,学段,教师姓名,身份证号码'
python3 - "$OUT" "$megabytes" "$header" <<'PY'
import sys
out, size, header = sys.argv[1], int(sys.argv[2]) << 20, sys.argv[3]
cell = "x" * 30_000
shapes = {
    "one-cell": ("锦江区实验小学" * (size // 21), "utf-8"),
    "one-cell-gb18030": ("锦江区实验小学" * (size // 14), "gb18030"),
    "open-quote": ('锦江区,"' + "a,b," * (size // 4), "utf-8"),
    "many-cells": ("锦江区," * (size // 10), "utf-8"),
    "wide-cells": (",".join([cell] * (size // 30_001)), "utf-8"),
}
for name, (line, encoding) in shapes.items():
    with open(f"{out}/long-line-{name}.csv", "w", encoding=encoding) as f:
        f.write(header + "\n" + line)
PY
for shape in one-cell one-cell-gb18030 open-quote many-cells wide-cells; do
  file="$OUT/long-line-$shape.csv"
  echo "== peixun inspect $(basename "$file") ($(du -m "$file" | cut -f1) MB, one line) =="
  /usr/bin/time -f "%e s wall, %M KB peak" "$PEIXUN" inspect "$file" 2>&1 | tail -n 3 || true
done
data="$OUT/long-line-data"
rm -rf "$data"
PEIXUN_DATA_DIR="$data" "$PEIXUN" migrate --yes >/dev/null 2>&1
for shape in one-cell wide-cells; do
  echo "== peixun import teachers --dry-run long-line-$shape.csv =="
  PEIXUN_DATA_DIR="$data" /usr/bin/time -f "%e s wall, %M KB peak" "$PEIXUN" import teachers "$OUT/long-line-$shape.csv" --dry-run 2>&1 | tail -n 3 || true
done
