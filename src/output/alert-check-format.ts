import type {AlertCheckResult} from '../alerts/check.js'

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

/** `alert check`: each budget's state, the anomaly scan, and what was (or would be) posted to Slack. */
export function renderAlertCheck(result: AlertCheckResult, options: {webhookSource?: string} = {}): string {
  const lines: string[] = []
  for (const b of result.budgets) {
    lines.push(
      `Budget ${b.name} ${b.period}: ${b.actualPercent.toFixed(1)}% spent` +
        (b.forecastPercent === undefined
          ? `, no forecast (${b.forecastSkipped ?? 'not available'})`
          : `, forecast ${b.forecastPercent.toFixed(1)}%`) +
        (b.crossed.length > 0 ? `; crossed ${b.crossed.join(', ')}` : ''),
    )
  }
  if (result.anomalies.groupBy.length > 0) {
    lines.push(
      `Anomalies by ${result.anomalies.groupBy.join(' + ')}: ${result.anomalies.found.length} found` +
        (result.anomalies.through ? ` in the days up to ${result.anomalies.through}` : ' (no cost data)') +
        (result.stale.length > 0
          ? `; not judged after the newest day of ${result.stale.map((s) => `${s.provider} (${s.lastDay})`).join(', ')}: its data is late`
          : ''),
    )
  }
  if (result.alreadySent.length > 0) lines.push(`Already posted earlier: ${result.alreadySent.length}`)
  if (result.dryRun) {
    lines.push(
      result.messages && result.messages.length > 0
        ? `Dry run: ${result.messages.length} message(s) would be posted:`
        : 'Dry run: nothing to post',
    )
    for (const message of result.messages ?? []) lines.push(JSON.stringify(message, null, 2))
    return lines.join('\n')
  }
  const posted = result.sent.length + result.failed.length + result.deferred.length
  if (posted + (result.postedElsewhere?.length ?? 0) === 0) lines.push('Nothing new to post')
  else lines.push(`Posted ${plural(result.sent.length, 'alert')} to Slack (webhook from ${options.webhookSource})`)
  for (const a of result.sent) lines.push(`  sent: ${a.summary}`)
  for (const a of result.failed)
    lines.push(`  pending (failed after ${a.attempts} attempt${a.attempts === 1 ? '' : 's'}: ${a.error}): ${a.summary}`)
  for (const a of result.deferred) lines.push(`  pending (not attempted this run): ${a.summary}`)
  for (const a of result.postedElsewhere ?? []) lines.push(`  being posted by another run: ${a.summary}`)
  return lines.join('\n')
}

/** The one stderr line when some posts failed: they stay pending for the next run. */
export function describeFailedPosts(result: AlertCheckResult): string | undefined {
  if (result.failed.length === 0) return undefined
  return (
    `${plural(result.failed.length, 'alert')} could not be posted (${result.failed[0]!.error}); ` +
    `${result.pendingAfter} pending, retried on the next run`
  )
}
