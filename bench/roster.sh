#!/usr/bin/env bash
# Issues 16.1 and 16.7: a province's roster (737,686 rows, `peixun demo-roster --scale full`)
# on SQLite and PostgreSQL in one run (release build):
#   1. the first load into an empty registry (`peixun import teachers --create-schools`)
#   2. the same file again into the registry it filled (every teacher 未变)
# each timed with /usr/bin/time -v (wall, peak RSS). ROSTER_DEBUG=1 adds the importer's phases
# (LOG_LEVEL=debug: its "teacher import" lines, and a "bulk load" line per index and key put back).
# PostgreSQL is a throw-away server (scripts/with-postgres.sh) with fsync on.
# Usage: bench/roster.sh [sqlite|postgres] (both when omitted). Figures: bench/README.md.
source "$(dirname "$0")/common.sh"

roster="$OUT/roster-full.xlsx"
[ -f "$roster" ] || "$PEIXUN" demo-roster --scale full -o "$roster" >/dev/null
timed() { # label, command…: one line with wall seconds and peak RSS, then the importer's summary
  local label=$1; shift
  /usr/bin/time -v "$@" > "$OUT/roster-cmd.log" 2> "$OUT/roster-time.log" || { tail -n 5 "$OUT/roster-cmd.log" "$OUT/roster-time.log"; return 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$OUT/roster-time.log")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$OUT/roster-time.log")
  echo "  $label: ${wall} s wall, ${rss} MB peak RSS"
  grep -E "共|未变|新增" "$OUT/roster-cmd.log" | tail -n 1 | sed 's/^/    /'
  grep -h -E "teacher import|bulk load" "$OUT/roster-cmd.log" "$OUT/roster-time.log" | sed -E 's/^.*(teacher import|bulk load)/    \1/; s/ \[database-id.*$//' || true
}

measure() { # label; DATABASE_URL set for PostgreSQL, unset for SQLite
  local label=$1 data="$OUT/roster-bench-$1"
  rm -rf "$data"
  if [ -n "${DATABASE_URL:-}" ]; then
    psql "$DATABASE_URL" -qc "DROP SCHEMA public CASCADE; CREATE SCHEMA public;" >/dev/null
  fi
  PEIXUN_DATA_DIR="$data" "$PEIXUN" migrate --yes >/dev/null 2>&1
  local level=info
  [ "${ROSTER_DEBUG:-0}" = 1 ] && level=debug
  echo "== $label =="
  timed "first load (737,686 rows into an empty registry)" env PEIXUN_DATA_DIR="$data" LOG_LEVEL=$level "$PEIXUN" import teachers "$roster" --create-schools
  timed "re-import (the same file, all 未变)" env PEIXUN_DATA_DIR="$data" LOG_LEVEL=$level "$PEIXUN" import teachers "$roster" --create-schools
  rm -rf "$data"
}

on_databases "$0" "$@"
