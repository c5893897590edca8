#!/usr/bin/env bash
# Measures what each hostile input of issue 11 costs the release CLI:
# wall time, peak resident memory and the exit code (1 = a typed error).
# A benchmark, not a test. Usage: benches/hostile/run.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-target/hostile}
cargo build --release -p paraph-cli --quiet
bin=target/release/paraph
python3 benches/hostile/make_inputs.py "$out" >/dev/null
p12=fixtures/certs/rsa/signer.p12
measure() {
  local label=$1; shift
  local stats
  stats=$( { /usr/bin/time -f "%e s, %M KiB" "$@" >/dev/null 2>"$out/stderr.txt"; } 2>&1 || true)
  local code
  code=$(grep -o 'error\[[A-Z_]*\]' "$out/stderr.txt" | head -1 || true)
  printf '%-44s %-22s %s\n' "$label" "${stats##*$'\n'}" "${code:-ok}"
}
sign() { "$bin" sign "$1" -o "$out/out.pdf" --p12 "$p12" --password test "${@:2}"; }
# /usr/bin/time runs a program: wrap the shell functions.
export -f sign; export bin out p12
measure "sign array-25M.pdf"          bash -c 'sign "$out/array-25M.pdf"'
measure "fields array-25M.pdf"        "$bin" fields "$out/array-25M.pdf"
measure "sign annots-1M.pdf"          bash -c 'sign "$out/annots-1M.pdf"'
measure "sign --anchor ops-1.9M.pdf"  bash -c 'sign "$out/ops-1.9M.pdf" --anchor Signature'
measure "sign --anchor ops-5M.pdf"    bash -c 'sign "$out/ops-5M.pdf" --anchor Signature'
measure "sign --anchor shared-200-pages.pdf" bash -c 'sign "$out/shared-200-pages.pdf" --anchor Signature'
measure "sign /dev/zero"              bash -c 'sign /dev/zero'
measure "sign sparse-1.5G.pdf"        bash -c 'sign "$out/sparse-1.5G.pdf"'
measure "webhook verify < /dev/zero"  bash -c '"$bin" webhook verify --secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw --id m --timestamp 1 --signature v1,x < /dev/zero'
