'use strict'
// Nudges sent, seen and answered from the phones, and the inbox marked read from a phone.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const { couple, assertSettled } = require('../lib/fixtures')

const nudge = (overrides = {}) => ({ kind: 'appreciation', message: 'Thank you for breakfast', response: '', response_text: '', ...overrides })

test('a nudge sent offline is seen and answered on the partner\'s phone; the inbox is read from the phone', async () => {
  const { alex, sam, alexPhone, samPhone } = await couple()
  const id = await samPhone.create('nudges', nudge())
  assert.deepEqual(await samPhone.sync(), [])
  await alexPhone.sync()
  assert.equal((await alexPhone.row('nudges', id)).message, 'Thank you for breakfast')
  const inbox = Object.values(await alexPhone.rows('notifications')).filter((n) => n.kind === 'nudge')
  assert.equal(inbox.length, 1, 'the nudge notification reaches the recipient\'s phone')
  assert.equal(JSON.parse(inbox[0].data).nudge_id, id)

  await alexPhone.update('nudges', id, { seen_at: Date.now() })
  await alexPhone.update('notifications', inbox[0].id, { read_at: Date.now() })
  assert.deepEqual(await alexPhone.sync(), [])
  const { body: notifications } = await alex.api.get('/notifications')
  assert.equal(notifications.results.find((n) => n.id === inbox[0].id).is_read, true)
  const feed = async (api) => Object.fromEntries((await api.get('/nudges')).body.results.map((n) => [n.id, n]))
  assert.equal((await feed(alex.api))[id].state, 'seen')

  await alexPhone.update('nudges', id, { response: 'text', response_text: 'Love you too' })
  assert.deepEqual(await alexPhone.sync(), [])
  assert.deepEqual(
    [(await feed(sam.api))[id].state, (await feed(sam.api))[id].response_text],
    ['responded', 'Love you too'],
  )
  await samPhone.sync()
  const onSam = await samPhone.row('nudges', id)
  assert.deepEqual([onSam.response, onSam.response_text], ['text', 'Love you too'])
  assert.ok(onSam.responded_at > 0)
  assert.ok(Object.values(await samPhone.rows('notifications')).some((n) => n.kind === 'nudge_response'))
  await assertSettled(alexPhone)
  await assertSettled(samPhone)
})

test('the sender answering their own nudge is refused for good, and the phone takes the server\'s nudge back', async () => {
  const { sam, samPhone, alexPhone } = await couple()
  const id = await samPhone.create('nudges', nudge({ kind: 'hug', message: '' }))
  await samPhone.sync()
  await samPhone.update('nudges', id, { response: 'heart' })
  const rejected = await samPhone.sync()
  assert.deepEqual(rejected.map((r) => [r.table, r.id, r.retry]), [['nudges', id, false]])
  await samPhone.sync()
  assert.equal((await samPhone.row('nudges', id)).response, '')
  assert.equal(await samPhone.unsynced(), false)
  const { body } = await sam.api.get('/nudges')
  assert.equal(body.results.find((n) => n.id === id).response, '')
  await alexPhone.sync()
  assert.equal((await alexPhone.row('nudges', id)).response, '')
})
