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
