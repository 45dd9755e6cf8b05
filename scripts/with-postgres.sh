#!/usr/bin/env bash
# Starts a throw-away PostgreSQL (the newest installed major version) as a non-root user on a
# free port under a temporary folder, runs the given command with DATABASE_URL pointing at
# it, then stops the server and removes the folder, whatever the command's outcome.
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/initdb" ] || { echo "找不到 PostgreSQL（/usr/lib/postgresql/*/bin/initdb），请先运行 scripts/install-deps.sh test" >&2; exit 1; }

user=postgres
id "$user" >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin "$user"
as_user() { if [ "$(id -u)" -eq 0 ]; then runuser -u "$user" -- "$@"; else "$@"; fi; }

folder=$(mktemp -d /tmp/peixun-pg.XXXXXX)
chmod 755 "$folder"
[ "$(id -u)" -eq 0 ] && chown "$user" "$folder"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
  as_user "$bin/pg_ctl" -D "$folder/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$folder"
}
trap cleanup EXIT

as_user "$bin/initdb" -D "$folder/data" -U peixun --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
# Tests need no durability; benchmarks comparing with SQLite keep it (PEIXUN_PG_DURABLE=1).
durability="-c fsync=off -c full_page_writes=off"
[ "${PEIXUN_PG_DURABLE:-0}" = 1 ] && durability=""
as_user "$bin/pg_ctl" -D "$folder/data" -l "$folder/server.log" -w \
  -o "-p $port -k $folder -c listen_addresses=127.0.0.1 -c max_connections=1000 $durability" start >/dev/null
as_user "$bin/createdb" -h 127.0.0.1 -p "$port" -U peixun peixun_test

export DATABASE_URL="postgres://peixun@127.0.0.1:$port/peixun_test?sslmode=disable"
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') 已在端口 $port 启动（临时）"
"$@"
