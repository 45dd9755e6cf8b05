#!/usr/bin/env bash
# Installs the Debian packages Peixun needs, once: only what is missing, and only as root
# (or through sudo). Usage: scripts/install-deps.sh run|test|bench
set -euo pipefail

purpose="${1:-run}"
# cairo + pango + the Noto CJK fonts draw the certificate PDFs; libqrencode makes their QR codes;
# fonttools and unicode-data (its 通用规范汉字表 list) cut the certificate face, below.
# postgresql-client: pg_dump and pg_restore for `peixun backup` / `peixun restore` on PostgreSQL.
packages=(pkg-config libxlsxwriter-dev libfreexl-dev sqlite3 curl libcairo2-dev libpango1.0-dev libqrencode-dev fonts-noto-cjk
          python3-fonttools unicode-data postgresql-client)
case "$purpose" in
  # poppler and zbar read the certificates back; selenium drives the pages in Chromium.
  test)  packages+=(postgresql nginx libreoffice-calc-nogui python3 python3-venv poppler-utils zbar-tools python3-selenium chromium chromium-driver gdb) ;;
  bench) packages+=(postgresql wrk hyperfine time libreoffice-writer-nogui python3-openpyxl) ;;
esac

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "正在安装缺少的系统软件包：${missing[*]}"
  run() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
  run apt-get update -qq
  DEBIAN_FRONTEND=noninteractive run apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The certificate face: Noto Serif CJK SC cut to GB 2312 + 通用规范汉字表 (4× faster PDFs), made once
# into /usr/local/share/peixun/fonts (PEIXUN_FONT_DIR); remade only when Noto or the recipe changes.
font_dir="${PEIXUN_FONT_DIR:-/usr/local/share/peixun/fonts}"
if [ -w "$(dirname "$font_dir")" ] || [ -w "$font_dir" ] || [ "$(id -u)" -eq 0 ]; then
  /usr/bin/python3 "$(dirname "$0")/certificate-font.py" "$font_dir"
else
  sudo /usr/bin/python3 "$(dirname "$0")/certificate-font.py" "$font_dir"
fi

# python-calamine (PyPI), which the differential reading test compares our readers with, in a
# virtual environment of its own: Debian 12's pip refuses to install into the system Python.
# The test looks for it here (or at PEIXUN_PYTHON).
if [ "$purpose" = test ]; then
  venv="${XDG_CACHE_HOME:-$HOME/.cache}/peixun/python"
  if ! "$venv/bin/python3" -c "import python_calamine" 2>/dev/null; then
    echo "正在安装 python-calamine（读取差异测试用）：$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "python-calamine==0.9.1"
  fi
fi
