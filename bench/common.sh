# Shared by the bench scripts: where the release binary is and a fresh data folder.
set -euo pipefail
cd "$(dirname "$0")/.."
PEIXUN=${PEIXUN:-.build-release/release/peixun}
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
[ -x "$PEIXUN" ] || { echo "先编译发布版：swift build -c release --scratch-path .build-release" >&2; exit 1; }
scripts/install-deps.sh bench

# Serves the full demo province (loaded once into $OUT/demo-data) on port $1; sets $server,
# $data and $TOKEN (a bearer token of the province demo user). The server stops on exit.
serve_demo() {
  port=$1
  data="$OUT/demo-data"
  [ -f "$data/peixun.sqlite" ] || PEIXUN_DATA_DIR="$data" "$PEIXUN" demo --scale full >/dev/null
  PEIXUN_DATA_DIR="$data" "$PEIXUN" demo --scale full --if-empty >/dev/null   # demo users
  PEIXUN_DATA_DIR="$data" PEIXUN_PORT=$port LOG_LEVEL=warning "$PEIXUN" serve --env production > "$OUT/serve-$port.log" 2>&1 &
  server=$!
  trap 'kill $server 2>/dev/null || true' EXIT
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  TOKEN=$(curl -s -H 'Content-Type: application/json' -d '{"username":"sheng","password":"Peixun2017demo"}' \
    "http://127.0.0.1:$port/api/v1/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  export TOKEN
}

# The dispatch of a script that measures both databases: its `measure LABEL` runs on SQLite,
# on a throw-away PostgreSQL with fsync on, or on both one after the other (the default).
# Usage, last line of the script: on_databases "$0" "$@"
on_databases() {
  local script=$1; shift
  case "${1:-both}" in
    sqlite) env -u DATABASE_URL bash "$script" --inner sqlite ;;
    postgres) PEIXUN_PG_DURABLE=1 scripts/with-postgres.sh bash "$script" --inner postgres ;;
    both) bash "$script" sqlite; bash "$script" postgres ;;
    --inner) measure "$2" ;;
  esac
}
