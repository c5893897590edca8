// The package loads with require() and with import, with the same exports.
const { test } = require('node:test')
const assert = require('node:assert/strict')

test('require and import give the same bindings', async () => {
  const required = require('paraph')
  const imported = await import('paraph')
  for (const name of ['Envelope', 'Webhook', 'replay', 'replayAsync', 'signWebhook', 'verifyWebhook',
    'signWebhookHex', 'verifyWebhookHex', 'errorCodes', 'VERSION']) {
    assert.ok(required[name] !== undefined, `require: ${name}`)
    assert.equal(imported[name], required[name], `import: ${name}`)
  }
  assert.equal(required.VERSION, require('../package.json').version)
})
