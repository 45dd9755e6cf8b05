#!/usr/bin/env bash
# Installs the Debian packages Peixun needs, once: only what is missing, and only as root
# (or through sudo). Usage: scripts/install-deps.sh run|test|bench
set -euo pipefail

purpose="${1:-run}"
packages=(pkg-config libxlsxwriter-dev libfreexl-dev sqlite3 curl)
case "$purpose" in
  test)  packages+=(postgresql libreoffice-calc-nogui fonts-noto-cjk) ;;
  bench) packages+=(postgresql wrk hyperfine time) ;;
esac

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "正在安装缺少的系统软件包：${missing[*]}"
run() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
run apt-get update -qq
DEBIAN_FRONTEND=noninteractive run apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
