import type {AckResult, AnomalyListResult, SeriesMute, UnackResult} from '../alerts/anomaly-feedback.js'
import {seriesLabel} from '../alerts/slack-blocks.js'
import {formatMoney} from '../money.js'
import {DocumentBuilder, renderDocumentText, type TextDocument} from './text-document.js'

const describeMute = (m: SeriesMute): string =>
  `${seriesLabel(m.groupBy, m.keys)}: muted ${m.until ? `through ${m.until}` : 'for good'}` +
  `${m.below === undefined ? '' : `, anomalies under ${m.below}`}${m.note ? ` (${m.note})` : ''}`

/** The top contributor and its share of the change, as the alert names it. */
const drivenBy = (rootCause: AnomalyListResult['anomalies'][number]['rootCause']): string => {
  const top = rootCause?.[0]
  return top ? `${top.label}${top.share === undefined ? '' : ` (${top.share}%)`}` : ''
}

/** `anomaly list` for people: one row per anomaly, newest day first, then the muted series. */
export function anomalyListDocument(result: AnomalyListResult): TextDocument {
  const doc = new DocumentBuilder()
  if (result.anomalies.length === 0)
    doc.line(
      result.to
        ? `No anomalies from ${result.from} to ${result.to} matching the filters.`
        : 'No cost data in the store: nothing to judge.',
    )
  else
    doc.table({
      kind: 'table',
      head: ['Id', 'Day', 'Status', 'Series', 'Provider', 'Direction', 'Actual', 'Expected', 'Impact', 'Driven by'],
      align: ['left', 'left', 'left', 'left', 'left', 'left', 'right', 'right', 'right', 'left'],
      rows: result.anomalies.map((a) => {
        const money = (n: number): string => formatMoney(n, a.currency)
        return [
          a.id,
          a.day,
          a.status,
          seriesLabel(a.groupBy, a.keys),
          a.providers.join(', '),
          a.direction,
          money(a.actual),
          money(a.expected),
          `${a.impact >= 0 ? '+' : ''}${money(a.impact)}`,
          drivenBy(a.rootCause),
        ]
      }),
    })
  if (result.mutes.length > 0) doc.line('', 'Muted series:', ...result.mutes.map((m) => `  ${describeMute(m)}`))
  return doc.build()
}

export const renderAnomalyList = (result: AnomalyListResult): string => renderDocumentText(anomalyListDocument(result))

export const renderAnomalyAck = ({acknowledged: a, changed}: AckResult): string =>
  `Anomaly ${a.id} (${seriesLabel(a.groupBy, a.keys)}, ${a.day}, ${a.direction}) ${
    changed ? 'acknowledged' : `was already acknowledged ` + `on ${a.acknowledgedAt}`
  }: it raises no alert again`

export const renderAnomalyUnack = ({unacknowledged: a}: UnackResult): string =>
  `Anomaly ${a.id} (${seriesLabel(a.groupBy, a.keys)}, ${a.day}, ${a.direction}) is no longer acknowledged: ` +
  (a.status === 'sent'
    ? 'its alert was delivered before, so it is not posted again'
    : a.status === 'muted'
      ? 'its series is muted, so it raises no alert'
      : 'it alerts again in the next alert check that judges its day')

export const renderAnomalyMute = ({muted}: {muted: SeriesMute}): string => describeMute(muted)

export const renderAnomalyUnmute = ({unmuted}: {unmuted: {groupBy: string[]; keys: string[]}}): string =>
  `${seriesLabel(unmuted.groupBy, unmuted.keys)}: no longer muted`
