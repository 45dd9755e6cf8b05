# Shared by the bench scripts: where the release binary is and a fresh data folder.
set -euo pipefail
cd "$(dirname "$0")/.."
PEIXUN=${PEIXUN:-.build-release/release/peixun}
OUT=${OUT:-bench/out}
mkdir -p "$OUT"
[ -x "$PEIXUN" ] || { echo "先编译发布版：swift build -c release --scratch-path .build-release" >&2; exit 1; }
scripts/install-deps.sh bench
