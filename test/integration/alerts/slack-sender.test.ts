import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {afterEach, beforeEach, describe, expect, test} from 'vitest'

import {parseRetryAfter, postToSlack, type SendPolicy} from '../../../src/alerts/slack-sender.js'
import {type SlackReceiver, startSlackReceiver} from '../../servers/slack-receiver.js'

const message = {text: 'hello', blocks: [{type: 'section', text: {type: 'mrkdwn', text: 'hello'}}]}

describe('postToSlack against a local webhook receiver', () => {
  let slack: SlackReceiver
  let waits: number[]
  let policy: SendPolicy
  beforeEach(async () => {
    slack = await startSlackReceiver()
    waits = []
    // Waits are recorded instead of slept: the test checks what was honoured, never how long it took.
    policy = {retries: 3, maxRetryAfterSeconds: 60, timeoutSeconds: 5, sleep: async (ms) => void waits.push(ms)}
  })
  afterEach(() => slack.close())

  test('posts the message as JSON once', async () => {
    expect(await postToSlack(slack.url, message, policy)).toEqual({ok: true, attempts: 1})
    expect(slack.posts).toHaveLength(1)
    expect(slack.posts[0]).toMatchObject({contentType: 'application/json', body: message, status: 200, problems: []})
  })

  test('429 with Retry-After: waits the given seconds, then delivers', async () => {
    slack.script({status: 429, body: 'rate_limited', headers: {'Retry-After': '7'}})
    expect(await postToSlack(slack.url, message, policy)).toEqual({ok: true, attempts: 2})
    expect(waits).toEqual([7000])
    expect(slack.posts.map((p) => p.status)).toEqual([429, 200])
  })

  test('5xx without Retry-After: bounded exponential backoff, then gives up as retryable', async () => {
    slack.script(...Array.from({length: 10}, () => ({status: 500, body: 'internal_error'})))
    const outcome = await postToSlack(slack.url, message, policy)
    expect(outcome).toMatchObject({ok: false, attempts: 4, status: 500, retryable: true})
    expect(waits).toEqual([500, 1000, 2000])
    expect(slack.posts).toHaveLength(4)
  })

  test('a Retry-After longer than the limit gives up at once (the alert stays pending)', async () => {
    slack.script({status: 429, body: 'rate_limited', headers: {'Retry-After': '3600'}})
    const outcome = await postToSlack(slack.url, message, policy)
    expect(outcome).toMatchObject({ok: false, attempts: 1, status: 429, retryable: true})
    if (!outcome.ok) expect(outcome.error).toMatch(/Retry-After 3600s is longer than alerts.slack.maxRetryAfterSeconds/)
    expect(waits).toEqual([])
  })

  test('a refused message (4xx) is not retried, and the error never holds the webhook secret', async () => {
    const wrong = slack.url.replace(/\/[^/]+$/, '/wrongsecret')
    const outcome = await postToSlack(wrong, message, policy)
    expect(outcome).toMatchObject({ok: false, attempts: 1, status: 404, retryable: false})
    if (!outcome.ok) {
      expect(outcome.error).toBe('Slack answered 404 no_service')
      expect(outcome.error).not.toContain('wrongsecret')
    }
  })

  test('connection refused is retried and reported without the URL', async () => {
    const server = http.createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const {port} = server.address() as AddressInfo
    await new Promise((resolve) => server.close(resolve))
    const outcome = await postToSlack(`http://127.0.0.1:${port}/services/T1/B1/topsecret`, message, {
      ...policy,
      retries: 1,
    })
    expect(outcome).toMatchObject({ok: false, attempts: 2, retryable: true})
    if (!outcome.ok) {
      expect(outcome.error).toMatch(/^cannot reach Slack: ECONNREFUSED/)
      expect(outcome.error).not.toContain('topsecret')
    }
  })
})

describe('parseRetryAfter', () => {
  test.each([
    ['30', 30],
    [' 5 ', 5],
    ['Thu, 26 Nov 2026 06:00:10 GMT', 10],
    ['Thu, 26 Nov 2026 05:59:00 GMT', 0],
    ['Thursday, 26-Nov-26 06:01:00 GMT', 60],
    ['Thu Nov 26 06:00:20 2026', 20],
    ['1.5', 2],
    ['-1', undefined],
    ['2 minutes', undefined],
    ['soon', undefined],
    ['', undefined],
    [null, undefined],
  ])('%s -> %s', (value, expected) => {
    expect(parseRetryAfter(value, Date.parse('2026-11-26T06:00:00Z'))).toBe(expected)
  })
})
