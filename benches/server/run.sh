#!/usr/bin/env bash
# The server's load benchmark (a measurement, not a test): a release
# paraph-server on loopback, driven by the load client (load.rs) on the
# same machine. See README.md here for what each row measures.
#
#   benches/server/run.sh [seconds per row]
#
# SQLite always; PostgreSQL too when PARAPH_BENCH_DATABASE_URL is an admin
# URL (postgres://user@host:port/postgres): each run creates its database.
# Results: target/bench-server/results.jsonl and a Markdown table on stdout.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
seconds=${1:-10}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}
out="$CARGO_TARGET_DIR/bench-server"
rm -rf "$out"; mkdir -p "$out"

echo "building the release server and the load client" >&2
cargo build --release -q -p paraph-server --bin paraph-server
load=$(cargo bench -q -p paraph-server --bench load --no-run --message-format=json 2>/dev/null \
  | jq -r 'select(.executable != null and .target.name == "load") | .executable' | tail -n 1)
bin="$CARGO_TARGET_DIR/release/paraph-server"
[[ -x "$bin" && -x "$load" ]] || { echo "build failed" >&2; exit 1; }

# Documents of 2 (the fixture), 1, 50 and 300 pages: the fixture's text
# pages repeated, so every page has content to scan and hash.
contract=fixtures/pdf/reportlab-contract.pdf
cp "$contract" "$out/pages-2.pdf"
qpdf --empty --pages "$contract" 1 -- "$out/pages-1.pdf"
for n in 50 300; do
  args=(); for _ in $(seq 1 $((n / 2))); do args+=("$contract"); done
  qpdf --empty --pages "${args[@]}" -- "$out/pages-$n.pdf"
done

server_pid=""
stop_server() {
  if [[ -n "$server_pid" ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
trap stop_server EXIT

start_server() { # label, extra env assignments...
  local label=$1; shift
  local data="$out/$label"
  mkdir -p "$data"
  key=$(env "$@" "$bin" keys create --account bench --data "$data/data")
  env "$@" PARAPH_RATE_LIMIT_BURST=100000000 PARAPH_RATE_LIMIT_PER_MINUTE=100000000 \
    "$bin" serve --listen 127.0.0.1:0 --data "$data/data" >"$data/stdout" 2>"$data/stderr" &
  server_pid=$!
  for _ in $(seq 1 300); do
    grep -q 'listening on' "$data/stdout" 2>/dev/null && break
    sleep 0.1
  done
  base=$(grep -o 'listening on http://[0-9.:]*' "$data/stdout" | sed 's/listening on //')
  [[ -n "$base" ]] || { echo "the server did not start: $(cat "$data/stderr")" >&2; exit 1; }
  echo "$label server at $base (pid $server_pid)" >&2
}

row() { # label scenario connections pdf recipients
  echo "  $1: $2, $3 connections, $(basename "$4"), $5 recipients" >&2
  "$load" --base "$base" --key "$key" --label "$1" --scenario "$2" --connections "$3" \
    --pdf "$4" --recipients "$5" --seconds "$seconds" --server-pid "$server_pid" \
    | tee -a "$out/results.jsonl" >/dev/null
}

start_server sqlite
for c in 1 4 16 64; do row sqlite create-send "$c" "$out/pages-2.pdf" 1; done
for c in 1 4 16; do row sqlite sign "$c" "$out/pages-2.pdf" 2; done
for n in 1 50 300; do row sqlite-pages create-send 16 "$out/pages-$n.pdf" 1; done
for n in 1 50 300; do row sqlite-pages sign 4 "$out/pages-$n.pdf" 2; done
for r in 1 10 50; do row sqlite-recipients create-send 16 "$out/pages-2.pdf" "$r"; done
stop_server

if [[ -n "${PARAPH_BENCH_DATABASE_URL:-}" ]]; then
  db="paraph_bench_$(date +%s)"
  psql "$PARAPH_BENCH_DATABASE_URL" -qc "create database $db"
  pg_url="${PARAPH_BENCH_DATABASE_URL%/*}/$db"
  start_server postgres DATABASE_URL="$pg_url" PARAPH_DB_CONNECTIONS="${PARAPH_BENCH_DB_CONNECTIONS:-16}"
  for c in 1 4 16 64; do row postgres create-send "$c" "$out/pages-2.pdf" 1; done
  for c in 4 16; do row postgres sign "$c" "$out/pages-2.pdf" 2; done
  stop_server
else
  echo "PostgreSQL skipped: set PARAPH_BENCH_DATABASE_URL" >&2
fi

echo
echo "| run | scenario | connections | pages | recipients | per second | p50 ms | p99 ms | server CPU ms/op | client CPU ms/op | errors | server peak RSS MB |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
jq -r '"| \(.label) | \(.scenario) | \(.connections) | \(.pages) | \(.recipients) | \(.perSecond | floor) | \(.p50Ms * 10 | round / 10) | \(.p99Ms * 10 | round / 10) | \(.serverCpuMsPerOp * 100 | round / 100) | \(.clientCpuMsPerOp * 100 | round / 100) | \(.errors) | \(.serverPeakRssMb | round) |"' \
  "$out/results.jsonl"
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
