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
# Wall time and the peak resident memory of the command's process tree
# (getrusage of the children; GNU time is not always installed).
measure() {
  local label=$1; shift
  local stats
  stats=$(python3 -c '
import resource, subprocess, sys, time
start = time.monotonic()
with open(sys.argv[1], "wb") as err:
    subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=err)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{time.monotonic() - start:6.2f} s {peak / 1024:7.1f} MiB")
' "$out/stderr.txt" "$@")
  local code
  code=$(grep -o 'error\[[A-Z_]*\]' "$out/stderr.txt" | head -1 || true)
  printf '%-40s %-22s %s\n' "$label" "$stats" "${code:-ok}"
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
cargo run --release -q -p paraph-benches --bin paraph-hostile-timer -- "$p12" test
