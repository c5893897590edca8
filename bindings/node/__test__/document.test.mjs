// Documents, signers (PKCS#12, PEM, an async external callback) and
// signing in one call or two phases, checked by paraph's own verifier.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { sign as cryptoSign, createHash } from 'node:crypto'
import { Document, Signer, PendingSignature, verify } from 'paraph'
import { fixture, REPO } from './helpers.mjs'

const SIGNING_TIME = new Date('2026-11-23T10:00:00Z')
const contract = fixture('pdf', 'reportlab-contract.pdf')
const rsaKey = fixture('certs', 'rsa', 'signer.key')
const rsaChain = Buffer.concat([fixture('certs', 'rsa', 'signer.pem'), fixture('certs', 'rsa', 'chain.pem')])
const rsaRoot = fixture('certs', 'rsa', 'root.pem')
const ecRoot = fixture('certs', 'ec', 'root.pem')

test('a document tells its pages and fields', () => {
  const doc = Document.open(contract)
  assert.equal(doc.pageCount, 2)
  assert.equal(doc.pages.length, 2)
  assert.deepEqual(Object.keys(doc.pages[0]).sort(), ['height', 'number', 'rotation', 'width'])
  assert.equal(doc.pages[0].number, 1)
  assert.ok(doc.pages[0].width > 500 && doc.pages[0].height > 700)
  assert.ok(Array.isArray(doc.fields()))
  assert.equal(doc.byteLength, contract.length)
  assert.ok(doc.toBuffer().equals(contract))
})

test('addSignatureField returns a new document with the empty field; the first is unchanged', () => {
  const doc = Document.open(contract)
  const withField = doc.addSignatureField({ name: 'sig_marie', page: 1, rect: { x: 72, y: 600, width: 180, height: 50 } })
  const field = withField.fields().find((f) => f.name === 'sig_marie')
  assert.equal(field.type, 'SIGNATURE')
  assert.equal(field.signed, false)
  assert.equal(field.widgets[0].page, 1)
  assert.equal(doc.fields().find((f) => f.name === 'sig_marie'), undefined)
  assert.throws(
    () => withField.addSignatureField({ name: 'sig_marie', page: 1, rect: { x: 72, y: 600, width: 180, height: 50 } }),
    { code: 'PDF_FIELD_EXISTS' },
  )
  assert.throws(
    () => doc.addSignatureField({ name: 'far', page: 9, rect: { x: 1, y: 1, width: 10, height: 10 } }),
    { code: 'PDF_PAGE_NOT_FOUND' },
  )
})

test('signing with a PKCS#12 signer into a new field resolves to a PDF that verifies and is trusted', async () => {
  const signer = Signer.fromPkcs12(fixture('certs', 'rsa', 'signer.p12'), 'test')
  assert.equal(signer.algorithm, 'RSA_PKCS1V15_SHA256')
  assert.equal(signer.commonName, 'Alice Signer RSA')
  assert.ok(signer.certificateChain.length >= 2)
  assert.ok(Buffer.isBuffer(signer.certificateChain[0]))
  const promise = Document.open(contract).sign(signer, {
    page: 1, rect: { x: 72, y: 600, width: 180, height: 50 }, field: 'Signature1',
    name: 'Alice', reason: 'I agree', signingTime: SIGNING_TIME,
  })
  assert.ok(promise instanceof Promise)
  const signed = await promise
  assert.ok(Buffer.isBuffer(signed))
  assert.ok(signed.subarray(0, contract.length).equals(contract), 'an incremental update keeps the original bytes')
  const report = await verify(signed, { trust: rsaRoot, time: SIGNING_TIME })
  assert.equal(report.signatures.length, 1)
  const [sig] = report.signatures
  assert.equal(sig.fieldName, 'Signature1')
  assert.equal(sig.signer.commonName, 'Alice Signer RSA')
  assert.equal(sig.signingTime, '2026-11-23T10:00:00Z')
  assert.deepEqual(sig.coverage, { kind: 'wholeFile' })
  assert.equal(sig.chain, 'TRUSTED')
  // No time-stamp: judged at the time given, level B-B; the fixture chain
  // names no revocation service.
  assert.equal(sig.level, 'B-B')
  assert.deepEqual(sig.timeProof, { kind: 'none' })
  assert.equal(sig.validationTime, '2026-11-23T10:00:00Z')
  assert.deepEqual(sig.revocation.map((r) => r.status), ['NOT_REQUIRED', 'NOT_REQUIRED'])
  assert.equal(report.allIntact, true)
  assert.equal(report.allTrusted, true)
  assert.equal(report.verdict, null)
  const untrusted = await verify(signed, { trust: ecRoot, time: SIGNING_TIME })
  assert.equal(untrusted.allTrusted, false)
  assert.equal(untrusted.verdict.code, 'CERT_UNTRUSTED')
})

test('a PEM signer signs an existing field, and a second signature keeps the first valid', async () => {
  const alice = Signer.fromPem(rsaKey, rsaChain)
  const bob = Signer.fromPem(fixture('certs', 'ec', 'signer.key'), Buffer.concat([fixture('certs', 'ec', 'signer.pem'), fixture('certs', 'ec', 'chain.pem')]))
  assert.equal(bob.algorithm, 'ECDSA_P256_SHA256')
  const doc = Document.open(contract)
    .addSignatureField({ name: 'a', page: 1, rect: { x: 72, y: 600, width: 180, height: 50 } })
    .addSignatureField({ name: 'b', page: 2, rect: { x: 72, y: 600, width: 180, height: 50 } })
  const once = await doc.sign(alice, { field: 'a', signingTime: SIGNING_TIME })
  const twice = await Document.open(once).sign(bob, { field: 'b', signingTime: SIGNING_TIME })
  const report = await verify(twice, { trust: [rsaRoot, ecRoot], time: SIGNING_TIME })
  assert.deepEqual(report.signatures.map((s) => s.fieldName), ['a', 'b'])
  assert.equal(report.signatures[0].coverage.kind, 'revision')
  assert.equal(report.allTrusted, true)
  await assert.rejects(Document.open(twice).sign(alice, { field: 'a', signingTime: SIGNING_TIME }), { code: 'PDF_FIELD_ALREADY_SIGNED' })
})

test('an external signer: the async callback gets the data and its digest and returns the value', async () => {
  const calls = []
  const signer = Signer.external(rsaChain, async (data, digest) => {
    calls.push({ data, digest })
    await new Promise((resolve) => setTimeout(resolve, 5)) // a KMS round trip
    return cryptoSign('sha256', data, rsaKey)
  })
  assert.equal(signer.isExternal, true)
  assert.equal(signer.commonName, 'Alice Signer RSA')
  const signed = await Document.open(contract).sign(signer, { signingTime: SIGNING_TIME })
  assert.equal(calls.length, 1)
  assert.ok(Buffer.isBuffer(calls[0].data))
  assert.ok(calls[0].digest.equals(createHash('sha256').update(calls[0].data).digest()))
  const report = await verify(signed, { trust: rsaRoot, time: SIGNING_TIME })
  assert.equal(report.verdict, null)
})

test('an external signer may answer synchronously', async () => {
  const signer = Signer.external([fixture('certs', 'rsa', 'signer.pem'), fixture('certs', 'rsa', 'chain.pem')],
    (data) => cryptoSign('sha256', data, rsaKey))
  const signed = await Document.open(contract).sign(signer, { signingTime: SIGNING_TIME })
  assert.equal((await verify(signed, { trust: rsaRoot, time: SIGNING_TIME })).verdict, null)
})

test('a rejected promise, a throw or a value of another key becomes a typed error', async () => {
  const rejecting = Signer.external(rsaChain, async () => { throw new Error('KMS unavailable') })
  await assert.rejects(Document.open(contract).sign(rejecting, { signingTime: SIGNING_TIME }), (err) => {
    assert.equal(err.code, 'SIGNING_FAILED')
    assert.equal(err.number, 4010)
    assert.equal(err.httpStatus, 502)
    assert.match(err.message, /KMS unavailable/)
    return true
  })
  const throwing = Signer.external(rsaChain, () => { throw new Error('no key') })
  await assert.rejects(Document.open(contract).sign(throwing, { signingTime: SIGNING_TIME }), { code: 'SIGNING_FAILED' })
  const wrongType = Signer.external(rsaChain, async () => 'not bytes')
  await assert.rejects(Document.open(contract).sign(wrongType, { signingTime: SIGNING_TIME }), { code: 'SIGNING_FAILED' })
  const otherKey = Signer.external(rsaChain, async (data) => cryptoSign('sha256', data, fixture('certs', 'rsa', 'signer2.key')))
  await assert.rejects(Document.open(contract).sign(otherKey, { signingTime: SIGNING_TIME }), { code: 'KEY_CERT_MISMATCH' })
})

test('two phases: prepare, sign the digest elsewhere, finish; the pending state survives JSON', async () => {
  const doc = Document.open(contract)
  const pending = await doc.prepareSignature(rsaChain, { signingTime: SIGNING_TIME, reason: 'HSM' })
  assert.ok(pending instanceof PendingSignature)
  assert.equal(pending.algorithm, 'RSA_PKCS1V15_SHA256')
  assert.ok(pending.digest.equals(createHash('sha256').update(pending.data).digest()))
  const restored = PendingSignature.fromJSON(JSON.stringify(pending))
  const value = cryptoSign('sha256', restored.data, rsaKey)
  const signed = await doc.finishSignature(restored, value)
  assert.equal((await verify(signed, { trust: rsaRoot, time: SIGNING_TIME })).verdict, null)
  // Nothing of the pending state is trusted: another document, or a value of another key, is refused.
  await assert.rejects(Document.open(fixture('pdf', 'reportlab-three-pages.pdf')).finishSignature(restored, value), { code: 'PENDING_SIGNATURE_INVALID' })
  const otherValue = cryptoSign('sha256', restored.data, fixture('certs', 'rsa', 'signer2.key'))
  await assert.rejects(doc.finishSignature(restored, otherValue), { code: 'KEY_CERT_MISMATCH' })
  assert.throws(() => PendingSignature.fromJSON({ ...pending.toJSON(), schemaVersion: 99 }), { code: 'UNSUPPORTED_SCHEMA_VERSION' })
})

test('bad inputs are typed errors', async () => {
  assert.throws(() => Document.open(Buffer.from('not a pdf')), { code: 'PDF_MALFORMED' })
  assert.throws(() => Document.open(fixture('pdf', 'encrypted-user-password.pdf')), { code: 'PDF_ENCRYPTED' })
  assert.throws(() => Document.open(contract, { maxFileSize: 100 }), { code: 'PDF_TOO_LARGE' })
  assert.throws(() => Document.open(contract, { noSuchLimit: 1 }), { code: 'MALFORMED_JSON' })
  await assert.rejects(Document.openAsync(Buffer.from('%PDF-1.7 nope')), { code: 'PDF_MALFORMED' })
  assert.throws(() => Signer.fromPkcs12(fixture('certs', 'rsa', 'signer.p12'), 'wrong'), { code: 'PKCS12_BAD_PASSWORD' })
  assert.throws(() => Signer.fromPkcs12(Buffer.from('junk'), 'test'), { code: 'PKCS12_INVALID' })
  assert.throws(() => Signer.fromPem('junk', rsaChain), { code: 'KEY_INVALID' })
  assert.throws(() => Signer.fromPem(rsaKey, fixture('certs', 'ec', 'signer.pem')), { code: 'KEY_CERT_MISMATCH' })
  assert.throws(() => Signer.external(Buffer.from('no certificate'), async () => Buffer.alloc(0)), { code: 'CERT_INVALID' })
  const signer = Signer.fromPem(rsaKey, rsaChain)
  await assert.rejects(Document.open(contract).sign(signer, { field: 'missing', signingTime: SIGNING_TIME }), { code: 'PDF_FIELD_NOT_FOUND' })
  assert.throws(() => Document.open(contract).sign(signer, { page: 1 }), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => Document.open(contract).sign(signer, { level: 'B-X' }), { code: 'MALFORMED_JSON' })
  await assert.rejects(Document.open(contract).sign(signer, { level: 'B-T', signingTime: SIGNING_TIME }), (err) => typeof err.code === 'string')
  await assert.rejects(verify(Buffer.from('nope')), { code: 'PDF_MALFORMED' })
  const unsigned = await verify(contract)
  assert.equal(unsigned.signatures.length, 0)
  assert.equal(unsigned.verdict.code, 'SIGNATURE_NOT_FOUND')
})

/** A local RFC 3161 authority on `openssl ts -reply` (as tests/tools/tsa_server.py), reached asynchronously. */
async function localTsa() {
  const { mkdtempSync, writeFileSync, readFileSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const { join } = await import('node:path')
  const { execFile } = await import('node:child_process')
  const { promisify } = await import('node:util')
  const dir = mkdtempSync(join(tmpdir(), 'paraph-node-tsa-'))
  const certs = join(REPO, 'fixtures', 'certs', 'tsa')
  writeFileSync(join(dir, 'serial'), '01\n')
  writeFileSync(join(dir, 'tsa.cnf'), `[ tsa ]\ndefault_tsa = t\n[ t ]\nserial = ${dir}/serial\ncrypto_device = builtin\nsigner_cert = ${certs}/tsa.pem\ncerts = ${certs}/chain.pem\nsigner_key = ${certs}/tsa.key\nsigner_digest = sha256\ndefault_policy = 1.3.6.1.4.1.99999.1\ndigests = sha256\naccuracy = secs:1\nordering = yes\ntsa_name = yes\ness_cert_id_chain = no\ness_cert_id_alg = sha256\n`)
  let requests = 0
  const tsa = async (request) => {
    requests += 1
    writeFileSync(join(dir, 'q.tsq'), request)
    await promisify(execFile)('openssl', ['ts', '-reply', '-config', join(dir, 'tsa.cnf'), '-queryfile', join(dir, 'q.tsq'), '-out', join(dir, 'r.tsr')])
    return readFileSync(join(dir, 'r.tsr'))
  }
  return { tsa, requests: () => requests }
}

test('B-T: the tsa callback time-stamps the signature; a failing authority is TIMESTAMP_INVALID', async () => {
  const { tsa, requests } = await localTsa()
  const signer = Signer.fromPkcs12(fixture('certs', 'rsa', 'signer.p12'), 'test')
  const signed = await Document.open(contract).sign(signer, { level: 'B-T', tsa, signingTime: SIGNING_TIME })
  assert.equal(requests(), 1)
  const report = await verify(signed, { trust: rsaRoot })
  assert.equal(report.allIntact, true)
  assert.ok(report.signatures[0].timestampTime, 'the signature carries a time-stamp')
  await assert.rejects(
    Document.open(contract).sign(signer, { level: 'B-T', tsa: async () => { throw new Error('TSA down') }, signingTime: SIGNING_TIME }),
    (err) => err.code === 'TIMESTAMP_INVALID' && /TSA down/.test(err.message),
  )
  await assert.rejects(
    Document.open(contract).sign(signer, { level: 'B-T', tsa: async () => Buffer.from('junk'), signingTime: SIGNING_TIME }),
    { code: 'TIMESTAMP_INVALID' },
  )
})
