// The envelope state machine through the addon: commands as the core's
// camelCase JSON, replay, and the same transitions as `paraph envelope apply`.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Envelope, replay, replayAsync } from 'paraph'

const SENDER = { type: 'apiKey', id: 'key_1' }
const START = Date.parse('2026-11-23T09:00:00Z')
const at = (minute) => new Date(START + minute * 60_000)
const CREATE = { id: 'env_1', subject: 'Employment contract', locale: 'fr' }
const CONSENT = (recipientId) => ({ type: 'consent', recipientId, version: '2026-11', textSha256: 'ef'.repeat(32) })

// One story: a contract signed by an employee, then an HR manager.
const STORY = [
  [{ type: 'addDocument', id: 'doc_1', name: 'contract.pdf', pageCount: 2, sha256: 'ab'.repeat(32) }, SENDER],
  [{ type: 'addRecipient', id: 'marie', name: 'Marie Dubois', email: 'marie@example.com', routingOrder: 1 }, SENDER],
  [{ type: 'addRecipient', id: 'hr', name: 'Hana Kim', email: 'hr@example.com', routingOrder: 2 }, SENDER],
  [
    {
      type: 'addField', id: 'f_sig', documentId: 'doc_1', recipientId: 'marie', kind: 'SIGNATURE',
      page: 2, rect: { x: 72, y: 600, width: 200, height: 50.5 },
    },
    SENDER,
  ],
  [
    {
      type: 'addField', id: 'f_hr', documentId: 'doc_1', recipientId: 'hr', kind: 'SIGNATURE',
      page: 2, rect: { x: 300, y: 600, width: 200, height: 50.5 },
    },
    SENDER,
  ],
  [{ type: 'send' }, SENDER],
  [{ type: 'view', recipientId: 'marie' }, { type: 'recipient', id: 'marie' }],
  [CONSENT('marie'), { type: 'recipient', id: 'marie' }],
  [
    {
      type: 'sign', recipientId: 'marie',
      documents: [{ documentId: 'doc_1', sha256: 'cd'.repeat(32) }],
      signature: { type: 'TYPED', text: 'Marie Dubois' },
    },
    { type: 'recipient', id: 'marie' },
  ],
  [CONSENT('hr'), { type: 'recipient', id: 'hr' }],
  [{ type: 'sign', recipientId: 'hr' }, { type: 'recipient', id: 'hr' }],
  // Once everyone signed, the completion is recorded with the final digests.
  [{ type: 'complete' }, { type: 'system' }],
]

function runStory() {
  let { envelope, events } = Envelope.create(CREATE, { now: at(0), actor: SENDER })
  const states = [envelope]
  const history = [...events]
  STORY.forEach(([command, actor], i) => {
    ;({ envelope, events } = envelope.apply(command, { now: at(i + 1), actor, ip: '192.0.2.7' }))
    states.push(envelope)
    history.push(...events)
  })
  return { states, history }
}

test('the story completes and replays into the same envelope', async () => {
  const { states, history } = runStory()
  const final = states.at(-1)
  assert.equal(final.status, 'COMPLETED')
  assert.equal(final.version, history.length)
  assert.deepEqual(history.map((e) => e.seq), history.map((_, i) => i + 1))
  assert.equal(history.at(-1).type, 'envelope.completed')
  assert.ok(replay(history).equals(final))
  assert.ok((await replayAsync(history)).equals(final))
})

test('apply leaves the envelope as it was', () => {
  const { envelope } = Envelope.create({ id: 'env_2', subject: 'S' }, { now: at(0), actor: SENDER })
  const before = JSON.stringify(envelope)
  const after = envelope.apply({ type: 'update', subject: 'T' }, { now: at(1), actor: SENDER }).envelope
  assert.equal(JSON.stringify(envelope), before)
  assert.deepEqual([envelope.subject, after.subject], ['S', 'T'])
})

test('JSON round trips: toJSON, fromJSON, fromObject', () => {
  const final = runStory().states.at(-1)
  assert.ok(Envelope.fromJSON(JSON.stringify(final)).equals(final))
  assert.ok(Envelope.fromObject(final.toJSON()).equals(final))
  assert.equal(final.toJSON().schemaVersion, 2)
  assert.ok(!Envelope.fromObject({ ...final.toJSON(), subject: 'other' }).equals(final))
})

test('a Date and an RFC 3339 string are the same instant', () => {
  const a = Envelope.create(CREATE, { now: at(0), actor: SENDER }).envelope
  const b = Envelope.create(CREATE, { now: '2026-11-23T10:00:00+01:00', actor: SENDER }).envelope
  assert.ok(a.equals(b))
})

test('refused commands throw with their codes', () => {
  const { envelope } = Envelope.create({ id: 'env_3', subject: 'S' }, { now: at(0), actor: SENDER })
  assert.throws(() => envelope.apply({ type: 'send' }, { now: at(1), actor: SENDER }), {
    code: 'NO_DOCUMENT', number: 2009, family: 'envelope', httpStatus: 409,
  })
  const final = runStory().states.at(-1)
  assert.throws(
    () => final.apply({ type: 'decline', recipientId: 'hr', reason: 'no' }, { now: at(30), actor: { type: 'recipient', id: 'hr' } }),
    { code: 'ENVELOPE_TERMINAL' },
  )
  assert.throws(() => envelope.apply({ type: 'update', subject: 'T' }, { now: at(-60), actor: SENDER }), {
    code: 'TIME_BEFORE_LAST_EVENT',
  })
})

test('bad input throws typed errors, never crashes', () => {
  const { envelope } = Envelope.create({ id: 'env_4', subject: 'S' }, { now: at(0), actor: SENDER })
  const ctx = { now: at(1), actor: SENDER }
  assert.throws(() => envelope.apply({ type: 'noSuchCommand' }, ctx), { code: 'MALFORMED_JSON' })
  assert.throws(() => envelope.apply({ type: 'update', subject: 3 }, ctx), { code: 'MALFORMED_JSON' })
  assert.throws(() => envelope.apply({ type: 'update' }, { now: 'yesterday', actor: SENDER }), { code: 'INVALID_ARGUMENT' })
  assert.throws(() => envelope.apply({ type: 'update' }, { now: at(1), actor: { type: 'robot' } }), { code: 'MALFORMED_JSON' })
  assert.throws(() => Envelope.fromJSON('{'), { code: 'MALFORMED_JSON' })
  assert.throws(() => Envelope.fromObject({ ...envelope.toJSON(), schemaVersion: 99 }), { code: 'UNSUPPORTED_SCHEMA_VERSION' })
  assert.throws(() => replay([]), { code: 'INVALID_EVENT_LOG' })
  assert.throws(() => replay([{ nope: true }]), { code: 'MALFORMED_JSON' })
  // Wrong JS types are refused by napi before paraph sees them.
  assert.throws(() => envelope.apply({ type: 'update' }, { now: 42, actor: SENDER }))
})

const CLI = process.env.PARAPH_BIN

test('every transition is the one `paraph envelope apply` produces', { skip: !CLI && 'PARAPH_BIN is not set; scripts/test-node sets it' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'paraph-node-'))
  const label = (actor) => (actor.id === undefined ? actor.type : `${actor.type}:${actor.id}`)
  const cli = (...args) => {
    const out = spawnSync(CLI, ['envelope', 'apply', ...args])
    assert.equal(out.status, 0, out.stderr?.toString())
    return JSON.parse(out.stdout.toString())
  }
  const { states, history } = runStory()
  writeFileSync(join(dir, 'create.json'), JSON.stringify({ type: 'create', ...CREATE }))
  let expected = cli(join(dir, 'create.json'), '--now', at(0).toISOString(), '--actor', label(SENDER))
  assert.deepEqual(expected, { envelope: states[0].toJSON(), events: [history[0]] })
  let seen = 1
  STORY.forEach(([command, actor], i) => {
    writeFileSync(join(dir, 'state.json'), JSON.stringify(expected.envelope))
    writeFileSync(join(dir, 'command.json'), JSON.stringify(command))
    expected = cli(join(dir, 'state.json'), join(dir, 'command.json'), '--now', at(i + 1).toISOString(),
      '--actor', label(actor), '--ip', '192.0.2.7')
    assert.deepEqual(expected.envelope, states[i + 1].toJSON())
    assert.deepEqual(expected.events, history.slice(seen, seen + expected.events.length))
    seen += expected.events.length
  })
  assert.equal(seen, history.length)
})
