import Table from 'cli-table3'

import type {AckResult, AnomalyListResult, SeriesMute} from '../alerts/anomaly-feedback.js'
import {seriesLabel} from '../alerts/slack-blocks.js'
import {formatMoney} from '../money.js'

const tableStyle = {head: [], border: [], compact: true}

const describeMute = (m: SeriesMute): string =>
  `${seriesLabel(m.groupBy, m.keys)}: muted ${m.until ? `through ${m.until}` : 'for good'}` +
  `${m.below === undefined ? '' : `, anomalies under ${m.below}`}${m.note ? ` (${m.note})` : ''}`

/** `anomaly list`: one row per anomaly, newest day first, then the muted series. */
export function renderAnomalyList(result: AnomalyListResult): string {
  const lines: string[] = []
  if (result.anomalies.length === 0)
    lines.push(
      result.to
        ? `No anomalies from ${result.from} to ${result.to} matching the filters.`
        : 'No cost data in the store: nothing to judge.',
    )
  else {
    const table = new Table({
      head: ['Id', 'Day', 'Status', 'Series', 'Provider', 'Direction', 'Actual', 'Expected', 'Impact'],
      style: tableStyle,
      colAligns: ['left', 'left', 'left', 'left', 'left', 'left', 'right', 'right', 'right'],
    })
    for (const a of result.anomalies) {
      const money = (n: number): string => formatMoney(n, a.currency)
      table.push([
        a.id,
        a.day,
        a.status,
        seriesLabel(a.groupBy, a.keys),
        a.providers.join(', '),
        a.direction,
        money(a.actual),
        money(a.expected),
        `${a.impact >= 0 ? '+' : ''}${money(a.impact)}`,
      ])
    }
    lines.push(table.toString())
  }
  if (result.mutes.length > 0) lines.push('', 'Muted series:', ...result.mutes.map((m) => `  ${describeMute(m)}`))
  return lines.join('\n')
}

export const renderAnomalyAck = ({acknowledged: a, changed}: AckResult): string =>
  `Anomaly ${a.id} (${seriesLabel(a.groupBy, a.keys)}, ${a.day}, ${a.direction}) ${changed ? 'acknowledged' : `was already acknowledged on ${a.acknowledgedAt}`}: it raises no alert again`

export const renderAnomalyMute = ({muted}: {muted: SeriesMute}): string => describeMute(muted)

export const renderAnomalyUnmute = ({unmuted}: {unmuted: {groupBy: string[]; keys: string[]}}): string =>
  `${seriesLabel(unmuted.groupBy, unmuted.keys)}: no longer muted`
