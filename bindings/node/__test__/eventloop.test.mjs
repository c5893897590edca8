// Signing runs on the libuv pool: while a 20 MB file is signed, a timer on
// the main thread keeps ticking.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Document, Signer, verify } from 'paraph'
import { fixture, paddedPdf } from './helpers.mjs'

const MB = 1024 * 1024

test('the event loop is not blocked while a 20 MB file is signed', async () => {
  const pdf = paddedPdf(20 * MB)
  assert.ok(pdf.length >= 20 * MB)
  const doc = await Document.openAsync(pdf)
  const signer = Signer.fromPkcs12(fixture('certs', 'rsa', 'signer.p12'), 'test')
  let ticks = 0
  let longestGap = 0
  let last = performance.now()
  const timer = setInterval(() => {
    const now = performance.now()
    longestGap = Math.max(longestGap, now - last)
    last = now
    ticks += 1
  }, 1)
  const started = performance.now()
  const signed = await doc.sign(signer, { signingTime: new Date('2026-11-23T10:00:00Z') })
  const elapsed = performance.now() - started
  clearInterval(timer)
  assert.ok(signed.length > pdf.length)
  // The timer ran all along: it ticked, and never waited as long as the
  // signing took (a blocked loop ticks once, after the signing).
  assert.ok(ticks >= 5, `only ${ticks} ticks in ${elapsed.toFixed(0)} ms`)
  assert.ok(longestGap < elapsed, `a gap of ${longestGap.toFixed(0)} ms in ${elapsed.toFixed(0)} ms of signing`)
  console.log(`# signed 20 MB in ${elapsed.toFixed(0)} ms; ${ticks} ticks, longest gap ${longestGap.toFixed(1)} ms`)
  const report = await verify(signed, { time: new Date('2026-11-23T10:00:00Z') })
  assert.equal(report.allIntact, true)
})

test('an external signer waits for its Promise without blocking the loop', async () => {
  const { sign: cryptoSign } = await import('node:crypto')
  const key = fixture('certs', 'rsa', 'signer.key')
  const chain = [fixture('certs', 'rsa', 'signer.pem'), fixture('certs', 'rsa', 'chain.pem')]
  let ticksDuringCallback = 0
  const signer = Signer.external(chain, async (data) => {
    // The callback itself waits on the loop (a timer), as a KMS call would.
    await new Promise((resolve) => {
      const t = setInterval(() => {
        ticksDuringCallback += 1
        if (ticksDuringCallback >= 3) {
          clearInterval(t)
          resolve()
        }
      }, 1)
    })
    return cryptoSign('sha256', data, key)
  })
  const signed = await Document.open(fixture('pdf', 'reportlab-contract.pdf')).sign(signer, { signingTime: new Date('2026-11-23T10:00:00Z') })
  assert.equal(ticksDuringCallback, 3)
  assert.equal((await verify(signed, { time: new Date('2026-11-23T10:00:00Z') })).allIntact, true)
})

test('more signings with callbacks that use the libuv pool than the pool has threads all finish', async () => {
  const { sign: cryptoSign } = await import('node:crypto')
  const { readFile } = await import('node:fs/promises')
  const { join } = await import('node:path')
  const { REPO } = await import('./helpers.mjs')
  const chain = [fixture('certs', 'rsa', 'signer.pem'), fixture('certs', 'rsa', 'chain.pem')]
  // The key is read with fs.promises (the libuv pool) inside the callback,
  // as a KMS client reading a credentials file would.
  const signer = Signer.external(chain, async (data) => cryptoSign('sha256', data, await readFile(join(REPO, 'fixtures', 'certs', 'rsa', 'signer.key'))))
  const pool = Number(process.env.UV_THREADPOOL_SIZE ?? 4)
  const doc = Document.open(fixture('pdf', 'reportlab-contract.pdf'))
  const signings = Array.from({ length: pool + 4 }, () => doc.sign(signer, { signingTime: new Date('2026-11-23T10:00:00Z') }))
  const signed = await Promise.race([
    Promise.all(signings),
    new Promise((_, reject) => setTimeout(() => reject(new Error('the signings starved the pool')), 60_000).unref()),
  ])
  assert.equal(signed.length, pool + 4)
})
