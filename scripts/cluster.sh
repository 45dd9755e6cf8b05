#!/usr/bin/env bash
# Peixun as it runs in production, on loopback: PostgreSQL, two application instances and nginx
# in front of them (deploy/nginx/peixun.conf).
#
#   scripts/cluster.sh up      start everything (first time: create the database, migrate, load
#                              the demo province) and print the URL and the demo logins
#   scripts/cluster.sh down    stop nginx, the instances and PostgreSQL (the data stays)
#   scripts/cluster.sh status  what is running
#
# Environment: PEIXUN_CLUSTER_DIR (default ./data/cluster; everything lives there),
# PEIXUN_CLUSTER_PORT (default 8180: nginx; the instances take the next two ports and
# PostgreSQL the third), PEIXUN_CLUSTER_DEMO (small, the default; full; none),
# PEIXUN_BIN (default: the release build if there is one, else the debug build).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

dir=${PEIXUN_CLUSTER_DIR:-$root/data/cluster}
base=${PEIXUN_CLUSTER_PORT:-8180}
ports=($((base + 1)) $((base + 2)))
pg_port=$((base + 3))
demo=${PEIXUN_CLUSTER_DEMO:-small}
if [ -n "${PEIXUN_BIN:-}" ]; then bin=$PEIXUN_BIN
elif [ -x .build-release/release/peixun ]; then bin=$root/.build-release/release/peixun
else bin=$root/.build/debug/peixun; fi
database_url="postgres://peixun@127.0.0.1:$pg_port/peixun?sslmode=disable"

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
pg_user=postgres
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u "$pg_user" -- "$@"; else "$@"; fi; }
say() { echo "[cluster] $*"; }
fail() { echo "[cluster] 错误：$*" >&2; exit 1; }

wait_for() { # url seconds
  local url=$1 limit=$2 waited=0
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    sleep 0.2; waited=$((waited + 1))
    [ "$waited" -ge $((limit * 5)) ] && return 1
  done
  return 0
}

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_postgres() {
  [ -x "$pg_bin/initdb" ] || fail "找不到 PostgreSQL（/usr/lib/postgresql/*/bin），请先运行 scripts/install-deps.sh test"
  mkdir -p "$dir/pg"
  if [ "$(id -u)" -eq 0 ]; then
    id "$pg_user" >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin "$pg_user"
    chown "$pg_user" "$dir/pg"
  fi
  if [ ! -f "$dir/pg/data/PG_VERSION" ]; then
    say "初始化 PostgreSQL：$dir/pg/data"
    as_pg "$pg_bin/initdb" -D "$dir/pg/data" -U peixun --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! as_pg "$pg_bin/pg_ctl" -D "$dir/pg/data" status >/dev/null 2>&1; then
    as_pg "$pg_bin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/server.log" -w \
      -o "-p $pg_port -k $dir/pg -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
  fi
  as_pg "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U peixun -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'peixun'" | grep -q 1 \
    || as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U peixun peixun
  say "PostgreSQL 端口 $pg_port"
}

instance_vars() { # index → $vars: the instance's environment
  vars=(DATABASE_URL="$database_url" PEIXUN_PORT="${ports[$1]}" PEIXUN_HOST=127.0.0.1
    PEIXUN_DATA_DIR="$dir/shared" PEIXUN_UPLOAD_DIR="$dir/shared/uploads" PEIXUN_INSTANCE_ID="instance-$(( $1 + 1 ))"
    PEIXUN_TRUST_PROXY=1 PEIXUN_PUBLIC_URL="http://127.0.0.1:$base")
}

instance_env() { # index command…
  instance_vars "$1"
  env "${vars[@]}" "${@:2}"
}

start_instances() {
  [ -x "$bin" ] || fail "找不到 $bin，请先构建（make release 或 swift build）"
  mkdir -p "$dir/shared/uploads"
  instance_env 0 "$bin" migrate --yes >"$dir/migrate.log" 2>&1 || { cat "$dir/migrate.log" >&2; fail "数据库迁移失败"; }
  if [ "$demo" != none ]; then
    say "载入演示数据（$demo，已有数据则跳过）"
    instance_env 0 "$bin" demo --scale "$demo" --if-empty >"$dir/demo.log" 2>&1 || { cat "$dir/demo.log" >&2; fail "载入演示数据失败"; }
  fi
  for index in 0 1; do
    local pid="$dir/instance-$((index + 1)).pid"
    running "$pid" && continue
    # `env` started directly in the background (not through a function, which would run in a
    # subshell): its pid, which becomes the server's, is the one `down` stops.
    instance_vars "$index"
    env "${vars[@]}" "$bin" serve >"$dir/instance-$((index + 1)).log" 2>&1 &
    echo $! >"$pid"
  done
  for index in 0 1; do
    wait_for "http://127.0.0.1:${ports[$index]}/healthz" 60 || { tail -n 20 "$dir/instance-$((index + 1)).log" >&2; fail "实例 $((index + 1)) 未能启动"; }
    say "实例 $((index + 1))：http://127.0.0.1:${ports[$index]}"
  done
}

start_nginx() {
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || fail "找不到 nginx，请先运行 scripts/install-deps.sh test"
  local nginx=$(command -v nginx || echo /usr/sbin/nginx)
  mkdir -p "$dir/nginx/tmp"
  # The shipped server block with this cluster's ports and log file.
  sed -e "s#listen 127.0.0.1:8080;#listen 127.0.0.1:$base;#" \
      -e "s#server 127.0.0.1:8081 #server 127.0.0.1:${ports[0]} #" \
      -e "s#server 127.0.0.1:8082 #server 127.0.0.1:${ports[1]} #" \
      -e "s#/var/log/nginx/peixun.access.log#$dir/nginx/access.log#" \
      deploy/nginx/peixun.conf >"$dir/nginx/peixun.conf"
  {
    [ "$(id -u)" -eq 0 ] && echo "user root;"
    cat <<EOF
worker_processes 2;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log warn;
events { worker_connections 1024; }
http {
    client_body_temp_path $dir/nginx/tmp/body;
    proxy_temp_path $dir/nginx/tmp/proxy;
    fastcgi_temp_path $dir/nginx/tmp/fastcgi;
    uwsgi_temp_path $dir/nginx/tmp/uwsgi;
    scgi_temp_path $dir/nginx/tmp/scgi;
    include /etc/nginx/mime.types;
    include $dir/nginx/peixun.conf;
}
EOF
  } >"$dir/nginx/nginx.conf"
  "$nginx" -t -p "$dir/nginx" -c "$dir/nginx/nginx.conf" >/dev/null 2>&1 || "$nginx" -t -p "$dir/nginx" -c "$dir/nginx/nginx.conf"
  running "$dir/nginx/nginx.pid" || "$nginx" -p "$dir/nginx" -c "$dir/nginx/nginx.conf"
  wait_for "http://127.0.0.1:$base/healthz" 10 || fail "nginx 未能启动（$dir/nginx/error.log）"
}

stop_all() {
  if running "$dir/nginx/nginx.pid"; then kill -QUIT "$(cat "$dir/nginx/nginx.pid")" 2>/dev/null || true; fi
  for index in 1 2; do
    local pid="$dir/instance-$index.pid"
    if running "$pid"; then kill -TERM "$(cat "$pid")" 2>/dev/null || true; fi
  done
  for index in 1 2; do
    local pid="$dir/instance-$index.pid" waited=0
    while running "$pid" && [ $waited -lt 50 ]; do sleep 0.2; waited=$((waited + 1)); done
    running "$pid" && kill -KILL "$(cat "$pid")" 2>/dev/null || true
    rm -f "$pid"
  done
  if [ -f "$dir/pg/data/PG_VERSION" ] && [ -x "$pg_bin/pg_ctl" ]; then
    as_pg "$pg_bin/pg_ctl" -D "$dir/pg/data" -m fast stop >/dev/null 2>&1 || true
  fi
}

case "${1:-}" in
  up)
    mkdir -p "$dir"
    start_postgres
    start_instances
    start_nginx
    echo
    echo "Peixun（两个实例 + nginx + PostgreSQL）已启动：http://127.0.0.1:$base/"
    [ "$demo" != none ] && sed -n '/演示账户/,$p' "$dir/demo.log" || true
    echo "停止：scripts/cluster.sh down（数据保留在 $dir）"
    ;;
  down)
    stop_all
    say "已停止"
    ;;
  status)
    running "$dir/nginx/nginx.pid" && say "nginx 运行中：http://127.0.0.1:$base/" || say "nginx 未运行"
    for index in 1 2; do
      running "$dir/instance-$index.pid" && say "实例 $index 运行中：http://127.0.0.1:${ports[$((index - 1))]}" || say "实例 $index 未运行"
    done
    as_pg "$pg_bin/pg_ctl" -D "$dir/pg/data" status >/dev/null 2>&1 && say "PostgreSQL 运行中：端口 $pg_port" || say "PostgreSQL 未运行"
    ;;
  *)
    echo "用法：scripts/cluster.sh up|down|status" >&2
    exit 2
    ;;
esac
