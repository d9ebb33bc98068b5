'use strict'
// A new account's first sync, custom rituals, paused rituals, and the first pull's shape.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const { register } = require('../lib/api')
const { Phone, watermelonErrors } = require('../lib/phone')
const { ritual, checkIn, couple, restIds, assertSettled } = require('../lib/fixtures')

test('a never-paired account syncs, and its offline check-in reaches the server', async () => {
  const solo = await register('Robin')
  const phone = new Phone(solo.api, 'robin')
  await phone.sync() // the first pull's timestamp is never 0
  assert.ok(solo.api.pullBodies[0].timestamp > 0)
  const id = await phone.create('check_ins', checkIn({ is_shared: false }))
  assert.deepEqual(await phone.sync(), [])
  assert.ok((await restIds(solo.api, '/check-ins')).has(id))
  await assertSettled(phone)
})

test('the first pull sends updated records, so sendCreatedAsUpdated logs no error', async () => {
  const { alex, alexPhone } = await couple()
  await alex.api.post('/rituals', { title: 'Hug', category: 'affection', rrule: 'FREQ=DAILY', local_time: '08:00' })
  const before = watermelonErrors.length
  const fresh = new Phone(alex.api, 'alex-new-phone')
  await fresh.sync()
  const body = alex.api.pullBodies.at(-1)
  for (const [table, parts] of Object.entries(body.changes)) assert.equal(parts.created.length, 0, table)
  const logged = watermelonErrors.slice(before)
  assert.deepEqual(logged.filter((m) => m.includes('sendCreatedAsUpdated')), [], logged.join('\n'))
  assert.equal(Object.keys(await fresh.rows('rituals')).length, 1)
  assert.ok(alexPhone)
})

test('a custom ritual created offline (template_id null) syncs to the partner, and paused stays paused', async () => {
  const { alex, alexPhone, samPhone } = await couple()
  const custom = await alexPhone.create('rituals', ritual())
  const paused = await alexPhone.create('rituals', ritual({ title: 'Sunday walk', status: 'paused' }))
  assert.deepEqual(await alexPhone.sync(), [])
  const { body } = await alex.api.get(`/rituals/${paused}`)
  assert.equal(body.status, 'paused')
  await samPhone.sync()
  const rows = await samPhone.rows('rituals')
  assert.equal(rows[custom].title, 'Phone-free dinner')
  assert.equal(rows[custom].template_id, null)
  assert.equal(rows[paused].status, 'paused')
  await assertSettled(alexPhone)
})
