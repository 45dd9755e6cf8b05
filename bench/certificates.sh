#!/usr/bin/env bash
# Issue 14 targets on the full demo province:
# - issuing certificates for every eligible teacher (≈ 490,000) ≤ 60 s;
# - rendering ≥ 200 certificate PDFs per second on 2 cores for a batch of 10,000, beside the same
#   certificate converted from an .odt by LibreOffice in the same run;
# - GET /verify/{token} with wrk -t2 -c32 -d20s ≥ 70 % of the same server's /healthz, p99 ≤ 20 ms.
source "$(dirname "$0")/common.sh"
data="$OUT/certificates-data"
rm -rf "$data"
mkdir -p "$data"
[ -f "$OUT/demo-data/peixun.sqlite" ] || PEIXUN_DATA_DIR="$OUT/demo-data" "$PEIXUN" demo --scale full >/dev/null
cp "$OUT/demo-data/peixun.sqlite" "$data/"
PEIXUN_DATA_DIR="$data" "$PEIXUN" demo --scale full --if-empty >/dev/null
echo "eligible teachers: $(sqlite3 "$data/peixun.sqlite" "SELECT COUNT(*) FROM teachers WHERE first_passed_year IS NOT NULL")"

echo "== issue certificates for the whole province (SQLite) =="
/usr/bin/time -f "%e s wall, %M KB peak" env PEIXUN_DATA_DIR="$data" "$PEIXUN" certificates issue --region 510000 --json 2>&1 | tail -n 6
echo "== again: nothing new to issue =="
/usr/bin/time -f "%e s wall, %M KB peak" env PEIXUN_DATA_DIR="$data" "$PEIXUN" certificates issue --region 510000 --json 2>&1 | tail -n 6

echo "== render 10,000 PDFs, one file each, all cores =="
pdfs="$OUT/certificate-pdfs"
rm -rf "$pdfs"
/usr/bin/time -f "%e s wall, %M KB peak" env PEIXUN_DATA_DIR="$data" "$PEIXUN" certificates render-all --region 510000 --limit 10000 -o "$pdfs" 2>&1 | tail -n 2
du -sh "$pdfs" | cut -f1 | sed 's/^/size of 10,000 PDFs: /'
one=$(find "$pdfs" -name "*.pdf" -printf "%f\n" -quit)
pdftotext "$pdfs/$one" - | head -n 3

pdffonts "$pdfs/$one" | tail -n +3 | sed 's/^/embedded face: /'

echo "== 5,000 certificates as one print file (render-all --book, one thread, as a county downloads them) =="
/usr/bin/time -f "%e s wall, %M KB peak" env PEIXUN_DATA_DIR="$data" "$PEIXUN" certificates render-all --region 510000 --limit 5000 --book "$OUT/certificate-book.pdf" 2>&1 | tail -n 2
du -h "$OUT/certificate-book.pdf" | cut -f1 | sed 's/^/size of the book: /'

echo "== the reference: the same certificate as an .odt converted by LibreOffice =="
odt="$OUT/certificate-odt"
rm -rf "$odt"; mkdir -p "$odt"
number=${one%.pdf}
name=$(sqlite3 "$data/peixun.sqlite" "SELECT json_extract(snapshot, '$.teacherName') FROM certificates WHERE number = '$number'")
python3 - "$odt/certificate.fodt" "$name" "$number" <<'PY'
import sys
path, name, number = sys.argv[1:4]
body = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.text">
<office:styles><style:style style:name="Standard" style:family="paragraph"><style:text-properties style:font-name="Noto Serif CJK SC" fo:font-size="16pt"/></style:style></office:styles>
<office:automatic-styles><style:page-layout style:name="pm1"><style:page-layout-properties fo:page-width="29.7cm" fo:page-height="21cm" style:print-orientation="landscape"/></style:page-layout></office:automatic-styles>
<office:master-styles><style:master-page style:name="Standard" style:page-layout-name="pm1"/></office:master-styles>
<office:body><office:text>
<text:p>结业证书</text:p><text:p>证书编号：{number}</text:p><text:p>{name} 同志</text:p>
<text:p>参加中小学教师信息技术应用能力提升工程培训，完成规定的学习任务，经考核成绩合格，准予结业。</text:p>
<text:p>四川省中小学教师信息技术应用能力提升工程执行办公室</text:p><text:p>2026年12月3日</text:p>
</office:text></office:body></office:document>"""
open(path, "w").write(body)
PY
for i in $(seq 2 20); do cp "$odt/certificate.fodt" "$odt/certificate-$i.fodt"; done
/usr/bin/time -f "LibreOffice, 20 documents in one call: %e s wall, %M KB peak" soffice --headless --convert-to pdf --outdir "$odt" "$odt"/*.fodt >/dev/null 2>&1 || true
/usr/bin/time -f "%e s wall" soffice --headless --convert-to pdf --outdir "$odt" "$odt"/*.fodt 2>&1 >/dev/null | tail -n 1 | sed 's/^/LibreOffice, 20 documents (warm): /'

echo "== GET /verify/{token} against /healthz, same server =="
port=18094
PEIXUN_DATA_DIR="$data" PEIXUN_PORT=$port PEIXUN_VERIFY_PER_MINUTE=100000000 LOG_LEVEL=warning "$PEIXUN" serve --env production > "$OUT/serve-$port.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
token=$(sqlite3 "$data/peixun.sqlite" "SELECT token FROM certificates ORDER BY id DESC LIMIT 1")
curl -s -o /dev/null -w "verify page: %{http_code}, %{size_download} bytes\n" "http://127.0.0.1:$port/verify/$token"
wrk -t2 -c32 -d20s --latency "http://127.0.0.1:$port/healthz" | grep -E "Requests/sec|99%|requests in|Non-2xx" | sed 's/^/healthz  /'
wrk -t2 -c32 -d20s --latency "http://127.0.0.1:$port/verify/$token" | grep -E "Requests/sec|99%|requests in|Non-2xx" | sed 's/^/verify   /'
wrk -t2 -c32 -d20s --latency "http://127.0.0.1:$port/api/v1/verify/$token" | grep -E "Requests/sec|99%|requests in|Non-2xx" | sed 's/^/api      /'
