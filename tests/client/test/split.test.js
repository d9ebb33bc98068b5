'use strict'
// The app's 413 path without a server: parts of at most max_records, nothing lost, order kept.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const { split } = require('../lib/backendSync')

test('a change set split into parts of at most max_records records keeps every record, in order', () => {
  const ids = (n, prefix) => Array.from({ length: n }, (_, i) => `${prefix}${i}`)
  const changes = {
    check_ins: { created: ids(5, 'c').map((id) => ({ id })), updated: [], deleted: [] },
    rituals: { created: [{ id: 'r0' }], updated: ids(2, 'u').map((id) => ({ id })), deleted: ['d0', 'd1'] },
    goals: { created: [], updated: [], deleted: [] },
  }
  const parts = split(changes, 3)
  const count = (part) => Object.values(part).reduce((n, t) => n + t.created.length + t.updated.length + t.deleted.length, 0)
  assert.deepEqual(parts.map(count), [3, 3, 3, 1])
  const flat = (part) => Object.entries(part).flatMap(([table, t]) =>
    ['created', 'updated', 'deleted'].flatMap((kind) => t[kind].map((r) => `${table}.${kind}.${r.id || r}`)))
  assert.deepEqual(parts.flatMap(flat), flat(changes))
  assert.deepEqual(split({ goals: { created: [], updated: [], deleted: [] } }, 3), [])
})
