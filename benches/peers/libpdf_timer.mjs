// Times @libpdf/core signing in-process: each input is signed RUNS times
// into its field Signature1; one JSON line per input.
// usage: node libpdf_timer.mjs P12 PASSWORD RUNS FILE...
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { PDF, P12Signer } from "@libpdf/core";

const [p12, password, runs, ...files] = process.argv.slice(2);
const signer = await P12Signer.create(readFileSync(p12), password);
for (const file of files) {
  const data = readFileSync(file);
  const times = [];
  let size = 0;
  for (let i = 0; i < Number(runs); i++) {
    const start = performance.now();
    const pdf = await PDF.load(new Uint8Array(data));
    const signed = await pdf.sign({ signer, fieldName: "Signature1", signingTime: new Date("2026-11-23T10:00:00Z") });
    times.push(performance.now() - start);
    size = (signed.bytes ?? signed).length;
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ signer: "@libpdf/core", file, bytes: data.length, signed_bytes: size,
    median_ms: Number(times[Math.floor(times.length / 2)].toFixed(3)), min_ms: Number(times[0].toFixed(3)) }));
}
