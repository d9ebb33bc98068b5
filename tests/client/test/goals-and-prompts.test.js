'use strict'
// Shared goals moved by status from either phone, and prompt answers with mutual reveal.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const { couple, ritual, assertSettled } = require('../lib/fixtures')

const goal = (overrides = {}) => ({
  title: 'Weekend in Lisbon',
  description: '',
  status: 'proposed',
  target_date: null,
  ritual_ids: '[]',
  version: 0,
  ...overrides,
})

test('the partner accepts a goal offline by setting its status, then either completes it', async () => {
  const { alex, alexPhone, samPhone } = await couple()
  const id = await alexPhone.create('goals', goal())
  assert.deepEqual(await alexPhone.sync(), [])
  await samPhone.sync()
  await samPhone.update('goals', id, { status: 'accepted' })
  assert.deepEqual(await samPhone.sync(), [])
  assert.equal((await alex.api.get(`/goals/${id}`)).body.status, 'accepted')
  await alexPhone.sync()
  assert.equal((await alexPhone.row('goals', id)).status, 'accepted')
  await alexPhone.update('goals', id, { status: 'completed' })
  assert.deepEqual(await alexPhone.sync(), [])
  await samPhone.sync()
  assert.equal((await samPhone.row('goals', id)).status, 'completed')
  await assertSettled(alexPhone)
  await assertSettled(samPhone)
})

test('the partner declines, the proposer withdraws, and a step that is not yours is refused and undone', async () => {
  const { alex, alexPhone, samPhone } = await couple()
  const declined = await alexPhone.create('goals', goal({ title: 'Run a marathon' }))
  const withdrawn = await alexPhone.create('goals', goal({ title: 'Learn tango' }))
  const own = await alexPhone.create('goals', goal({ title: 'Cook together' }))
  await alexPhone.sync()
  await samPhone.sync()
  await samPhone.update('goals', declined, { status: 'declined' })
  await alexPhone.update('goals', withdrawn, { status: 'withdrawn' })
  await alexPhone.update('goals', own, { status: 'accepted' }) // the proposer cannot accept their own
  assert.deepEqual(await samPhone.sync(), [])
  const rejected = await alexPhone.sync()
  assert.deepEqual(
    rejected.map((r) => [r.table, r.id, r.code, r.retry]),
    [['goals', own, 'not_your_turn', false]],
  )
  // The next sync brings the server's goal back: the phone shows it proposed, and nothing is left to push.
  await alexPhone.sync()
  assert.equal((await alexPhone.row('goals', own)).status, 'proposed')
  assert.equal(await alexPhone.unsynced(), false)
  const statuses = Object.fromEntries(
    (await alex.api.get('/goals')).body.results.map((g) => [g.id, g.status]),
  )
  assert.deepEqual(statuses, { [declined]: 'declined', [withdrawn]: 'withdrawn', [own]: 'proposed' })
})

test("a goal's ritual_ids stop listing a ritual that was deleted", async () => {
  const { alex, alexPhone, samPhone } = await couple()
  const linked = await alexPhone.create('rituals', ritual())
  const id = await alexPhone.create('goals', goal({ ritual_ids: JSON.stringify([linked]) }))
  assert.deepEqual(await alexPhone.sync(), [])
  await samPhone.sync()
  assert.deepEqual(JSON.parse((await samPhone.row('goals', id)).ritual_ids), [linked])
  await alex.api.delete(`/rituals/${linked}`)
  await samPhone.sync()
  await alexPhone.sync()
  for (const phone of [alexPhone, samPhone]) {
    assert.deepEqual(JSON.parse((await phone.row('goals', id)).ritual_ids), [], phone.name)
    assert.equal(await phone.row('rituals', linked), undefined, phone.name)
  }
})

test('prompt answers keep the phone ids and stay hidden until both answered; replays are harmless', async () => {
  const { alex, sam, alexPhone, samPhone } = await couple()
  const { body: today } = await alex.api.get('/prompts/today')
  await alexPhone.sync()
  await samPhone.sync()
  assert.ok(await alexPhone.row('daily_prompts', today.id))
  const mine = await alexPhone.create('prompt_answers', { daily_prompt_id: today.id, text: 'Our first trip', revealed: false })
  assert.deepEqual(await alexPhone.sync(), [])
  assert.equal((await alex.api.get('/prompts/today')).body.my_answer.text, 'Our first trip')
  assert.equal(Object.keys(await alexPhone.rows('prompt_answers')).length, 1) // no second copy under a server id
  await samPhone.sync()
  assert.deepEqual([(await samPhone.row('prompt_answers', mine)).text, (await samPhone.row('prompt_answers', mine)).revealed], ['', false])
  const theirs = await samPhone.create('prompt_answers', { daily_prompt_id: today.id, text: 'The rain in Porto', revealed: false })
  assert.deepEqual(await samPhone.sync(), [])
  await alexPhone.sync()
  await samPhone.sync()
  for (const phone of [alexPhone, samPhone]) {
    const rows = await phone.rows('prompt_answers')
    assert.deepEqual(
      [rows[mine].text, rows[theirs].text, rows[mine].revealed, rows[theirs].revealed],
      ['Our first trip', 'The rain in Porto', true, true],
      phone.name,
    )
  }
  // The same push again (a response lost): nothing is refused.
  const body = { changes: { prompt_answers: { created: [{ id: mine, daily_prompt_id: today.id, text: 'Our first trip' }], updated: [], deleted: [] } } }
  const cursor = alex.api.pullBodies.at(-1).timestamp
  assert.deepEqual((await alex.api.post(`/sync/push?last_pulled_at=${cursor}`, body)).body.rejections, [])
  assert.ok(sam)
})
