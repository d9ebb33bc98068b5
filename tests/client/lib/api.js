'use strict'
// A small HTTP client for one signed-in user, and the account helpers the scenarios need.
const crypto = require('node:crypto')

const BASE = process.env.CLIENT_API_BASE || 'http://127.0.0.1:8000'
const PASSWORD = 'client-suite-password-2026'

class Api {
  constructor(tokens) {
    this.access = tokens.access
    this.baseUrl = `${BASE}/api/v1`
    this.beforePush = null // async () => void: lets a test change the server between pull and push
    this.losePushResponse = false // the next push reaches the server, but its answer is lost
    this.pullBodies = [] // every pull answer, as received
    this.pushStatuses = [] // the HTTP status of every push
    this.fetch = this.fetch.bind(this)
  }

  /** fetch with the access token: what the app hands to syncWithServer(). */
  async fetch(url, init = {}) {
    const isPush = url.includes('/sync/push')
    if (isPush && this.beforePush) {
      const hook = this.beforePush
      this.beforePush = null
      await hook()
    }
    const response = await fetch(url, { ...init, headers: { ...init.headers, Authorization: `Bearer ${this.access}` } })
    if (isPush) this.pushStatuses.push(response.status)
    if (isPush && this.losePushResponse) {
      this.losePushResponse = false
      await response.text() // the server answered; the phone never hears it
      throw new Error('the network dropped the response')
    }
    if (url.includes('/sync/pull') && response.ok) this.pullBodies.push(await response.clone().json())
    return response
  }

  async request(method, path, body, { allow = [] } = {}) {
    const response = await this.fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    const type = response.headers.get('content-type') || ''
    if (!type.includes('application/json') && text) {
      throw new Error(`${method} ${path}: ${response.status} answered ${type}, not JSON: ${text.slice(0, 200)}`)
    }
    const parsed = text ? JSON.parse(text) : null
    if (response.status >= 400 && !allow.includes(response.status)) {
      const error = new Error(`${method} ${path}: ${response.status} ${text.slice(0, 500)}`)
      error.status = response.status
      error.body = parsed
      throw error
    }
    return { status: response.status, body: parsed }
  }

  get(path, options) {
    return this.request('GET', path, undefined, options)
  }

  post(path, body, options) {
    return this.request('POST', path, body ?? {}, options)
  }

  patch(path, body, options) {
    return this.request('PATCH', path, body, options)
  }

  delete(path, options) {
    return this.request('DELETE', path, undefined, options)
  }
}

async function anonymous(path, body) {
  const response = await fetch(`${BASE}/api/v1${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })
  const parsed = await response.json()
  if (response.status >= 400) throw new Error(`POST ${path}: ${response.status} ${JSON.stringify(parsed)}`)
  return parsed
}

async function register(name, timeZone = 'Europe/Berlin') {
  const email = `${name.toLowerCase()}-${crypto.randomUUID()}@client.test`
  const body = await anonymous('/auth/register', { email, password: PASSWORD, display_name: name, time_zone: timeZone })
  return { email, user: body.user, api: new Api(body.tokens) }
}

async function signIn(email) {
  const tokens = await anonymous('/auth/token', { email, password: PASSWORD })
  return new Api(tokens)
}

async function pair(first, second) {
  const { body: invite } = await first.api.post('/couple/invites')
  await second.api.post('/couple/join', { code: invite.code })
}

module.exports = { Api, register, signIn, pair, BASE }
