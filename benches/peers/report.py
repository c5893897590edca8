#!/usr/bin/env python3
"""Prints the side-by-side table of benches/peers/run.sh."""
import json
import sys

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
paraph_process = json.load(open(sys.argv[2]))["results"][0]["median"] * 1000
pyhanko_process = json.load(open(sys.argv[3]))["results"][0]["median"] * 1000
floor = next(r for r in rows if r.get("floor"))
memory = next(r for r in rows if "peak_kb" in r)
timings = [r for r in rows if "median_ms" in r]
files = []
for r in timings:
    if r["file"] not in files:
        files.append(r["file"])
signers = []
for r in timings:
    if r["signer"] not in signers:
        signers.append(r["signer"])

def median(signer, f):
    return next(r["median_ms"] for r in timings if r["signer"] == signer and r["file"] == f)

print("\nIn-process signing, median ms (RSA-2048, SHA-256, visible field):\n")
print(f"{'signer':<22}" + "".join(f"{f.split('/')[-1]:>22}" for f in files))
for s in signers:
    print(f"{s:<22}" + "".join(f"{median(s, f):>22.3f}" for f in files))
sizes = {r["file"]: r["bytes"] for r in timings}
floors = {f: floor["rsa_ms"] + sizes[f] / floor["sha256_bytes_per_s"] * 1000 for f in files}
print(f"{'floor (openssl speed)':<22}" + "".join(f"{floors[f]:>22.3f}" for f in files))

best = "paraph (aws-lc)"
one, twenty = files[0], files[-1]
print("\nRatios (higher is better for paraph):")
print(f"  vs @libpdf/core, 1 page:   {median('@libpdf/core', one) / median(best, one):6.1f}x  (target >= 10x)")
print(f"  vs pyHanko, 1 page:        {median('pyHanko', one) / median(best, one):6.1f}x  (target >= 80x)")
print(f"  20 MB vs floor:            {median(best, twenty) / floors[twenty]:6.2f}x  (target <= 1.5x)")
print(f"  process, paraph sign vs pyHanko CLI (1 page): {paraph_process:.1f} ms vs {pyhanko_process:.0f} ms = "
      f"{pyhanko_process / paraph_process:.0f}x  (target >= 20x)")
input_mb = memory["input_bytes"] / 1e6
print(f"\nPeak memory signing the {input_mb:.1f} MB file (GNU time, max RSS):")
for name, kb in memory["peak_kb"].items():
    print(f"  {name:<14} {kb / 1024:7.1f} MiB  ({kb * 1024 / memory['input_bytes']:.2f}x the input)")
print("  target for paraph: <= 2x the input")
