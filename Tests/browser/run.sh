#!/bin/sh
# Browser tests (headless Chromium) against the debug build: see Tests/browser/run.py.
# Runs Debian's python3 on purpose: python3-selenium is installed for /usr/bin/python3, and a
# python3 earlier in PATH (pyenv, a virtualenv) would not see it.
set -eu
cd "$(dirname "$0")/../.."
for need in /usr/bin/python3 chromium chromedriver pdftotext; do
    command -v "$need" >/dev/null 2>&1 || { echo "浏览器测试缺少 $need（scripts/install-deps.sh test 会安装）" >&2; exit 1; }
done
/usr/bin/python3 -c 'import selenium' 2>/dev/null || { echo "浏览器测试缺少 python3-selenium（scripts/install-deps.sh test 会安装）" >&2; exit 1; }
exec /usr/bin/python3 Tests/browser/run.py "$@"
