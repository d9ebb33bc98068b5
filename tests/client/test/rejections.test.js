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

test("records with WatermelonDB's default 16-character ids are refused alone (or kept), never blocking", async () => {
  const { alex, alexPhone } = await couple()
  const legacy = await alexPhone.createWithId('check_ins', 'abcdefghijklmnop', checkIn())
  const fine = await alexPhone.create('check_ins', checkIn({ note: 'with a uuid' }))
  const rejected = codes(await alexPhone.sync())
  // docs/sync.md: refused as `invalid_id`; accepting it would do too. Either way nothing else waits.
  assert.ok(rejected.length === 0 || JSON.stringify(rejected) === JSON.stringify([['check_ins', 'invalid_id', false]]), JSON.stringify(rejected))
  assert.ok((await restIds(alex.api, '/check-ins')).has(fine))
  assert.deepEqual(await alexPhone.sync(), [])
  const onServer = (await restIds(alex.api, '/check-ins')).has(legacy)
  assert.equal(Boolean(await alexPhone.row('check_ins', legacy)), onServer, 'the phone holds the legacy record iff the server does')
  assert.equal(onServer, rejected.length === 0)
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

test('a push the server refuses as a whole (401) throws, and the changes wait for the next sync', async () => {
  const { alex, alexPhone } = await couple()
  const id = await alexPhone.create('check_ins', checkIn())
  const access = alexPhone.api.access
  alexPhone.api.beforePush = async () => {
    alexPhone.api.access = 'not-a-token'
  }
  await assert.rejects(alexPhone.sync(), (error) => error.status === 401)
  assert.equal(await alexPhone.unsynced(), true)
  alexPhone.api.access = access
  assert.deepEqual(await alexPhone.sync(), [])
  assert.ok((await restIds(alex.api, '/check-ins')).has(id))
  await assertSettled(alexPhone)
})

test('create, lose the response, edit offline, sync again: the server has the edit', async () => {
  const { alex, alexPhone } = await couple()
  const id = await alexPhone.create('rituals', ritual())
  alexPhone.api.losePushResponse = true
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
  const goalId = crypto.randomUUID()
  const checkInId = crypto.randomUUID()
  const changes = {
    rituals: {
      created: [
        { id: ritualId, ...ritual({ rrule: 'BYDAY=MO;FREQ=WEEKLY', local_time: '07:00', title: ' Padded title ' }) },
        { id: other, ...ritual({ title: 'Second' }) },
      ],
      updated: [],
      deleted: [],
    },
    goals: {
      created: [{ id: goalId, title: 'Two rituals', description: '', status: 'proposed', ritual_ids: JSON.stringify([other, ritualId]) }],
      updated: [],
      deleted: [],
    },
    check_ins: { created: [{ id: checkInId, ...checkIn() }], updated: [], deleted: [] }, // no local_date
  }
  const push = async () => (await alex.api.post(`/sync/push?last_pulled_at=${cursor}`, { changes })).body.rejections
  assert.deepEqual(await push(), [])
  assert.deepEqual(await push(), []) // the very same bytes
  // The same values as the server stores them, or in another spelling, with server-derived columns.
  Object.assign(changes.rituals.created[0], { rrule: 'FREQ=WEEKLY;BYDAY=MO', local_time: '07:00:00', title: 'Padded title' })
  changes.goals.created[0].ritual_ids = JSON.stringify([ritualId, other])
  Object.assign(changes.check_ins.created[0], { local_date: '1999-01-01', created_at: 1, user_id: alex.user.id })
  assert.deepEqual(await push(), [])
  changes.goals.created[0].ritual_ids = `[ "${other}",  "${ritualId}" ]`
  assert.deepEqual(await push(), [])
  const { body } = await alex.api.get(`/rituals/${ritualId}`)
  assert.deepEqual([body.title, body.local_time.slice(0, 5)], ['Padded title', '07:00'])
  const fresh = new Phone(alex.api, 'alex-second')
  await assertSettled(fresh)
  assert.notEqual((await fresh.row('check_ins', checkInId)).local_date, '1999-01-01')
})

test('invalid values, a second completion of one occurrence, and ids of another couple are refused alone', async () => {
  const { alex, alexPhone, samPhone } = await couple()
  const other = await couple() // a stranger's couple
  const strangerRitual = await other.alexPhone.create('rituals', ritual({ title: 'Not yours' }))
  await other.alexPhone.sync()
  const { body: made } = await alex.api.post('/rituals', {
    title: 'Morning coffee', category: 'conversation', rrule: 'FREQ=DAILY', local_time: '07:00',
    start_date: '2026-01-01', time_zone: 'UTC',
  })
  await alexPhone.sync()
  const at = Date.parse('2026-02-01T07:00:00Z')
  const completion = { ritual_id: made.id, user_id: alex.user.id, note: '', connection_rating: null }
  const first = await alexPhone.create('ritual_completions', { ...completion, occurrence_at: at })
  const again = await alexPhone.create('ritual_completions', { ...completion, occurrence_at: at })
  const elsewhere = await alexPhone.create('ritual_completions', { ...completion, ritual_id: strangerRitual, occurrence_at: at })
  const moody = await alexPhone.create('check_ins', checkIn({ mood: 7 }))
  const taken = await alexPhone.createWithId('rituals', strangerRitual, ritual({ title: 'Same id' }))
  const fine = await alexPhone.create('check_ins', checkIn({ note: 'fine' }))

  const rejected = await alexPhone.sync()

  const byId = Object.fromEntries(rejected.map((r) => [r.id, [r.code, r.retry]]))
  // Whichever of the two completions of one occurrence the phone sent second is refused.
  const [kept, refused] = byId[again] ? [first, again] : [again, first]
  assert.deepEqual(byId, {
    [refused]: ['already_completed', false],
    [elsewhere]: ['not_found', false],
    [moody]: ['validation_error', false],
    [taken]: ['id_conflict', false],
  })
  // The next syncs drop what the server refused and keep the rest; nothing is left to push.
  await alexPhone.sync()
  for (const id of [refused, elsewhere]) assert.equal(await alexPhone.row('ritual_completions', id), undefined)
  assert.equal(await alexPhone.row('check_ins', moody), undefined)
  assert.equal(await alexPhone.row('rituals', taken), undefined)
  assert.ok(await alexPhone.row('ritual_completions', kept))
  assert.ok((await restIds(alex.api, '/check-ins')).has(fine))
  assert.equal((await other.alex.api.get(`/rituals/${strangerRitual}`)).body.title, 'Not yours')
  await assertSettled(alexPhone)
  await samPhone.sync()
  assert.deepEqual(Object.keys(await samPhone.rows('ritual_completions')), [kept])
})
