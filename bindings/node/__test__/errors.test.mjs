// Every code of fixtures/vectors/error_codes.json, through the addon.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as paraph from 'paraph'
import { vectors } from './helpers.mjs'

const { codes } = vectors('error_codes.json')

test('the table has every code of the vectors and no other', () => {
  assert.deepEqual(
    paraph.errorCodes().map((c) => [c.name, c.number, c.family, c.httpStatus, c.message]),
    codes.map((c) => [c.name, c.code, c.family, c.httpStatus, c.message]),
  )
})

test('each code is thrown as an Error with its code, number, family and status', () => {
  for (const entry of codes) {
    assert.throws(
      () => paraph._throwForTests(entry.code),
      (err) => {
        assert.ok(err instanceof Error, entry.name)
        assert.equal(err.code, entry.name)
        assert.equal(err.number, entry.code)
        assert.equal(err.family, entry.family)
        assert.equal(err.httpStatus, entry.httpStatus)
        assert.equal(err.message, `test error ${entry.name}`)
        return true
      },
    )
  }
})

test('an unknown number is an invalid argument', () => {
  assert.throws(() => paraph._throwForTests(1), { code: 'INVALID_ARGUMENT', number: 1001 })
})

test('a panic in a synchronous call is thrown as PANIC, and the process lives on', () => {
  assert.throws(() => paraph._panicForTests('deliberate test panic'), (err) => {
    assert.ok(err instanceof Error)
    assert.equal(err.code, 'PANIC')
    assert.equal(err.number, 9002)
    assert.match(err.message, /deliberate test panic/)
    return true
  })
  assert.equal(paraph.errorCodes().length, codes.length)
})

test('a panic on the thread pool rejects the Promise with PANIC', async () => {
  await assert.rejects(paraph._panicAsyncForTests('deliberate pool panic'), (err) => {
    assert.ok(err instanceof Error)
    assert.equal(err.code, 'PANIC')
    assert.equal(err.number, 9002)
    assert.match(err.message, /deliberate pool panic/)
    return true
  })
})

test('a core error on the thread pool rejects with its code and number', async () => {
  await assert.rejects(paraph.replayAsync([]), (err) => {
    assert.ok(err instanceof Error)
    assert.equal(err.code, 'INVALID_EVENT_LOG')
    assert.equal(err.number, 2027)
    assert.equal(err.httpStatus, 422)
    return true
  })
})
