'use strict'
// Shared goals moved by status from either phone, and prompt answers with mutual reveal.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const { signIn } = require('../lib/api')
const { Phone } = require('../lib/phone')
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
  const alexTablet = new Phone(await signIn(alex.email), 'alex-tablet')
  const id = await alexPhone.create('goals', goal())
  assert.deepEqual(await alexPhone.sync(), [])
  await samPhone.sync()
  await samPhone.update('goals', id, { status: 'accepted' })
  assert.deepEqual(await samPhone.sync(), [])
  assert.equal((await alex.api.get(`/goals/${id}`)).body.status, 'accepted')
  for (const phone of [alexPhone, alexTablet]) {
    await phone.sync()
    assert.equal((await phone.row('goals', id)).status, 'accepted', phone.name)
  }
  await alexPhone.update('goals', id, { status: 'completed' })
  assert.deepEqual(await alexPhone.sync(), [])
  for (const phone of [samPhone, alexTablet]) {
    await phone.sync()
    assert.equal((await phone.row('goals', id)).status, 'completed', phone.name)
  }
  assert.equal((await alex.api.get(`/goals/${id}`)).body.status, 'completed')
  for (const phone of [alexPhone, samPhone, alexTablet]) await assertSettled(phone)
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

test("a goal's ritual_ids stop listing a ritual deleted over REST or from the partner's phone", async () => {
  const { alex, alexPhone, samPhone } = await couple()
  const viaRest = await alexPhone.create('rituals', ritual())
  const viaPhone = await alexPhone.create('rituals', ritual({ title: 'Sunday walk' }))
  const kept = await alexPhone.create('rituals', ritual({ title: 'Morning tea' }))
  const id = await alexPhone.create('goals', goal({ ritual_ids: JSON.stringify([viaRest, viaPhone, kept]) }))
  assert.deepEqual(await alexPhone.sync(), [])
  await samPhone.sync()
  assert.deepEqual(JSON.parse((await samPhone.row('goals', id)).ritual_ids).sort(), [viaRest, viaPhone, kept].sort())
  await alex.api.delete(`/rituals/${viaRest}`)
  await samPhone.markAsDeleted('rituals', viaPhone)
  assert.deepEqual(await samPhone.sync(), [])
  await samPhone.sync()
  await alexPhone.sync()
  assert.deepEqual((await alex.api.get(`/goals/${id}`)).body.ritual_ids, [kept])
  for (const phone of [alexPhone, samPhone]) {
    assert.deepEqual(JSON.parse((await phone.row('goals', id)).ritual_ids), [kept], phone.name)
    assert.equal(await phone.row('rituals', viaRest), undefined, phone.name)
    assert.equal(await phone.row('rituals', viaPhone), undefined, phone.name)
    await assertSettled(phone)
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
  // REST shows no answer ids (docs/api.md, prompts/today): a fresh phone's first pull shows the server's.
  const fresh = new Phone(alex.api, 'alex-fresh')
  await fresh.sync()
  assert.deepEqual(Object.keys(await fresh.rows('prompt_answers')), [mine])
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

test('an answer edited before the partner answered lands; an edit after the reveal is refused and undone', async () => {
  const { alex, alexPhone, samPhone } = await couple()
  const { body: today } = await alex.api.get('/prompts/today')
  await alexPhone.sync()
  await samPhone.sync()
  const mine = await alexPhone.create('prompt_answers', { daily_prompt_id: today.id, text: 'Lisbon', revealed: false })
  await alexPhone.sync()
  await alexPhone.update('prompt_answers', mine, { text: 'Lisbon in May' })
  assert.deepEqual(await alexPhone.sync(), [])
  assert.equal((await alex.api.get('/prompts/today')).body.my_answer.text, 'Lisbon in May')
  await samPhone.create('prompt_answers', { daily_prompt_id: today.id, text: 'Kyoto', revealed: false })
  await samPhone.sync()
  await alexPhone.sync()
  await alexPhone.update('prompt_answers', mine, { text: 'Actually, Porto' })
  const rejected = await alexPhone.sync()
  assert.deepEqual(rejected.map((r) => [r.table, r.id, r.code, r.retry]), [['prompt_answers', mine, 'answers_revealed', false]])
  await alexPhone.sync()
  assert.deepEqual(
    [(await alexPhone.row('prompt_answers', mine)).text, (await alexPhone.row('prompt_answers', mine)).revealed],
    ['Lisbon in May', true],
  )
  await assertSettled(alexPhone)
})

test('edits to read-only tables and create-only check-ins are refused (or ignored) and the phone takes the server\'s rows back', async () => {
  const { alex, sam, alexPhone } = await couple()
  const { body: today } = await alex.api.get('/prompts/today')
  await alexPhone.sync()
  const mood = await alexPhone.create('check_ins', { mood: 3, connection: 3, note: 'as written', is_shared: true })
  await alexPhone.sync()
  const prompt = await alexPhone.row('daily_prompts', today.id)
  await alexPhone.update('check_ins', mood, { note: 'rewritten later' }) // check-ins are create-only
  await alexPhone.update('daily_prompts', today.id, { prompt_text: 'Something else' })
  await alexPhone.update('partner_profiles', sam.user.id, { display_name: 'Samwise' })
  const rejected = await alexPhone.sync()
  // Refused as `read_only` (docs/api.md), or ignored: either way the phone must end up with the
  // server's rows, not keep its edit as if it had been applied.
  for (const r of rejected) assert.deepEqual([r.code, r.retry], ['read_only', false], JSON.stringify(r))
  await alexPhone.sync()
  assert.equal((await alexPhone.row('daily_prompts', today.id)).prompt_text, prompt.prompt_text)
  assert.equal((await alexPhone.row('partner_profiles', sam.user.id)).display_name, 'Sam')
  assert.equal((await alexPhone.row('check_ins', mood)).note, 'as written')
  assert.equal((await alex.api.get('/check-ins')).body.results.find((c) => c.id === mood).note, 'as written')
  await assertSettled(alexPhone)
})

test('goal edits by status and content: accept with an edit, the partner editing a proposal, abandon, a closed goal, a lost race', async () => {
  const { alex, alexPhone, samPhone } = await couple()
  const porto = await alexPhone.create('goals', goal({ title: 'Weekend away' }))
  const reword = await alexPhone.create('goals', goal({ title: 'Dance class' }))
  const race = await alexPhone.create('goals', goal({ title: 'Adopt a cat' }))
  await alexPhone.sync()
  await samPhone.sync()
  const status = async (id) => (await alex.api.get(`/goals/${id}`)).body

  // Sam accepts and rewords in one offline change; Sam rewording a proposal without accepting is not Sam's turn.
  await samPhone.update('goals', porto, { status: 'accepted', title: 'Weekend in Porto' })
  await samPhone.update('goals', reword, { title: 'Salsa class' })
  // Meanwhile Alex withdraws the goal Sam's phone also accepts offline: Sam syncs first and wins.
  await samPhone.update('goals', race, { status: 'accepted' })
  await alexPhone.update('goals', race, { status: 'withdrawn' })
  const samRejected = await samPhone.sync()
  assert.deepEqual(samRejected.map((r) => [r.id, r.code, r.retry]), [[reword, 'not_your_turn', false]])
  assert.deepEqual([(await status(porto)).status, (await status(porto)).title], ['accepted', 'Weekend in Porto'])
  assert.equal((await status(race)).status, 'accepted')
  const alexRejected = await alexPhone.syncUntilSettled()
  assert.deepEqual(alexRejected.filter((r) => !r.retry).map((r) => [r.id, r.code]), [[race, 'invalid_transition']])
  await alexPhone.sync()
  assert.equal((await alexPhone.row('goals', race)).status, 'accepted')
  await samPhone.sync()
  assert.equal((await samPhone.row('goals', reword)).title, 'Dance class')

  // Alex abandons the accepted goal; then an edit of the closed goal is refused and undone.
  await alexPhone.update('goals', porto, { status: 'abandoned' })
  assert.deepEqual(await alexPhone.sync(), [])
  assert.equal((await status(porto)).status, 'abandoned')
  await samPhone.sync()
  await samPhone.update('goals', porto, { title: 'Weekend in Lisbon' })
  assert.deepEqual((await samPhone.sync()).map((r) => [r.id, r.code, r.retry]), [[porto, 'goal_not_editable', false]])
  for (const phone of [alexPhone, samPhone]) {
    await phone.sync()
    const row = await phone.row('goals', porto)
    assert.deepEqual([row.status, row.title], ['abandoned', 'Weekend in Porto'], phone.name)
    await assertSettled(phone)
  }
})
