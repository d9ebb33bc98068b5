'use strict'
// The app's sync (docs/sync.md): WatermelonDB's synchronize() with the server's per-record outcomes.
// `api.baseUrl` is the API root (https://…/api/v1); `api.fetch(url, init)` is fetch with the access
// token (refreshed on 401, as in "Tokens in the app").
const { synchronize } = require('@nozbe/watermelondb/sync')

const DISCARDED = 'sync_discarded' // {table: [id]}: local changes the server refused for good

async function syncWithServer({ database, api }) {
  const discarded = (await database.localStorage.get(DISCARDED)) || {}
  const forget = (table, ids) => {
    discarded[table] = (discarded[table] || []).filter((id) => !ids.includes(id))
  }
  const rejections = []
  try {
    await synchronize({
      database,
      sendCreatedAsUpdated: true, // the server sends every record in `updated`, first sync included
      pullChanges: async ({ lastPulledAt, schemaVersion }) => {
        const cursor = lastPulledAt ? `last_pulled_at=${lastPulledAt}&` : ''
        const { body } = await request(api, 'GET', `/sync/pull?${cursor}schema_version=${schemaVersion}`)
        // A refused record the server deleted is settled by this pull.
        for (const [table, { deleted }] of Object.entries(body.changes)) forget(table, deleted)
        // "replacement": the phone was away longer than deletions are kept; the pull names everything.
        return { changes: body.changes, timestamp: body.timestamp, experimentalStrategy: body.experimental_strategy }
      },
      pushChanges: async ({ changes, lastPulledAt }) => {
        const result = await push(api, changes, lastPulledAt)
        rejections.push(...result.rejections)
        for (const { table, id, retry } of result.rejections) {
          // retry: true keeps the change; the next sync merges the server's version and pushes it again.
          if (retry) continue
          if (changes[table] && changes[table].deleted.includes(id)) {
            // A deletion refused for good: drop the phone's deletion, the next pull brings the record back.
            await database.write(() => database.adapter.destroyDeletedRecords(table, [id]))
          } else {
            forget(table, [id])
            discarded[table].push(id) // the next pull's version replaces the phone's (conflictResolver)
          }
        }
        return { experimentalRejectedIds: result.rejected_ids }
      },
      // A record the server refused takes the server's version as a whole, and is synced; any other
      // conflict keeps WatermelonDB's per-column merge (the phone's changed columns win).
      conflictResolver: (table, local, remote, resolved) => {
        if (!(discarded[table] || []).includes(local.id)) return resolved
        forget(table, [local.id])
        return { ...resolved, ...remote, _status: 'synced', _changed: '' }
      },
    })
  } finally {
    await database.localStorage.set(DISCARDED, discarded)
  }
  return rejections // sync again soon if one has `retry: true` (a conflict, or the server's time ran out)
}

// One push; when the server answers 413, the same changes in parts of at most `max_records` records,
// one after another with the same lastPulledAt, their outcomes merged.
async function push(api, changes, lastPulledAt) {
  const path = `/sync/push?last_pulled_at=${lastPulledAt}`
  const first = await request(api, 'POST', path, { changes }, [413])
  if (first.status !== 413) return first.body
  const merged = { rejected_ids: {}, rejections: [] }
  for (const part of split(changes, first.body.error.max_records)) {
    const { body } = await request(api, 'POST', path, { changes: part })
    for (const [table, ids] of Object.entries(body.rejected_ids)) {
      merged.rejected_ids[table] = [...(merged.rejected_ids[table] || []), ...ids]
    }
    merged.rejections.push(...body.rejections)
  }
  return merged
}

// The change set in parts of at most `max` records, in the same order.
function split(changes, max) {
  const parts = []
  let size = max
  for (const [table, tableChanges] of Object.entries(changes)) {
    for (const kind of ['created', 'updated', 'deleted']) {
      for (const record of tableChanges[kind]) {
        if (size === max) {
          parts.push({})
          size = 0
        }
        const part = parts[parts.length - 1]
        part[table] = part[table] || { created: [], updated: [], deleted: [] }
        part[table][kind].push(record)
        size += 1
      }
    }
  }
  return parts
}

// A JSON request; any error status but those in `allow` is an error (auth, schema, a broken body).
async function request(api, method, path, body, allow = []) {
  const response = await api.fetch(`${api.baseUrl}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body && JSON.stringify(body),
  })
  const text = await response.text()
  if (!response.ok && !allow.includes(response.status)) {
    throw Object.assign(new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`), {
      status: response.status,
    })
  }
  return { status: response.status, body: JSON.parse(text) }
}

module.exports = { syncWithServer, split }
