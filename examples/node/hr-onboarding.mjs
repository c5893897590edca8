// @ts-check
// HR onboarding: an employment contract signed by the new employee, then
// by the HR manager, each with a certificate of their own issued by the
// platform's CA at signing time; the platform seals the contract and the
// sealed audit trail, and every step's events are delivered as signed
// webhooks. Type-checked by `tsc --noEmit -p bindings/node/examples` and
// run by scripts/test-node from a folder where the packed `paraph` is
// installed, which then checks the output with the independent validators
// (tests/tools/validate_pdf.sh).
//
// Run, where `paraph` is installed (npm install ./bindings/node):
//   PARAPH_REPO=/path/to/paraph node hr-onboarding.mjs [OUT_DIR]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Envelope, Signer, Webhook, audit, signWebhook, verify, workflow } from 'paraph'

// The repository, for its test certificates and contract.
const repo = process.env.PARAPH_REPO ?? fileURLToPath(new URL('../../', import.meta.url))
const fixture = (/** @type {string[]} */ ...parts) => readFileSync(join(repo, 'fixtures', ...parts))
const out = process.argv[2] ?? join(repo, 'target', 'hr-onboarding')
mkdirSync(out, { recursive: true })

// The platform's keys: a CA that issues each signer's certificate, and the
// seal of the final documents and the audit trail.
const root = fixture('certs', 'rsa', 'root.pem')
const ca = Signer.fromPem(fixture('certs', 'rsa', 'intermediate.key'), Buffer.concat([fixture('certs', 'rsa', 'intermediate.pem'), root]))
const seal = Signer.fromPkcs12(fixture('certs', 'rsa', 'signer.p12'), 'test')
const WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'

const start = Date.parse('2026-11-23T09:00:00Z')
const at = (/** @type {number} */ minute) => new Date(start + minute * 60_000)
/** @type {import('paraph').Actor} */
const hrPortal = { type: 'apiKey', id: 'key_hr_portal' }
const recipient = (/** @type {string} */ id) => /** @type {import('paraph').Actor} */ ({ type: 'recipient', id })

let { envelope, events } = Envelope.create({ id: 'env_onboarding_42', subject: 'Employment contract — Marie Dubois' }, { now: at(0), actor: hrPortal })
/** @type {import('paraph').EnvelopeEvent[]} */
const history = [...events]
/** @type {import('paraph').DocumentBytes[]} */
let documents = []

/** Records a transition: the new envelope and its events. */
function record(/** @type {import('paraph').Transition} */ t) {
  envelope = t.envelope
  history.push(...t.events)
}
/** Applies a command as `actor` at `minute`. */
function apply(/** @type {import('paraph').EnvelopeCommand} */ command, /** @type {number} */ minute, actor = hrPortal) {
  record(envelope.apply(command, { now: at(minute), actor }))
}
/** Keeps the documents a step changed. */
function keep(/** @type {import('paraph').DocumentBytes[]} */ changed) {
  documents = documents.map((d) => changed.find((c) => c.documentId === d.documentId) ?? d)
}

// The draft: the contract, the employee, then the HR manager, their fields.
const uploaded = workflow.upload('contract', 'employment-contract.pdf', fixture('pdf', 'reportlab-contract.pdf'))
apply(uploaded.command, 1)
documents.push(uploaded.bytes)
apply({ type: 'addRecipient', id: 'employee', name: 'Marie Dubois', email: 'marie.dubois@example.com', routingOrder: 1 }, 2)
apply({ type: 'addRecipient', id: 'hr', name: 'Hana Kim', email: 'hana.kim@example.com', routingOrder: 2 }, 2)
apply({ type: 'addField', id: 'sig_employee', documentId: 'contract', recipientId: 'employee', kind: 'SIGNATURE', page: 2, rect: { x: 72, y: 600, width: 200, height: 50 } }, 3)
apply({ type: 'addField', id: 'iban', documentId: 'contract', recipientId: 'employee', kind: 'TEXT', page: 1, rect: { x: 72, y: 500, width: 220, height: 20 } }, 3)
apply({ type: 'addField', id: 'sig_hr', documentId: 'contract', recipientId: 'hr', kind: 'SIGNATURE', page: 2, rect: { x: 320, y: 600, width: 200, height: 50 } }, 3)

// Send: the fields go into the PDF, and the envelope records its digest.
const prepared = await workflow.prepare(envelope, documents)
documents = prepared.documents
apply(prepared.command, 4)

// Each signer views, consents, gets a key of their own, and signs.
const consentText = 'I agree to sign electronically.'
const consentSha256 = (await import('node:crypto')).createHash('sha256').update(consentText).digest('hex')
for (const [id, minute, input] of /** @type {Array<[string, number, import('paraph').RecipientInput]>} */ ([
  ['employee', 20, { recipientId: 'employee', values: [{ fieldId: 'iban', value: 'FR76 3000 6000 0112 3456 7890 189' }], signature: { type: 'TYPED', text: 'Marie Dubois' } }],
  ['hr', 60, { recipientId: 'hr' }],
])) {
  apply({ type: 'view', recipientId: id }, minute, recipient(id))
  apply({ type: 'consent', recipientId: id, version: '2026-11', textSha256: consentSha256 }, minute + 1, recipient(id))
  const context = { now: at(minute + 2), actor: recipient(id), ip: '198.51.100.23', userAgent: 'Mozilla/5.0 (hr-onboarding example)' }
  const signer = await workflow.issueRecipientSigner(envelope, id, ca, randomBytes(32), context.now)
  const signed = await workflow.signRecipient(envelope, documents, input, signer, context, { reason: 'Employment contract' })
  record(signed.transition)
  keep(signed.documents)
  console.log(`${id} signed as "${signer.commonName}" (${signer.algorithm})`)
}

// Finalize: the platform's seal, the completion, the sealed audit trail.
const done = await workflow.finalize(envelope, history, documents, seal, { now: at(70), actor: { type: 'system' } }, { seal: ['contract'] })
record(done.transition)

// What a third party checks: the signatures, the audit trail against the contract.
const [contract] = done.documents
const report = await verify(contract.pdf, { trust: root, time: at(71) })
for (const s of report.signatures) console.log(`  ${s.fieldName.padEnd(14)} ${s.signer?.commonName ?? '?'}  ${s.chain}`)
if (report.verdict) throw new Error(`the contract does not verify: ${report.verdict.code}`)
const trail = await audit.verify(done.auditTrail, { document: contract.pdf, trust: root, time: at(71) })
if (trail.verdict) throw new Error(`the audit trail does not verify: ${trail.verdict.code}`)

// Every event as a Standard Webhooks delivery, checked as the HR system would.
const receiver = new Webhook(WEBHOOK_SECRET)
for (const event of history) {
  const body = JSON.stringify(event)
  const headers = signWebhook(WEBHOOK_SECRET, `evt_${event.envelopeId}_${event.seq}`, new Date(event.occurredAt), body)
  receiver.verify(body, headers, { now: new Date(event.occurredAt) })
}

writeFileSync(join(out, 'contract-signed.pdf'), contract.pdf)
writeFileSync(join(out, 'audit-trail.pdf'), done.auditTrail)
writeFileSync(join(out, 'evidence.json'), JSON.stringify(done.evidence, null, 2))
console.log(`${envelope.id}: ${envelope.status} after ${history.length} events; ${report.signatures.length} signatures, audit trail valid; wrote ${out}`)
