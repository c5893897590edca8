#!/usr/bin/env bash
# benches/peers/run.sh [RUNS]: signs the same inputs with the same key
# (fixtures/certs/rsa/signer.p12, RSA-2048, SHA-256, into the visible field
# Signature1) with paraph, pyHanko and @libpdf/core in one run, and prints
# medians, the floor (one SHA-256 pass + one RSA-2048 signature, from
# `openssl speed` on this machine) and the ratios; then whole-process times
# (hyperfine) and peak memory (GNU time) on the 20 MB file.
#
# Installs what it needs: pyHanko, reportlab and Pillow in target/venv, and
# @libpdf/core in benches/peers/node_modules.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
RUNS="${1:-15}"
venv="$root/target/venv"
inputs="$root/target/bench-pdfs"
p12="$root/fixtures/certs/rsa/signer.p12"
out="$root/target/peers"
mkdir -p "$out"

[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r tests/interop/requirements.txt reportlab==4.4.4 pillow==11.3.0
(cd benches/peers && npm ci --no-audit --no-fund --loglevel=error)
for tool in hyperfine /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "run.sh needs $tool (apt-get install hyperfine time)" >&2; exit 2; }
done

"$venv/bin/python" tests/tools/make_large_pdfs.py "$inputs" >/dev/null
files=("$inputs/one-page.pdf" "$inputs/fifty-pages.pdf" "$inputs/twenty-mb.pdf")

cargo build -q --release -p paraph-benches --features aws-lc --bin paraph-sign-timer
cargo build -q --release -p paraph-cli
results="$out/results.jsonl"; : > "$results"
echo "in-process signing, $RUNS runs per file..." >&2
target/release/paraph-sign-timer "$p12" test "$RUNS" aws-lc "${files[@]}" >> "$results"
target/release/paraph-sign-timer "$p12" test "$RUNS" rustcrypto "${files[@]}" >> "$results"
node benches/peers/libpdf_timer.mjs "$p12" test "$RUNS" "${files[@]}" >> "$results"
"$venv/bin/python" benches/peers/pyhanko_timer.py "$p12" test "$RUNS" "${files[@]}" >> "$results"

# The floor on this machine.
rsa=$(openssl speed -seconds 2 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $4 * 1000}')
sha=$(openssl speed -seconds 2 -bytes 16384 sha256 2>/dev/null | awk '/^sha256/ {gsub("k","",$NF); print $NF * 1000}')
echo "{\"floor\": true, \"rsa_ms\": $rsa, \"sha256_bytes_per_s\": $sha}" >> "$results"

# Whole processes on the one-page file, and peak memory on the 20 MB file.
echo test > "$out/pass"
hyperfine -N -w 3 -r 15 --export-json "$out/paraph-process.json" \
  "target/release/paraph sign $inputs/one-page.pdf -o $out/p.pdf --p12 $p12 --password test --field Signature1 --name 'Marie Dubois'" >/dev/null
hyperfine -w 1 -r 5 --export-json "$out/pyhanko-process.json" \
  "$venv/bin/pyhanko sign addsig --field Signature1 pkcs12 --passfile $out/pass $inputs/one-page.pdf $out/h.pdf $p12" >/dev/null
peak() { /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -1; }
paraph_rss=$(peak target/release/paraph sign "$inputs/twenty-mb.pdf" -o "$out/big.pdf" --p12 "$p12" --password test --field Signature1)
pyhanko_rss=$(peak "$venv/bin/pyhanko" sign addsig --field Signature1 pkcs12 --passfile "$out/pass" "$inputs/twenty-mb.pdf" "$out/hbig.pdf" "$p12")
libpdf_rss=$(peak node benches/peers/libpdf_timer.mjs "$p12" test 1 "$inputs/twenty-mb.pdf")
echo "{\"peak_kb\": {\"paraph\": $paraph_rss, \"pyHanko\": $pyhanko_rss, \"@libpdf/core\": $libpdf_rss}, \"input_bytes\": $(stat -c %s "$inputs/twenty-mb.pdf")}" >> "$results"

"$venv/bin/python" benches/peers/report.py "$results" "$out/paraph-process.json" "$out/pyhanko-process.json"
