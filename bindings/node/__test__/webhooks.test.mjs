// Webhook signatures: the golden vectors, and the official `standardwebhooks`
// npm package both ways.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Webhook as OfficialWebhook, WebhookVerificationError } from 'standardwebhooks'
import { Webhook, signWebhook, verifyWebhook, signWebhookHex, verifyWebhookHex } from 'paraph'
import { vectors } from './helpers.mjs'

const { standardSign, standardVerify, hex } = vectors('webhooks.json')
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const PAYLOAD = Buffer.from(
  JSON.stringify({ type: 'envelope.completed', data: { name: '마리 뒤부아 — Marie Dubois' } }),
)
const nowSeconds = () => Math.floor(Date.now() / 1000)
const headersOf = (v) => ({
  'webhook-id': v.msgId,
  'webhook-timestamp': String(v.timestamp),
  'webhook-signature': v.signature,
})

for (const v of standardSign) {
  test(`sign vector: ${v.name}`, () => {
    const secrets = v.secrets ?? [v.secret]
    assert.deepEqual(signWebhook(secrets, v.msgId, v.timestamp, v.payload), headersOf(v))
    if (secrets.length === 1) {
      assert.equal(new Webhook(v.secret).sign(v.msgId, v.timestamp, Buffer.from(v.payload)), v.signature)
      assert.equal(new Webhook(v.secret).sign(v.msgId, new Date(v.timestamp * 1000), v.payload), v.signature)
    }
  })
}

for (const v of standardVerify) {
  test(`verify vector: ${v.name}`, () => {
    const run = () =>
      verifyWebhook(v.secret, new TextEncoder().encode(v.payload), headersOf(v), { now: v.now })
    if (v.expect === 'OK') {
      run()
      assert.deepEqual(new Webhook(v.secret).verify(v.payload, headersOf(v), { now: v.now }), JSON.parse(v.payload))
    } else {
      assert.throws(run, { code: v.expect })
    }
  })
}

test('hex vectors', () => {
  for (const v of hex) {
    assert.equal(signWebhookHex(v.secret, v.payload), v.signature)
    verifyWebhookHex(Buffer.from(v.secret), Buffer.from(v.payload), v.signature.toUpperCase())
    verifyWebhookHex(v.secret, v.payload, `sha256=${v.signature}`)
    assert.throws(() => verifyWebhookHex(v.secret, `${v.payload} `, v.signature), {
      code: 'WEBHOOK_SIGNATURE_MISMATCH',
    })
  }
})

test('the official library accepts what paraph signs', () => {
  const headers = signWebhook(SECRET, 'evt_env_1_14', nowSeconds(), PAYLOAD)
  assert.deepEqual(new OfficialWebhook(SECRET).verify(PAYLOAD, headers), JSON.parse(PAYLOAD))
  const at = new Date()
  const signature = new Webhook(SECRET).sign('evt_env_1_15', at, PAYLOAD)
  new OfficialWebhook(SECRET).verify(PAYLOAD, {
    'webhook-id': 'evt_env_1_15',
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signature,
  })
})

test('the official library rejects a changed body', () => {
  const headers = signWebhook(SECRET, 'evt_env_1_16', nowSeconds(), PAYLOAD)
  const changed = Buffer.from(PAYLOAD.toString().replace('Marie', 'Mario'))
  assert.throws(() => new OfficialWebhook(SECRET).verify(changed, headers), WebhookVerificationError)
})

test('rotation headers verify with either secret', () => {
  const next = 'whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8='
  const headers = signWebhook([SECRET, next], 'evt_env_1_17', nowSeconds(), PAYLOAD)
  assert.equal(headers['webhook-signature'].split(' ').length, 2)
  new OfficialWebhook(SECRET).verify(PAYLOAD, headers)
  new OfficialWebhook(next).verify(PAYLOAD, headers)
})

test('paraph accepts what the official library signs, header names in any case', () => {
  const at = new Date()
  const headers = {
    'Webhook-Id': 'msg_js_1',
    'Webhook-Timestamp': String(Math.floor(at.getTime() / 1000)),
    'Webhook-Signature': new OfficialWebhook(SECRET).sign('msg_js_1', at, PAYLOAD.toString()),
  }
  assert.deepEqual(new Webhook(SECRET).verify(PAYLOAD, headers), JSON.parse(PAYLOAD))
  verifyWebhook(SECRET, PAYLOAD, headers)
  assert.throws(() => new Webhook(SECRET).verify(Buffer.concat([PAYLOAD, Buffer.from(' ')]), headers), {
    code: 'WEBHOOK_SIGNATURE_MISMATCH',
    number: 6005,
  })
})

test('paraph refuses a stale official timestamp unless the tolerance allows it', () => {
  const at = new Date(Date.now() - 600_000)
  const headers = {
    'webhook-id': 'msg_js_2',
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new OfficialWebhook(SECRET).sign('msg_js_2', at, PAYLOAD.toString()),
  }
  assert.throws(() => new Webhook(SECRET).verify(PAYLOAD, headers), { code: 'WEBHOOK_TIMESTAMP_TOO_OLD' })
  new Webhook(SECRET, { tolerance: 900 }).verify(PAYLOAD, headers)
  verifyWebhook(SECRET, PAYLOAD, headers, { tolerance: 900 })
})

test('raw key bytes sign like their whsec text', () => {
  const raw = Uint8Array.from({ length: 32 }, (_, i) => i)
  const text = 'whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8='
  assert.equal(new Webhook(raw).sign('m1', 1, '{}'), new Webhook(text).sign('m1', 1, '{}'))
})

test('bad secrets, ids, headers and bodies have their codes', () => {
  for (const secret of ['whsec_', 'whsec_!!!', 'whsec_c2hvcnQ=']) {
    assert.throws(() => new Webhook(secret), { code: 'WEBHOOK_INVALID_SECRET' })
  }
  assert.throws(() => signWebhook(SECRET, 'has.dot', 1, PAYLOAD), { code: 'WEBHOOK_INVALID_MESSAGE_ID' })
  assert.throws(() => new Webhook(SECRET).verify(PAYLOAD, { 'webhook-id': 'm', 'webhook-timestamp': '1' }), {
    code: 'WEBHOOK_MISSING_HEADER',
  })
  const headers = signWebhook(SECRET, 'm2', nowSeconds(), 'not json')
  verifyWebhook(SECRET, 'not json', headers)
  assert.throws(() => new Webhook(SECRET).verify('not json', headers), { code: 'MALFORMED_JSON' })
})
