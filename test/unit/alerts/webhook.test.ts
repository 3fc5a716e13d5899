import fs from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, test} from 'vitest'

import {expectFinopsError} from '../../helpers/errors.js'

import {resolveWebhook} from '../../../src/alerts/webhook.js'
import {tempDir} from '../../helpers/cli.js'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const slack = {retries: 3, maxRetryAfterSeconds: 60, timeoutSeconds: 10}
const secretFile = path.join(tmp.dir, 'webhook-url')
fs.writeFileSync(secretFile, 'https://hooks.slack.com/services/T1/B1/fromfile\n')

function failure(run: () => unknown): {message: string; code: string; exit: number} {
  const error = expectFinopsError(run)
  return {message: `${error.message} (${error.suggestion ?? ''})`, code: error.code, exit: error.exit}
}

describe('resolveWebhook', () => {
  test('precedence: --webhook-file, then the environment, then the config file, then the config URL', () => {
    const env = {FINOPS_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T1/B1/fromenv'}
    const config = {
      ...slack,
      webhookUrlFile: secretFile,
      webhookUrl: 'https://hooks.slack.com/services/T1/B1/fromconfig',
    }
    expect(resolveWebhook(secretFile, config, env)).toEqual({
      url: 'https://hooks.slack.com/services/T1/B1/fromfile',
      source: `--webhook-file ${secretFile}`,
    })
    expect(resolveWebhook(undefined, config, env).url).toMatch(/fromenv$/)
    expect(resolveWebhook(undefined, config, {}).url).toMatch(/fromfile$/)
    expect(resolveWebhook(undefined, {...slack, webhookUrl: config.webhookUrl}, {}).url).toMatch(/fromconfig$/)
  })

  test('none configured: one line saying how to configure it', () => {
    const e = failure(() => resolveWebhook(undefined, slack, {}))
    expect(e).toMatchObject({code: 'NO_WEBHOOK', exit: 3})
    expect(e.message).toMatch(/no Slack webhook configured .*FINOPS_SLACK_WEBHOOK_URL.*--webhook-file/)
  })

  test('an unreadable file names the file; a malformed URL never echoes its content', () => {
    expect(failure(() => resolveWebhook(path.join(tmp.dir, 'missing'), slack, {})).message).toMatch(
      /cannot read the Slack webhook file .*missing.*ENOENT/,
    )
    const bad = path.join(tmp.dir, 'bad')
    fs.writeFileSync(bad, 'hooks.slack.com/services/T1/B1/notaurlsecret')
    const e = failure(() => resolveWebhook(bad, slack, {}))
    expect(e.message).toMatch(/is not an http\(s\) URL/)
    expect(e.message).not.toContain('notaurlsecret')
  })
})
