// The whole signing workflow through the addon: upload, prepare, each
// signer with a certificate of their own, an approver, a two-phase signer
// (external key), finalize with the platform's seal and the audit trail;
// then verified as a third party would.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes, sign as cryptoSign } from 'node:crypto'
import { Envelope, Signer, verify, workflow, audit, replay } from 'paraph'
import { fixture } from './helpers.mjs'

const SENDER = { type: 'apiKey', id: 'key_hr' }
const START = Date.parse('2026-11-23T09:00:00Z')
const at = (minute) => new Date(START + minute * 60_000)
const me = (id) => ({ type: 'recipient', id })
const rsaRoot = fixture('certs', 'rsa', 'root.pem')
const ca = Signer.fromPem(fixture('certs', 'rsa', 'intermediate.key'), Buffer.concat([fixture('certs', 'rsa', 'intermediate.pem'), rsaRoot]))
const platform = Signer.fromPkcs12(fixture('certs', 'rsa', 'signer.p12'), 'test')
const CONSENT = (recipientId) => ({ type: 'consent', recipientId, version: '2026-11', textSha256: 'ef'.repeat(32) })

/** A story holder: the envelope, its whole history and the current documents. */
function story() {
  const created = Envelope.create({ id: 'env_onboard', subject: 'Employment contract' }, { now: at(0), actor: SENDER })
  const s = { envelope: created.envelope, history: [...created.events], documents: [] }
  s.apply = (command, minute, actor = SENDER) => {
    const t = s.envelope.apply(command, { now: at(minute), actor })
    s.record(t)
  }
  s.record = (t) => {
    s.envelope = t.envelope
    s.history.push(...t.events)
  }
  s.keep = (changed) => {
    for (const d of changed) s.documents[s.documents.findIndex((x) => x.documentId === d.documentId)] = d
  }
  return s
}

async function draft() {
  const s = story()
  const uploaded = workflow.upload('contract', 'contract.pdf', fixture('pdf', 'reportlab-contract.pdf'))
  assert.equal(uploaded.command.type, 'addDocument')
  assert.equal(uploaded.command.pageCount, 2)
  assert.equal(uploaded.command.pages.length, 2)
  assert.ok(Buffer.isBuffer(uploaded.bytes.pdf))
  s.apply(uploaded.command, 1)
  s.documents.push(uploaded.bytes)
  s.apply({ type: 'addRecipient', id: 'employee', name: 'Marie Dubois', email: 'marie@example.com', routingOrder: 1 }, 2)
  s.apply({ type: 'addRecipient', id: 'legal', name: 'Léa Martin', email: 'lea@example.com', routingOrder: 2, role: 'APPROVER' }, 2)
  s.apply({ type: 'addRecipient', id: 'hr', name: 'Hana Kim', email: 'hana@example.com', routingOrder: 3 }, 2)
  s.apply({ type: 'addField', id: 'sig_employee', documentId: 'contract', recipientId: 'employee', kind: 'SIGNATURE', page: 2, rect: { x: 72, y: 600, width: 200, height: 50 } }, 3)
  s.apply({ type: 'addField', id: 'start_date', documentId: 'contract', recipientId: 'employee', kind: 'TEXT', page: 1, rect: { x: 72, y: 500, width: 150, height: 20 } }, 3)
  s.apply({ type: 'addField', id: 'sig_hr', documentId: 'contract', recipientId: 'hr', kind: 'SIGNATURE', page: 2, rect: { x: 320, y: 600, width: 200, height: 50 } }, 3)
  return s
}

test('the whole flow: prepare, two signers with their own certificates, an approver, finalize, verify', async () => {
  const s = await draft()
  const prepared = await workflow.prepare(s.envelope, s.documents)
  assert.equal(prepared.command.type, 'send')
  s.documents = prepared.documents
  s.apply(prepared.command, 4)
  assert.equal(s.envelope.status, 'SENT')

  // The employee signs with a key and certificate of their own.
  s.apply({ type: 'view', recipientId: 'employee' }, 10, me('employee'))
  s.apply(CONSENT('employee'), 11, me('employee'))
  const employeeKey = await workflow.issueRecipientSigner(s.envelope, 'employee', ca, randomBytes(32), at(12))
  assert.equal(employeeKey.commonName, 'Marie Dubois')
  assert.equal(employeeKey.algorithm, 'ECDSA_P256_SHA256')
  const signed = await workflow.signRecipient(
    s.envelope, s.documents,
    { recipientId: 'employee', values: [{ fieldId: 'start_date', value: '2027-01-04' }], signature: { type: 'TYPED', text: 'Marie Dubois' } },
    employeeKey, { now: at(12), actor: me('employee'), ip: '198.51.100.23' },
  )
  assert.deepEqual(signed.commands.map((c) => c.type), ['fillField', 'sign'])
  assert.equal(signed.transition.envelope.version, s.envelope.version + signed.transition.events.length)
  s.record(signed.transition)
  s.keep(signed.documents)

  // The approver approves (no signature of theirs).
  s.apply({ type: 'view', recipientId: 'legal' }, 20, me('legal'))
  const approved = await workflow.approveRecipient(s.envelope, s.documents, { recipientId: 'legal' }, { now: at(21), actor: me('legal') })
  assert.equal(approved.commands.at(-1).type, 'approve')
  s.record(approved.transition)
  s.keep(approved.documents)

  // The HR manager signs too, with an RSA certificate of their own.
  s.apply({ type: 'view', recipientId: 'hr' }, 30, me('hr'))
  s.apply(CONSENT('hr'), 31, me('hr'))
  const hrKey = await workflow.issueRecipientSigner(s.envelope, 'hr', ca, randomBytes(32), at(32), { algorithm: 'RSA-2048', validityDays: 30 })
  assert.equal(hrKey.algorithm, 'RSA_PKCS1V15_SHA256')
  const hrSigned = await workflow.signRecipient(s.envelope, s.documents, { recipientId: 'hr' }, hrKey, { now: at(32), actor: me('hr') })
  s.record(hrSigned.transition)
  s.keep(hrSigned.documents)

  const done = await workflow.finalize(s.envelope, s.history, s.documents, platform, { now: at(40), actor: { type: 'system' } }, { seal: ['contract'] })
  s.record(done.transition)
  assert.equal(s.envelope.status, 'COMPLETED')
  assert.ok(replay(s.history).equals(s.envelope))
  assert.equal(done.evidence.envelope.id, 'env_onboard')
  assert.equal(done.evidence.records.length, s.history.length)

  const [contract] = done.documents
  const report = await verify(contract.pdf, { trust: rsaRoot, time: at(41) })
  assert.deepEqual(report.signatures.map((x) => x.fieldName), ['sig_employee', 'sig_hr', 'PlatformSeal'])
  assert.deepEqual(report.signatures.map((x) => x.signer.commonName), ['Marie Dubois', 'Hana Kim', 'Alice Signer RSA'])
  assert.equal(report.verdict, null)

  const trail = await audit.verify(done.auditTrail, { document: contract.pdf, trust: rsaRoot, time: at(41) })
  assert.equal(trail.valid, true)
  assert.equal(trail.verdict, null)
  assert.equal(trail.document.matchesDocument, 'contract')
  const wrongDoc = await audit.verify(done.auditTrail, { document: prepared.documents[0].pdf, trust: rsaRoot, time: at(41) })
  assert.equal(wrongDoc.verdict.code, 'AUDIT_DOCUMENT_MISMATCH')

  // The evidence renders again, in another language, and seals.
  const evidence = JSON.parse(audit.extractEvidence(done.auditTrail).toString('utf8'))
  assert.deepEqual(evidence, done.evidence)
  const french = await audit.render(evidence, { locale: 'fr' })
  assert.ok(french.subarray(0, 5).toString() === '%PDF-')
  const sealed = await audit.seal(french, platform, { signingTime: at(42) })
  const frenchReport = await audit.verify(sealed, { trust: rsaRoot, time: at(42) })
  assert.equal(frenchReport.verdict, null)
  const bare = await audit.verifyEvidence(evidence, { document: contract.pdf })
  assert.equal(bare.valid, true)
  const fromEvents = audit.evidenceFromEvents(s.history, at(40))
  assert.equal(fromEvents.chainHead.hash, done.evidence.chainHead.hash)
})

test('two-phase signing of a recipient with an external key, through JSON between rounds', async () => {
  const s = await draft()
  const prepared = await workflow.prepare(s.envelope, s.documents)
  s.documents = prepared.documents
  s.apply(prepared.command, 4)
  s.apply(CONSENT('employee'), 11, me('employee'))
  const key = fixture('certs', 'rsa', 'signer.key')
  const chain = [fixture('certs', 'rsa', 'signer.pem'), fixture('certs', 'rsa', 'chain.pem')]
  const ctx = { now: at(12), actor: me('employee') }
  let signing = await workflow.RecipientSigning.begin(s.envelope, s.documents, { recipientId: 'employee', values: [{ fieldId: 'start_date', value: '2027-01-04' }] }, chain, ctx)
  assert.equal(signing.recipientId, 'employee')
  let rounds = 0
  for (;;) {
    signing = workflow.RecipientSigning.fromJSON(JSON.stringify(signing))
    const values = signing.toSign().map((item) => ({ documentId: item.documentId, value: cryptoSign('sha256', item.data, key) }))
    assert.ok(values.length > 0)
    const step = await signing.provide(s.envelope, s.documents, values, ctx)
    rounds += 1
    if (step.done) {
      s.record(step.signed.transition)
      s.keep(step.signed.documents)
      break
    }
    signing = step.signing
  }
  assert.equal(rounds, 1)
  const report = await verify(s.documents[0].pdf, { trust: rsaRoot, time: at(12) })
  assert.equal(report.signatures[0].fieldName, 'sig_employee')
  assert.equal(report.verdict, null)
})

test('an external signer issues and signs inside the workflow (the KMS plugin point)', async () => {
  const s = await draft()
  const prepared = await workflow.prepare(s.envelope, s.documents)
  s.documents = prepared.documents
  s.apply(prepared.command, 4)
  s.apply(CONSENT('employee'), 11, me('employee'))
  const caKey = fixture('certs', 'rsa', 'intermediate.key')
  const kmsCa = Signer.external([fixture('certs', 'rsa', 'intermediate.pem'), rsaRoot], async (data) => cryptoSign('sha256', data, caKey))
  const key = await workflow.issueRecipientSigner(s.envelope, 'employee', kmsCa, randomBytes(32), at(12))
  const input = { recipientId: 'employee', values: [{ fieldId: 'start_date', value: '2027-01-04' }] }
  const signed = await workflow.signRecipient(s.envelope, s.documents, input, key, { now: at(12), actor: me('employee') })
  assert.equal(key.certificateChain.length, 3)
  const report = await verify(signed.documents[0].pdf, { trust: rsaRoot, time: at(12) })
  assert.equal(report.verdict, null)
})

test('the workflow refuses what the envelope refuses, with the envelope\'s codes', async () => {
  const s = await draft()
  await assert.rejects(workflow.finalize(s.envelope, s.history, s.documents, platform, { now: at(5), actor: { type: 'system' } }), { code: 'ENVELOPE_NOT_READY' })
  await assert.rejects(workflow.prepare(s.envelope, [{ documentId: 'contract', pdf: fixture('pdf', 'reportlab-three-pages.pdf') }]), { code: 'DOCUMENT_MISMATCH' })
  await assert.rejects(workflow.prepare(s.envelope, []), { code: 'DOCUMENT_NOT_FOUND' })
  const prepared = await workflow.prepare(s.envelope, s.documents)
  s.documents = prepared.documents
  s.apply(prepared.command, 4)
  await assert.rejects(workflow.prepare(s.envelope, s.documents), { code: 'ENVELOPE_NOT_DRAFT' })
  const key = await workflow.issueRecipientSigner(s.envelope, 'employee', ca, randomBytes(32), at(12))
  // No consent yet.
  await assert.rejects(workflow.signRecipient(s.envelope, s.documents, { recipientId: 'employee' }, key, { now: at(12), actor: me('employee') }), { code: 'CONSENT_REQUIRED' })
  await assert.rejects(workflow.issueRecipientSigner(s.envelope, 'legal', ca, randomBytes(32), at(12)), { code: 'RECIPIENT_ROLE_MISMATCH' })
  await assert.rejects(workflow.issueRecipientSigner(s.envelope, 'nobody', ca, randomBytes(32), at(12)), { code: 'RECIPIENT_NOT_FOUND' })
  await assert.rejects(workflow.issueRecipientSigner(s.envelope, 'employee', ca, randomBytes(8), at(12)), { code: 'INVALID_ARGUMENT' })
  await assert.rejects(workflow.issueRecipientSigner(s.envelope, 'employee', platform, randomBytes(32), at(12)), { code: 'CERT_NOT_CA' })
  assert.throws(() => workflow.upload('x', 'x.pdf', Buffer.from('junk')), { code: 'PDF_MALFORMED' })
  assert.throws(
    () => workflow.signRecipient(s.envelope, s.documents, { recipientId: 'employee', signature: { type: 'DRAWN' } }, key, { now: at(12), actor: me('employee') }),
    { code: 'SIGNATURE_MARK_INVALID' },
  )
})
