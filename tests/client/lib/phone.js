'use strict'
// One phone: an in-memory WatermelonDB (LokiJS) database of the app's schema, signed in as one user.
const crypto = require('node:crypto')
const { Database } = require('@nozbe/watermelondb')
const LokiJSAdapter = require('@nozbe/watermelondb/adapters/lokijs').default
const { hasUnsyncedChanges } = require('@nozbe/watermelondb/sync')
const { setGenerator } = require('@nozbe/watermelondb/utils/common/randomId')
const { logger } = require('@nozbe/watermelondb/utils/common')
const { schema, modelClasses, TABLES } = require('./schema')
const { syncWithServer } = require('./backendSync')

// The app installs this before opening its database (docs/api.md).
setGenerator(() => crypto.randomUUID())

// WatermelonDB's own errors and warnings, kept so tests can assert there were none.
const watermelonErrors = []
logger.log = () => {}
logger.warn = (...args) => watermelonErrors.push(args.join(' '))
logger.error = (...args) => watermelonErrors.push(args.join(' '))

class Phone {
  constructor(api, name = 'phone') {
    this.api = api
    this.name = name
    const adapter = new LokiJSAdapter({
      schema,
      useWebWorker: false,
      useIncrementalIndexedDB: true, // in Node: LokiJS's memory adapter (no IndexedDB)
      dbName: `${name}-${crypto.randomUUID()}`,
    })
    this.db = new Database({ adapter, modelClasses })
    this.rejections = []
  }

  async sync() {
    const rejections = await syncWithServer({ database: this.db, api: this.api })
    this.rejections.push(...rejections)
    return rejections
  }

  /** Syncs until nothing is left to retry (conflicts resolve in one more round). */
  async syncUntilSettled(rounds = 3) {
    let last = []
    for (let i = 0; i < rounds; i += 1) {
      last = await this.sync()
      if (!last.some((r) => r.retry)) return last
    }
    return last
  }

  async create(table, values) {
    let record
    await this.db.write(async () => {
      record = await this.db.get(table).create((r) => {
        for (const [column, value] of Object.entries(values)) r._setRaw(column, value)
      })
    })
    return record._raw.id
  }

  async createWithId(table, id, values) {
    await this.db.write(async () => {
      await this.db.get(table).create((r) => {
        r._raw.id = id
        for (const [column, value] of Object.entries(values)) r._setRaw(column, value)
      })
    })
    return id
  }

  async update(table, id, values) {
    await this.db.write(async () => {
      const record = await this.db.get(table).find(id)
      await record.update((r) => {
        for (const [column, value] of Object.entries(values)) r._setRaw(column, value)
      })
    })
  }

  async markAsDeleted(table, id) {
    await this.db.write(async () => {
      const record = await this.db.get(table).find(id)
      await record.markAsDeleted()
    })
  }

  /** {id: raw} of the records the phone holds (not deleted), without WatermelonDB's own columns. */
  async rows(table) {
    const records = await this.db.get(table).query().fetch()
    const rows = {}
    for (const record of records) {
      const { _status, _changed, ...raw } = record._raw
      rows[raw.id] = raw
    }
    return rows
  }

  async row(table, id) {
    return (await this.rows(table))[id]
  }

  async unsynced() {
    return hasUnsyncedChanges({ database: this.db })
  }
}

module.exports = { Phone, watermelonErrors, TABLES }
