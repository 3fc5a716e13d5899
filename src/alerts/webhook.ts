import fs from 'node:fs'

import {FinopsError, inputError} from '../errors.js'
import type {SlackConfig} from '../config/sections/alerts.js'

export const WEBHOOK_ENV = 'FINOPS_SLACK_WEBHOOK_URL'

/** Where the webhook URL came from: shown to users instead of the URL, which is the credential. */
export interface ResolvedWebhook {
  url: string
  source: string
}

/**
 * The Slack webhook URL: --webhook-file, then $FINOPS_SLACK_WEBHOOK_URL, then alerts.slack.webhookUrlFile,
 * then alerts.slack.webhookUrl. A file is read at each run, so a rotated Kubernetes Secret is picked up.
 * Errors name the source, never the value.
 */
export function resolveWebhook(
  fileFlag: string | undefined,
  config: SlackConfig,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedWebhook {
  if (fileFlag) return fromFile(fileFlag, '--webhook-file')
  const fromEnv = env[WEBHOOK_ENV]?.trim()
  if (fromEnv) return checked(fromEnv, `$${WEBHOOK_ENV}`)
  if (config.webhookUrlFile) return fromFile(config.webhookUrlFile, 'alerts.slack.webhookUrlFile')
  if (config.webhookUrl) return checked(config.webhookUrl, 'alerts.slack.webhookUrl')
  throw new FinopsError('no Slack webhook configured', {
    code: 'NO_WEBHOOK',
    exit: 'invalidInput',
    suggestion: `set ${WEBHOOK_ENV}, pass --webhook-file PATH (e.g. a mounted Secret), or use --dry-run to see the messages`,
  })
}

function fromFile(file: string, source: string): ResolvedWebhook {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    throw inputError(
      `cannot read the Slack webhook file ${file} (${source}): ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
      'check the path and that the Secret is mounted',
      error,
    )
  }
  return checked(text.trim(), `${source} ${file}`)
}

function checked(url: string, source: string): ResolvedWebhook {
  let parsed: URL | undefined
  try {
    parsed = new URL(url)
  } catch {
    parsed = undefined
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol)) {
    throw inputError(
      `the Slack webhook from ${source} is not an http(s) URL`,
      'it should look like https://hooks.slack.com/services/T.../B.../...',
    )
  }
  return {url, source}
}
