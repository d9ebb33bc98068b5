'use strict'
// Records as the app writes them offline, and helpers shared by the scenarios.
const assert = require('node:assert/strict')
const { register, pair } = require('./api')
const { Phone } = require('./phone')

function ritual(overrides = {}) {
  return {
    template_id: null, // a ritual of the couple's own
    title: 'Phone-free dinner',
    description: '',
    category: 'shared_experience',
    rrule: 'FREQ=WEEKLY;BYDAY=TH',
    start_date: '2026-11-05',
    local_time: '19:30:00',
    time_zone: 'Europe/Berlin',
    duration_minutes: 60,
    reminder_offset_minutes: 30,
    is_joint: true,
    requires_both_confirmation: false,
    status: 'active',
    grace_days: 1,
    ...overrides,
  }
}

function checkIn(overrides = {}) {
  return { mood: 4, connection: 5, note: 'a good day', is_shared: true, ...overrides }
}

/** Two partners, each with a phone that has synced once. */
async function couple() {
  const alex = await register('Alex')
  const sam = await register('Sam', 'America/New_York')
  await pair(alex, sam)
  const alexPhone = new Phone(alex.api, 'alex')
  const samPhone = new Phone(sam.api, 'sam')
  await alexPhone.sync()
  await samPhone.sync()
  return { alex, sam, alexPhone, samPhone }
}

/** The ids of a REST list (results of a page, or a plain list). */
async function restIds(api, path) {
  const { body } = await api.get(path)
  return new Set((body.results || body).map((r) => r.id))
}

async function assertSettled(phone) {
  await phone.sync()
  assert.equal(await phone.unsynced(), false, `${phone.name} still has unsynced changes`)
}

module.exports = { ritual, checkIn, couple, restIds, assertSettled }
