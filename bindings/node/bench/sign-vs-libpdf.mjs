// A benchmark, not a test: signs the same inputs with the same key
// (fixtures/certs/rsa/signer.p12, RSA-2048, SHA-256, PAdES B-B, into a new
// invisible signature field) with paraph's Node binding and with @libpdf/core,
// in this one process, and prints the medians and their ratio. Each run
// reads the PDF and signs it (paraph: Document.open + sign, on the libuv
// pool; @libpdf/core: PDF.load + sign, in JavaScript), as the peer script
// of the core benchmark does (benches/peers/libpdf_timer.mjs).
//
// Run (from bindings/node, after a release build): node bench/sign-vs-libpdf.mjs [RUNS]
import { performance } from 'node:perf_hooks'
import { PDF, P12Signer } from '@libpdf/core'
import { Document, Signer, VERSION } from 'paraph'
import { fixture, paddedPdf } from '../__test__/helpers.mjs'

const RUNS = Number(process.argv[2] ?? 15)
const SIGNING_TIME = new Date('2026-11-23T10:00:00Z')
const p12 = fixture('certs', 'rsa', 'signer.p12')
const inputs = [
  ['reportlab-contract.pdf (2 pages)', fixture('pdf', 'reportlab-contract.pdf')],
  ['libreoffice-contract.pdf', fixture('pdf', 'libreoffice-contract.pdf')],
  ['padded 20 MB (1 page)', paddedPdf(20 * 1024 * 1024)],
]

const paraphSigner = Signer.fromPkcs12(p12, 'test')
const libpdfSigner = await P12Signer.create(new Uint8Array(p12), 'test')

const peers = {
  paraph: async (data) => {
    const doc = Document.open(data)
    return doc.sign(paraphSigner, { signingTime: SIGNING_TIME })
  },
  '@libpdf/core': async (data) => {
    const pdf = await PDF.load(new Uint8Array(data))
    const signed = await pdf.sign({ signer: libpdfSigner, fieldName: 'Signature1', signingTime: SIGNING_TIME })
    return signed.bytes ?? signed
  },
}

async function time(sign, data) {
  await sign(data) // warm-up
  const times = []
  let size = 0
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now()
    const out = await sign(data)
    times.push(performance.now() - start)
    size = out.length
  }
  times.sort((a, b) => a - b)
  return { median: times[Math.floor(times.length / 2)], min: times[0], size }
}

console.log(`paraph ${VERSION} vs @libpdf/core 0.4.2, node ${process.version}, ${RUNS} runs each (median, min)`)
for (const [name, data] of inputs) {
  const results = {}
  for (const [peer, sign] of Object.entries(peers)) results[peer] = await time(sign, data)
  const ratio = results['@libpdf/core'].median / results.paraph.median
  console.log(
    `${name.padEnd(34)} ${String(data.length).padStart(9)} B  ` +
      Object.entries(results).map(([p, r]) => `${p} ${r.median.toFixed(1)} ms (${r.min.toFixed(1)})`).join('  ') +
      `  -> paraph ${ratio.toFixed(1)}x faster`,
  )
}
