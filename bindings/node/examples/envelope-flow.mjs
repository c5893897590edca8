// @ts-check
// An employment contract through the envelope state machine, with each
// published event signed as a Standard Webhooks delivery and verified as a
// receiver would. Type-checked by `tsc --noEmit -p examples` and run in CI.
//
// Run: node examples/envelope-flow.mjs (with paraph installed).
import { Envelope, Webhook, replayAsync, signWebhook } from 'paraph'

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const start = Date.parse('2026-11-23T09:00:00Z')
const at = (/** @type {number} */ minute) => new Date(start + minute * 60_000)

/** The consent to sign electronically; `textSha256` is the SHA-256 of the text shown. */
const consent = (/** @type {string} */ recipientId) => ({ type: /** @type {const} */ ('consent'), recipientId, version: '2026-11', textSha256: '9f'.repeat(32) })

/** @type {import('paraph').Actor} */
const sender = { type: 'apiKey', id: 'key_hr_portal' }
/** @type {Array<[import('paraph').EnvelopeCommand, import('paraph').Actor]>} */
const steps = [
  [{ type: 'addDocument', id: 'doc_1', name: 'contract.pdf', pageCount: 3, sha256: 'ab'.repeat(32) }, sender],
  [{ type: 'addRecipient', id: 'employee', name: 'Marie Dubois', email: 'marie@example.com', routingOrder: 1 }, sender],
  [{ type: 'addRecipient', id: 'hr', name: 'Hana Kim', email: 'hana@example.com', routingOrder: 2 }, sender],
  [{ type: 'addField', id: 'sig_employee', documentId: 'doc_1', recipientId: 'employee', kind: 'SIGNATURE', page: 3, rect: { x: 72, y: 640, width: 200, height: 60 } }, sender],
  [{ type: 'addField', id: 'sig_hr', documentId: 'doc_1', recipientId: 'hr', kind: 'SIGNATURE', page: 3, rect: { x: 320, y: 640, width: 200, height: 60 } }, sender],
  [{ type: 'send' }, sender],
  [{ type: 'view', recipientId: 'employee' }, { type: 'recipient', id: 'employee' }],
  [consent('employee'), { type: 'recipient', id: 'employee' }],
  [{ type: 'sign', recipientId: 'employee' }, { type: 'recipient', id: 'employee' }],
  [consent('hr'), { type: 'recipient', id: 'hr' }],
  [{ type: 'sign', recipientId: 'hr' }, { type: 'recipient', id: 'hr' }],
  // Once everyone signed and the final documents exist.
  [{ type: 'complete' }, { type: 'system' }],
]

let { envelope, events } = Envelope.create({ id: 'env_contract_42', subject: 'Employment contract' }, { now: at(0), actor: sender })
const history = [...events]
steps.forEach(([command, actor], i) => {
  ;({ envelope, events } = envelope.apply(command, { now: at(i + 1), actor }))
  history.push(...events)
})
if (envelope.status !== 'COMPLETED') throw new Error(`unexpected status ${envelope.status}`)
if (!(await replayAsync(history)).equals(envelope)) throw new Error('replay differs')

const receiver = new Webhook(SECRET)
let verified = 0
for (const event of history) {
  const body = Buffer.from(JSON.stringify(event))
  const sentAt = new Date(event.occurredAt)
  const headers = signWebhook(SECRET, `evt_${event.envelopeId}_${event.seq}`, sentAt, body)
  const received = /** @type {import('paraph').EnvelopeEvent} */ (receiver.verify(body, headers, { now: sentAt }))
  if (received.type !== event.type) throw new Error('webhook body changed')
  verified += 1
}

try {
  envelope.apply({ type: 'send' }, { now: at(60), actor: sender })
} catch (e) {
  const err = /** @type {import('paraph').ParaphError} */ (e)
  console.log(`refused as expected: ${err.code} (${err.number}, HTTP ${err.httpStatus})`)
}
console.log(`${envelope.id}: ${envelope.status} after ${envelope.version} events, ${verified} webhooks verified`)
