#!/usr/bin/env bash
# Crash safety (issue 16, item 4), by hand, not in CI: `kill -9` of peixun at random moments
#   - during the first import of a province roster (737,686 rows, `peixun import teachers`),
#   - during the province's approval of 成都市 (a cooperation project's list, over HTTP),
#   - during a demo load (`peixun demo --scale full`),
# until N kills landed mid-way (default 10; at most 2N runs: a run that finished before its random
# moment counts as a run, not a kill), on SQLite and on PostgreSQL. After each kill: `peixun check`
# (SQLite integrity_check and foreign_key_check, PostgreSQL foreign keys, rollups equal to a
# full rebuild), nothing partial (the import, the approval, the demo wholly there or not at
# all), and the next start serves /healthz. Prints the counts.
#
#   bench/crash.sh [N] [sqlite|postgres|both]      PEIXUN=path/to/peixun (default the release build)
#   CRASH_CASES="import demo approval" picks the cases (all three when unset), e.g. CRASH_CASES=import
source "$(dirname "$0")/common.sh"
N=${1:-10}
WHICH=${2:-both}
WORK="$OUT/crash"
PORT=${CRASH_PORT:-18190}
SCALE=${CRASH_SCALE:-full}   # small: about 1 % of the province, for a quick run
CASES=" ${CRASH_CASES:-import demo approval} "
wants() { [[ "$CASES" == *" $1 "* ]]; }

if [ "$WHICH" = both ]; then
  "$0" "$N" sqlite
  exec scripts/with-postgres.sh "$0" "$N" postgres
fi
mkdir -p "$WORK"
if [ "$WHICH" = postgres ]; then
  [ -n "${DATABASE_URL:-}" ] || exec scripts/with-postgres.sh "$0" "$N" postgres
  ADMIN_URL=$DATABASE_URL
  pg_base_url() { echo "${ADMIN_URL%/*}/$1?sslmode=disable"; }
  psql_q() { psql -qtAX "$(pg_base_url "$1")" -c "$2"; }
fi

# --- the database under test: `use_db NAME` points peixun at it; `copy_db FROM TO` clones it ---
use_db() {
  if [ "$WHICH" = sqlite ]; then
    export PEIXUN_DATA_DIR="$WORK/$1"; unset DATABASE_URL
  else
    export DATABASE_URL; DATABASE_URL=$(pg_base_url "$1"); export PEIXUN_DATA_DIR="$WORK/$1-files"
  fi
  mkdir -p "$PEIXUN_DATA_DIR"
}
drop_db() {
  if [ "$WHICH" = sqlite ]; then rm -rf "${WORK:?}/$1"; else
    psql_q peixun_test "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null; psql_q peixun_test "CREATE DATABASE $1" >/dev/null; fi
}
copy_db() {
  if [ "$WHICH" = sqlite ]; then rm -rf "${WORK:?}/$2"; cp -r "$WORK/$1" "$WORK/$2"; else
    psql_q peixun_test "DROP DATABASE IF EXISTS $2 WITH (FORCE)" >/dev/null
    psql_q peixun_test "CREATE DATABASE $2 TEMPLATE $1" >/dev/null; fi
}
# One number from the current database.
q() {
  if [ "$WHICH" = sqlite ]; then python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' \
    "$PEIXUN_DATA_DIR/peixun.sqlite" "$1"; else psql -qtAX "$DATABASE_URL" -c "$1"; fi
}
migrate() { "$PEIXUN" migrate --yes >/dev/null 2>&1; }
now() { date +%s.%N; }
random_moment() { python3 -c "import random; print(round(random.uniform(0.05, 1.0) * $1, 2))"; }

# Serves the current database until /healthz answers (at most 60 s); "ok" or "no".
healthz() {
  "$PEIXUN" serve --env production --port "$PORT" > "$WORK/serve.log" 2>&1 &
  local pid=$! answer=no
  for _ in $(seq 300); do
    if curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; then answer=ok; break; fi
    kill -0 $pid 2>/dev/null || break
    sleep 0.2
  done
  kill $pid 2>/dev/null; wait $pid 2>/dev/null || true
  echo $answer
}

# Counts of one case: runs, killed mid-way, checks passed, partial states seen, healthy restarts.
declare -A RUNS KILLED CHECKED PARTIAL HEALTHY
# Whether case $1 needs another run: fewer than N kills so far, and fewer than 2N runs.
more() { [ "${KILLED[$1]:-0}" -lt "$N" ] && [ "${RUNS[$1]:-0}" -lt $((2 * N)) ]; }
record() { # case killed(0/1) check(0/1) partial(0/1) healthy(0/1)
  RUNS[$1]=$(( ${RUNS[$1]:-0} + 1 )); KILLED[$1]=$(( ${KILLED[$1]:-0} + $2 ))
  CHECKED[$1]=$(( ${CHECKED[$1]:-0} + $3 )); PARTIAL[$1]=$(( ${PARTIAL[$1]:-0} + $4 )); HEALTHY[$1]=$(( ${HEALTHY[$1]:-0} + $5 ))
}
check_ok() { "$PEIXUN" check --json > "$WORK/check.json" 2>>"$WORK/check.log" && echo 1 || { cat "$WORK/check.json" >&2; echo 0; }; }

ms() { echo $(( $(date +%s%N) / 1000000 )); }
# Waits until pid $1 ends or $2 seconds have passed; sets elapsed (seconds).
wait_upto() {
  local start; start=$(ms); local until=$(( start + $(python3 -c "print(int($2 * 1000))") ))
  while kill -0 "$1" 2>/dev/null && [ "$(ms)" -lt "$until" ]; do sleep 0.05; done
  elapsed=$(python3 -c "print(($(ms) - $start) / 1000)")
}
# The calibrated duration shrinks to a run that finished sooner (the calibration may have met a
# busy machine), so that later moments land within the operation.
shorter() { python3 -c "print(min($1, $2))"; }

# Runs "$@" in the background and kills it with SIGKILL after $delay seconds; killed=1 if it was
# still running, else killed=0 and elapsed is how long it took.
kill_after() {
  local delay=$1; shift
  "$@" > "$WORK/victim.log" 2>&1 &
  local pid=$!
  wait_upto $pid "$delay"
  if kill -0 $pid 2>/dev/null; then kill -9 $pid; wait $pid 2>/dev/null || true; killed=1
  else wait $pid || true; killed=0; fi
}

echo "== 崩溃测试：$WHICH，每项 $N 次（$PEIXUN）=="

# --- 1. The province roster's first import ---
if wants import; then
roster="$OUT/crash-roster-$SCALE.xlsx"
[ -f "$roster" ] || { PEIXUN_DATA_DIR="$WORK/roster-gen" "$PEIXUN" demo-roster --scale "$SCALE" -o "$roster" >/dev/null; rm -rf "$WORK/roster-gen"; }
drop_db crash_empty; use_db crash_empty; migrate
copy_db crash_empty crash_run; use_db crash_run
start=$(now); "$PEIXUN" import teachers "$roster" --create-schools --json > "$WORK/import.json" 2>/dev/null || true
import_time=$(python3 -c "print($(now) - $start)")
rows=$(q "SELECT COUNT(*) FROM teachers")
printf '名册首次导入（校准）：%s 行，%.1f 秒\n' "$rows" "$import_time"
i=0; while more import; do i=$((i + 1))
  copy_db crash_empty crash_run; use_db crash_run
  kill_after "$(random_moment "$import_time")" "$PEIXUN" import teachers "$roster" --create-schools --json
  [ "$killed" = 1 ] || import_time=$(shorter "$import_time" "$elapsed")
  teachers=$(q "SELECT COUNT(*) FROM teachers")
  partial=0; [ "$teachers" = 0 ] || [ "$teachers" = "$rows" ] || partial=1
  ok=$(check_ok); healthy=$(healthz)
  record import $killed "$ok" $partial "$([ "$healthy" = ok ] && echo 1 || echo 0)"
  echo "  导入 #$i：中断=$killed 教师=$teachers 检查=$ok 启动=$healthy"
done
fi

# --- 2. A demo load (the base of case 3 as well) ---
if wants demo || wants approval; then
wants import || { drop_db crash_empty; use_db crash_empty; migrate; }
drop_db crash_demo; use_db crash_demo; migrate
start=$(now); "$PEIXUN" demo --scale "$SCALE" >/dev/null 2>&1
demo_time=$(python3 -c "print($(now) - $start)")
demo_teachers=$(q "SELECT COUNT(*) FROM teachers"); demo_records=$(q "SELECT COUNT(*) FROM training_records")
printf '演示数据载入（校准）：教师 %s，记录 %s，%.1f 秒\n' "$demo_teachers" "$demo_records" "$demo_time"
i=0; while wants demo && more demo; do i=$((i + 1))
  copy_db crash_empty crash_run; use_db crash_run
  kill_after "$(random_moment "$demo_time")" "$PEIXUN" demo --scale "$SCALE"
  [ "$killed" = 1 ] || demo_time=$(shorter "$demo_time" "$elapsed")
  teachers=$(q "SELECT COUNT(*) FROM teachers"); records=$(q "SELECT COUNT(*) FROM training_records")
  partial=0
  { [ "$teachers" = 0 ] && [ "$records" = 0 ]; } || { [ "$teachers" = "$demo_teachers" ] && [ "$records" = "$demo_records" ]; } || partial=1
  ok=$(check_ok); healthy=$(healthz)
  record demo $killed "$ok" $partial "$([ "$healthy" = ok ] && echo 1 || echo 0)"
  echo "  演示 #$i：中断=$killed 教师=$teachers 记录=$records 检查=$ok 启动=$healthy"
done
fi

# --- 3. The province approves 成都市's verified entries of a cooperation project ---
if wants approval; then
use_db crash_demo
list="$OUT/crash-qualified-chengdu-$SCALE.csv"
if [ ! -f "$list" ]; then
  if [ "$WHICH" = sqlite ]; then db="$PEIXUN_DATA_DIR/peixun.sqlite"; else db=""; fi
  python3 - "$list" "$WHICH" "$db" "${DATABASE_URL:-}" <<'PY'
import csv, subprocess, sys
out, which, db, url = sys.argv[1:5]
query = """SELECT r.name, s.name, t.name, t.resident_id FROM teachers t JOIN schools s ON s.id = t.school_id
           JOIN regions r ON r.code = t.county_code WHERE t.city_code = '510100' ORDER BY t.id LIMIT 60000"""
if which == "sqlite":
    import sqlite3
    rows = sqlite3.connect(db).execute(query).fetchall()
else:
    text = subprocess.run(["psql", "-qtAX", "-F", "\t", url, "-c", query], capture_output=True, text=True, check=True).stdout
    rows = [line.split("\t") for line in text.splitlines() if line]
with open(out, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["序号", "县(市、区)", "所在学校", "教师姓名", "身份证号码"])
    for i, row in enumerate(rows, 1):
        w.writerow([i, *row])
PY
fi
"$PEIXUN" import qualified "$list" --project 中国移动 --year 2017 --skip-invalid >/dev/null 2>&1
if [ "$WHICH" = sqlite ]; then late=0; stamp=0; else late=false; stamp="now()"; fi
for sql in "UPDATE integration_entries SET status = 'verified', certificate_no = 'YD-' || id" \
  "INSERT INTO submissions (workflow, subject_id, region_code, level, state, late, updated_at)
     SELECT DISTINCT 'integration', batch_id, county_code, 'county', 'submitted', $late, $stamp FROM integration_entries WHERE city_code = '510100'" \
  "INSERT INTO submissions (workflow, subject_id, region_code, level, state, late, updated_at) VALUES ('integration', 1, '510100', 'city', 'submitted', $late, $stamp)"; do
  if [ "$WHICH" = sqlite ]; then python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(sys.argv[2]); c.commit()' "$PEIXUN_DATA_DIR/peixun.sqlite" "$sql"
  else psql -qtAX "$DATABASE_URL" -c "$sql" >/dev/null; fi
done
"$PEIXUN" demo --scale "$SCALE" --if-empty >/dev/null 2>&1   # the demo users, if the load stopped before them
verified=$(q "SELECT COUNT(*) FROM integration_entries WHERE city_code = '510100'")
approve_records="SELECT COUNT(*) FROM training_records r JOIN projects p ON p.id = r.project_id WHERE p.name LIKE '中国移动%' AND r.year = 2017"
city_state="SELECT state FROM submissions WHERE workflow = 'integration' AND region_code = '510100' AND level = 'city'"
copy_db crash_demo crash_approval
records_before=$(q "$approve_records")   # the demo's own records of the project, if any
approve() { # serves crash_run, approves 成都市; sets approve_pid (the server) and waits $1 s before returning (0 = until done)
  "$PEIXUN" serve --env production --port "$PORT" > "$WORK/serve-approve.log" 2>&1 &
  approve_pid=$!
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
  local token
  token=$(curl -s -H 'Content-Type: application/json' -d '{"username":"sheng","password":"Peixun2017demo"}' \
    "http://127.0.0.1:$PORT/api/v1/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  curl -s -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{"city":"510100"}' \
    "http://127.0.0.1:$PORT/api/v1/integration/1/approve" &
  approve_request=$!
  local sent; sent=$(now)
  if [ "$1" = 0 ]; then wait $approve_request; approve_time=$(python3 -c "print($(now) - $sent)"); else wait_upto $approve_request "$1"; fi
}
copy_db crash_approval crash_run; use_db crash_run
approve 0; records_after=$(q "$approve_records")
kill $approve_pid; wait $approve_pid 2>/dev/null || true
printf '审核通过成都市（校准）：核实人员 %s，该项目记录 %s → %s，%s，请求 %.1f 秒\n' "$verified" "$records_before" "$records_after" "$(q "$city_state")" "$approve_time"
i=0; while more approval; do i=$((i + 1))
  copy_db crash_approval crash_run; use_db crash_run
  approve "$(random_moment "$approve_time")"
  # Killed mid-way: the approval had not answered yet.
  if kill -0 $approve_request 2>/dev/null; then killed=1; else killed=0; approve_time=$(shorter "$approve_time" "$elapsed"); fi
  kill -9 $approve_pid; wait $approve_pid 2>/dev/null || true; wait $approve_request 2>/dev/null || true
  state=$(q "$city_state"); records=$(q "$approve_records")
  partial=0
  { [ "$state" = submitted ] && [ "$records" = "$records_before" ]; } || { [ "$state" = approved ] && [ "$records" = "$records_after" ]; } || partial=1
  ok=$(check_ok); healthy=$(healthz)
  record approval $killed "$ok" $partial "$([ "$healthy" = ok ] && echo 1 || echo 0)"
  echo "  审核 #$i：中断=$killed 状态=$state 记录=$records 检查=$ok 启动=$healthy"
done
fi

echo
echo "== 结果（$WHICH）：情形 | 次数 | 进行中被杀 | peixun check 通过 | 出现部分写入 | 重启后 /healthz =="
for c in import approval demo; do
  printf '%-9s | %2d | %2d | %2d | %2d | %2d\n' "$c" "${RUNS[$c]:-0}" "${KILLED[$c]:-0}" "${CHECKED[$c]:-0}" "${PARTIAL[$c]:-0}" "${HEALTHY[$c]:-0}"
done
