import type {DigestResult} from '../alerts/digest.js'

const STATUS: Record<DigestResult['status'], (r: DigestResult) => string> = {
  sent: (r) =>
    `Posted the digest for ${r.digest.week} to Slack (${r.attempts ?? 1} attempt${r.attempts === 1 ? '' : 's'}).`,
  'already-sent': (r) =>
    `The digest for ${r.digest.week} was already posted${r.sentAt ? ` at ${r.sentAt}` : ''}; nothing sent.`,
  'would-send': (r) => `Dry run: this is the digest for ${r.digest.week}; nothing was posted or recorded.`,
  failed: (r) => `Posting the digest for ${r.digest.week} failed; it stays pending for the next run.`,
  'posted-elsewhere': (r) => `Another run is posting the digest for ${r.digest.week}.`,
}

/** `alert digest` for people: the digest as text, then what happened to it. */
export function renderAlertDigest(result: DigestResult, options: {webhookSource?: string} = {}): string {
  const via = result.status === 'sent' && options.webhookSource ? ` Webhook from ${options.webhookSource}.` : ''
  return `${result.text}\n\n${STATUS[result.status](result)}${via}\n`
}
