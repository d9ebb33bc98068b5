'use strict'
// The app's sync with the server, as docs/api.md shows it: WatermelonDB's synchronize() with the
// server's per-record rejections. `api.get(path)` and `api.post(path, body, {allow})` send the access
// token, parse the JSON body, and throw on an error status (except those in `allow`).
const { synchronize } = require('@nozbe/watermelondb/sync')

const REFUSED = 'sync_refused' // {table: [id]}: changes the server refused for good

async function syncWithServer({ database, api }) {
  const refused = JSON.parse((await database.localStorage.get(REFUSED)) || '{}')
  const adopted = []
  const rejections = []
  await synchronize({
    database,
    sendCreatedAsUpdated: true, // every pull sends records as `updated`
    pullChanges: async ({ lastPulledAt, schemaVersion }) => {
      const cursor = lastPulledAt ? `last_pulled_at=${lastPulledAt}&` : ''
      const { body } = await api.get(`/sync/pull?${cursor}schema_version=${schemaVersion}`)
      return { changes: body.changes, timestamp: body.timestamp }
    },
    pushChanges: async ({ changes, lastPulledAt }) => {
      const result = await pushInParts(api, changes, lastPulledAt)
      rejections.push(...result.rejections)
      for (const r of result.rejections.filter((r) => !r.retry)) {
        if (changes[r.table].deleted.includes(r.id)) {
          // A deletion the server refused: forget it; the next pull brings the record back.
          await database.write(() => database.adapter.destroyDeletedRecords(r.table, [r.id]))
        } else {
          ;(refused[r.table] = refused[r.table] || []).push(r.id) // adopt the server's version next pull
        }
      }
      await database.localStorage.set(REFUSED, JSON.stringify(refused))
      return { experimentalRejectedIds: result.rejected_ids }
    },
    // A record the server refused takes the server's version (which it stamped for this phone) as a
    // whole; any other conflict keeps WatermelonDB's merge (the phone's changed columns win).
    conflictResolver: (table, local, remote, resolved) => {
      if (!(refused[table] || []).includes(local.id)) return resolved
      adopted.push([table, local.id])
      return { ...resolved, ...remote, _status: 'synced', _changed: '' }
    },
  })
  for (const [table, id] of adopted) refused[table] = refused[table].filter((x) => x !== id)
  await database.localStorage.set(REFUSED, JSON.stringify(refused))
  return rejections // sync again soon when one has `retry: true` (a conflict, or the server's time ran out)
}

// One push, or several of at most `max_records` records when the server answers 413.
async function pushInParts(api, changes, lastPulledAt) {
  const url = `/sync/push?last_pulled_at=${lastPulledAt}`
  const first = await api.post(url, { changes }, { allow: [413] })
  if (first.status !== 413) return first.body
  const result = { rejected_ids: {}, rejections: [] }
  for (const part of split(changes, first.body.error.max_records)) {
    const { body } = await api.post(url, { changes: part })
    for (const [table, ids] of Object.entries(body.rejected_ids)) {
      result.rejected_ids[table] = [...(result.rejected_ids[table] || []), ...ids]
    }
    result.rejections.push(...body.rejections)
  }
  return result
}

// The change set in parts of at most `max` records, table by table, in the same order.
function split(changes, max) {
  const parts = []
  let part = {}
  let size = 0
  for (const [table, { created, updated, deleted }] of Object.entries(changes)) {
    for (const [verb, records] of [['created', created], ['updated', updated], ['deleted', deleted]]) {
      for (const record of records) {
        if (size === max) {
          parts.push(part)
          part = {}
          size = 0
        }
        part[table] = part[table] || { created: [], updated: [], deleted: [] }
        part[table][verb].push(record)
        size += 1
      }
    }
  }
  if (size) parts.push(part)
  return parts
}

module.exports = { syncWithServer, split }
