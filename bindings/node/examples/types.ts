// Type test (tsc --noEmit, never run): the generated index.d.ts describes
// what the tests and the example use.
import { Envelope, Webhook, errorCodes, signWebhook, verifyWebhook, replayAsync, VERSION } from 'paraph'
import type { ErrorCodeInfo, ParaphError, Transition, EnvelopeStatus } from 'paraph'

const t: Transition = Envelope.create({ id: 'e', subject: 's' }, { now: new Date(), actor: { type: 'system' } })
const status: EnvelopeStatus = t.envelope.status
const version: number = t.envelope.version
const next: Promise<Envelope> = replayAsync(t.events)
const headers = signWebhook(['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], 'm', new Date(), new Uint8Array())
const id: string = headers['webhook-id']
verifyWebhook(Buffer.from('raw key bytes, 24 or more!'), 'body', headers, { now: 0, tolerance: 60 })
const payload: unknown = new Webhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw').verify('{}', headers)
const table: ErrorCodeInfo[] = errorCodes()
const v: string = VERSION

function describe(err: unknown): string {
  const e = err as ParaphError
  return `${e.code} ${e.number} ${e.family} ${e.httpStatus} ${e.message}`
}

// @ts-expect-error: the actor must be an Actor
Envelope.create({ id: 'e', subject: 's' }, { now: new Date(), actor: { type: 'robot' } })
// @ts-expect-error: a command has a known type
t.envelope.apply({ type: 'noSuchCommand' }, { now: '2026-01-01T00:00:00Z', actor: { type: 'system' } })

export { status, version, next, id, payload, table, v, describe }

// Phase 2: documents, signers, verification, the audit trail and the workflow.
import { Document, Signer, PendingSignature, verify, audit, workflow } from 'paraph'
import type { VerificationReport, AuditReport, SignedRecipient, Finalized, DocumentBytes, SigningStep } from 'paraph'

async function phase2(pdf: Buffer, envelope: Envelope, documents: DocumentBytes[]): Promise<void> {
  const doc: Document = Document.open(pdf, { maxPages: 100 })
  const pages: number = doc.pages[0].width + doc.pageCount
  const withField: Document = doc.addSignatureField({ name: 's', page: 1, rect: { x: 1, y: 1, width: 100, height: 40 } })
  const kms: Signer = Signer.external([pdf], async (data: Buffer, digest: Buffer) => new Uint8Array(data.length + digest.length))
  const signed: Buffer = await withField.sign(kms, { field: 's', reason: 'ok', level: 'B-T', tsa: async (request) => request })
  const pending: PendingSignature = await doc.prepareSignature(pdf, { signingTime: new Date() })
  const finished: Buffer = await doc.finishSignature(PendingSignature.fromJSON(JSON.stringify(pending)), pending.digest)
  const report: VerificationReport = await verify(signed, { trust: pdf })
  const verdict: string | undefined = report.verdict?.code
  const trail: AuditReport = await audit.verify(finished, { document: signed })
  const ctx = { now: new Date(), actor: { type: 'recipient' as const, id: 'marie' } }
  const key: Signer = await workflow.issueRecipientSigner(envelope, 'marie', kms, new Uint8Array(32), new Date(), { algorithm: 'P-256' })
  const one: SignedRecipient = await workflow.signRecipient(envelope, documents, { recipientId: 'marie', signature: { type: 'TYPED', text: 'M' } }, key, ctx)
  const step: SigningStep = await (await workflow.RecipientSigning.begin(envelope, documents, { recipientId: 'marie' }, pdf, ctx)).provide(envelope, documents, [], ctx)
  const done: Finalized = await workflow.finalize(one.transition.envelope, [], documents, kms, ctx, { seal: ['doc_1'] })
  const trailPdf: Buffer = done.auditTrail
  // @ts-expect-error: the level is B-B or B-T
  await doc.sign(kms, { level: 'B-Z' })
  // @ts-expect-error: a signer is a Signer
  await workflow.signRecipient(envelope, documents, { recipientId: 'marie' }, 'key', ctx)
  void [pages, verdict, trail, step, trailPdf]
}

export { phase2 }
