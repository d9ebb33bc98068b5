'use strict'
const crypto = require('node:crypto')
// Nothing a phone pushes can leave it unsyncable: each refused record is rejected alone, the rest
// lands, and the next synchronize() succeeds and converges with what REST shows.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const { Phone } = require('../lib/phone')
const { couple, ritual, checkIn, restIds, assertSettled } = require('../lib/fixtures')

const codes = (rejections) => rejections.map((r) => [r.table, r.code, r.retry])

test('a ritual written offline after the couple ended is dropped; the check-in beside it lands', async () => {
  const { alex, alexPhone, sam } = await couple()
  const offline = await alexPhone.create('rituals', ritual())
  const mood = await alexPhone.create('check_ins', checkIn())
  await sam.api.post('/couple/unpair', { confirm: true })
  assert.deepEqual(codes(await alexPhone.sync()), [['rituals', 'not_paired', false]])
  await alexPhone.sync()
  assert.equal(await alexPhone.row('rituals', offline), undefined)
  assert.ok(await alexPhone.row('check_ins', mood))
  assert.ok((await restIds(alex.api, '/check-ins')).has(mood))
  await assertSettled(alexPhone)
})

test('deleting a check-in on the phone is refused and the check-in comes back', async () => {
  const { alex, alexPhone } = await couple()
  const id = await alexPhone.create('check_ins', checkIn())
  await alexPhone.sync()
  await alexPhone.markAsDeleted('check_ins', id)
  assert.deepEqual(codes(await alexPhone.sync()), [['check_ins', 'read_only', false]])
  await alexPhone.sync()
  assert.equal((await alexPhone.row('check_ins', id)).note, 'a good day')
  assert.ok((await restIds(alex.api, '/check-ins')).has(id))
  await assertSettled(alexPhone)
})

test('21 nudges against a daily quota of 20: one is refused, the unrelated check-in lands', async () => {
  const { alex, alexPhone, samPhone } = await couple()
  const nudges = []
  for (let i = 0; i < 21; i += 1) {
    nudges.push(await alexPhone.create('nudges', { kind: 'hug', message: '', response: '', response_text: '' }))
  }
  const mood = await alexPhone.create('check_ins', checkIn())
  assert.deepEqual(codes(await alexPhone.sync()), [['nudges', 'nudge_quota_exceeded', false]])
  await alexPhone.sync()
  assert.equal(Object.keys(await alexPhone.rows('nudges')).length, 20)
  assert.ok((await restIds(alex.api, '/check-ins')).has(mood))
  await samPhone.sync()
  assert.equal(Object.keys(await samPhone.rows('nudges')).length, 20)
  await assertSettled(alexPhone)
})

test('1,001 check-ins in one table sync in one go', async () => {
  const { alexPhone, samPhone } = await couple()
  await alexPhone.db.write(async () => {
    const records = []
    for (let i = 0; i < 1001; i += 1) {
      records.push(
        alexPhone.db.get('check_ins').prepareCreate((r) => {
          for (const [k, v] of Object.entries(checkIn({ mood: 1 + (i % 5), is_shared: i % 2 === 0 }))) r._setRaw(k, v)
        }),
      )
    }
    await alexPhone.db.batch(records)
  })
  assert.deepEqual(await alexPhone.sync(), [])
  await samPhone.sync()
  assert.equal(Object.keys(await samPhone.rows('check_ins')).length, 501)
  await assertSettled(alexPhone)
})

test("records with WatermelonDB's default 16-character ids are refused alone and dropped", async () => {
  const { alex, alexPhone } = await couple()
  const legacy = await alexPhone.createWithId('check_ins', 'abcdefghijklmnop', checkIn())
  const fine = await alexPhone.create('check_ins', checkIn({ note: 'with a uuid' }))
  assert.deepEqual(codes(await alexPhone.sync()), [['check_ins', 'invalid_id', false]])
  await alexPhone.sync()
  assert.equal(await alexPhone.row('check_ins', legacy), undefined)
  assert.ok((await restIds(alex.api, '/check-ins')).has(fine))
  await assertSettled(alexPhone)
})

test('a record the server changed meanwhile is a conflict: the phone merges it and its edit lands', async () => {
  const { alex, alexPhone, samPhone } = await couple()
  const id = await alexPhone.create('rituals', ritual())
  await alexPhone.sync()
  await samPhone.sync()
  await samPhone.update('rituals', id, { title: 'Dinner, no phones' })
  await alexPhone.update('rituals', id, { grace_days: 3 })
  // Sam's phone pushes between Alex's pull and Alex's push.
  alexPhone.api.beforePush = () => samPhone.sync()
  const first = await alexPhone.sync()
  assert.deepEqual(codes(first), [['rituals', 'sync_conflict', true]])
  assert.deepEqual(await alexPhone.syncUntilSettled(), [])
  const { body } = await alex.api.get(`/rituals/${id}`)
  assert.deepEqual([body.title, body.grace_days], ['Dinner, no phones', 3])
  await samPhone.sync()
  assert.equal((await samPhone.row('rituals', id)).grace_days, 3)
  await assertSettled(alexPhone)
})

test('create, lose the response, edit offline, sync again: the server has the edit', async () => {
  const { alex, alexPhone } = await couple()
  const id = await alexPhone.create('rituals', ritual())
  alexPhone.api.onPush = () => {
    alexPhone.api.onPush = null
    throw new Error('the network dropped the response')
  }
  await assert.rejects(alexPhone.sync(), /dropped/)
  assert.equal((await alex.api.get(`/rituals/${id}`)).body.title, 'Phone-free dinner') // it did land
  await alexPhone.update('rituals', id, { title: 'Dinner by candlelight' })
  await alexPhone.syncUntilSettled()
  assert.equal((await alex.api.get(`/rituals/${id}`)).body.title, 'Dinner by candlelight')
  assert.equal((await alexPhone.row('rituals', id)).title, 'Dinner by candlelight')
  await assertSettled(alexPhone)
})

test('the same push sent twice, with values the server normalises, is not refused the second time', async () => {
  const { alex, alexPhone } = await couple()
  await alexPhone.sync()
  const cursor = alex.api.pullBodies.at(-1).timestamp
  const ritualId = crypto.randomUUID()
  const other = crypto.randomUUID()
  const changes = {
    rituals: {
      created: [
        { id: ritualId, ...ritual({ rrule: 'BYDAY=TH;FREQ=WEEKLY', local_time: '19:30', title: ' Padded title ' }) },
        { id: other, ...ritual({ title: 'Second' }) },
      ],
      updated: [],
      deleted: [],
    },
    goals: {
      created: [{ id: crypto.randomUUID(), title: 'Two rituals', status: 'proposed', ritual_ids: JSON.stringify([other, ritualId]) }],
      updated: [],
      deleted: [],
    },
    check_ins: { created: [{ id: crypto.randomUUID(), ...checkIn(), local_date: '1999-01-01' }], updated: [], deleted: [] },
  }
  assert.deepEqual((await alex.api.post(`/sync/push?last_pulled_at=${cursor}`, { changes })).body.rejections, [])
  changes.goals.created[0].ritual_ids = JSON.stringify([ritualId, other]) // another order, same list
  assert.deepEqual((await alex.api.post(`/sync/push?last_pulled_at=${cursor}`, { changes })).body.rejections, [])
  await assertSettled(new Phone(alex.api, 'alex-second'))
})
