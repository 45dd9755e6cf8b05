#!/usr/bin/env bash
# Fuzzes the spreadsheet readers and the resident-ID parser with libFuzzer (+ AddressSanitizer).
#   bench/fuzz/run.sh [xlsx|csv|id|all] [SECONDS per target, default 600]
# Seeds come from the test fixtures; new corpus entries stay in bench/out/fuzz/corpus-*,
# findings (crash-*, timeout-*, leak-*) in bench/out/fuzz/.
set -euo pipefail
cd "$(dirname "$0")"
which="${1:-all}" seconds="${2:-600}"
out=../out/fuzz
mkdir -p "$out"
../../scripts/install-deps.sh run
# gold crashes on these objects; lld (in the Swift toolchain) links them.
swift build --scratch-path ../../.build-fuzz -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library \
  -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld 2>&1 | tail -n 1
bin=../../.build-fuzz/debug
# .xls goes through the peixun-xls child process, as in the server.
export PEIXUN_XLS_HELPER="${PEIXUN_XLS_HELPER:-$PWD/../../.build/debug/peixun-xls}"
[ -x "$PEIXUN_XLS_HELPER" ] || (cd ../.. && swift build --product peixun-xls 2>&1 | tail -n 1)
fixtures=../../Tests/PeixunSheetsTests/Fixtures

run() {
  local target=$1 name=$2; shift 2
  local corpus="$out/corpus-$name"
  mkdir -p "$corpus"
  for seed in "$@"; do cp -n "$seed" "$corpus/" 2>/dev/null || true; done
  echo "== $target for ${seconds}s =="
  (cd "$out" && LSAN_OPTIONS=suppressions="$OLDPWD/lsan.supp" "$OLDPWD/$bin/$target" "corpus-$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -max_len=262144 -print_final_stats=1 2>&1 | tee "log-$name.txt" | grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==ERROR|SUMMARY)" || true)
  ls "$out" | grep -E "^(crash|timeout|leak|oom)-" || echo "findings: none"
}

if [ "$which" = xlsx ] || [ "$which" = all ]; then
  # The reading corpus (issue 12): workbooks of many writers, prefixed elements, odd part paths.
  run FuzzXlsx xlsx "$fixtures"/*.xlsx "$fixtures"/*.xls $(ls "$fixtures"/corpus/*.xls* 2>/dev/null)
fi
if [ "$which" = csv ] || [ "$which" = all ]; then
  run FuzzCSV csv "$fixtures"/*.csv
fi
if [ "$which" = id ] || [ "$which" = all ]; then
  seeds=$(mktemp -d)
  for id in 11010519491231002X 510104199001011234 510104900101123 "５１０１０４１９９００１０１１２３４" 5.10104E+17; do
    printf '%s' "$id" > "$seeds/$(printf '%s' "$id" | md5sum | cut -c1-8)"
  done
  run FuzzResidentID id "$seeds"/*
  rm -rf "$seeds"
fi
