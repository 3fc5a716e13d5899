import {describe, expect, test} from 'vitest'

import type {Anomaly} from '../../../src/alerts/anomalies.js'
import {evaluateBudget} from '../../../src/alerts/budget-rules.js'
import {periodContaining} from '../../../src/alerts/periods.js'
import {anomalyMessage, budgetAlertMessage} from '../../../src/alerts/slack-blocks.js'
import {eachDay} from '../../../src/dates.js'
import {blockKitProblems} from '../../servers/slack-receiver.js'

const status = evaluateBudget({
  budget: {
    id: 1,
    name: 'prod <aws>',
    amount: 1000,
    period: 'monthly',
    metric: 'billed',
    filters: ['service=R&D <tools>'],
    createdAt: '',
    updatedAt: '',
    thresholds: [
      {kind: 'actual', percent: 80},
      {kind: 'forecast', percent: 100},
    ],
  },
  window: periodContaining('monthly', '2024-09-20'),
  currency: 'EUR',
  asOf: '2024-09-20',
  dataThrough: '2024-09-20',
  actuals: eachDay('2024-09-01', '2024-09-20').map((day) => ({day, cost: 45})),
  forecast: {
    model: 'ensemble',
    level: 80,
    cumulative: eachDay('2024-09-21', '2024-09-30').map((date, i) => ({
      date,
      mean: 45 * (i + 1),
      lower: 40 * (i + 1),
      upper: 50 * (i + 1),
    })),
  },
})

const texts = (m: {blocks: unknown[]}): string => JSON.stringify(m.blocks)

describe('budget alert message', () => {
  test('says what crossed, by how much, the forecast with its interval, the breach date and the top contributors', () => {
    const actual = status.thresholds.find((t) => t.kind === 'actual')!
    const m = budgetAlertMessage(status, actual, [
      {label: 'Amazon EC2', amount: 700, share: 77.8},
      {label: 'S3', amount: 200, share: 22.2},
    ])
    expect(blockKitProblems(m)).toEqual([])
    expect(m.text).toBe(
      'Budget "prod &lt;aws&gt;" 2024-09: actual spend €900.00 crossed 80% of €1,000.00 (€800.00) by €100.00',
    )
    expect(m.blocks[0]).toEqual({
      type: 'header',
      text: {type: 'plain_text', text: ':warning: Budget "prod <aws>" crossed actual 80%', emoji: true},
    })
    const body = texts(m)
    expect(body).toContain('actual 80% (€800.00) by *€100.00*')
    expect(body).toContain('€1,350.00 (135.0%)\\n80% interval €1,300.00 to €1,400.00')
    expect(body).toContain('projected for 2024-09-23')
    expect(body).toContain('• Amazon EC2: €700.00 (77.8%)')
    // Billing names go into mrkdwn escaped, so they cannot turn into links or mentions.
    expect(body).toContain('service=R&amp;D &lt;tools&gt;')
  })

  test('a forecast threshold alert at 100% is marked urgent; a missing forecast says why', () => {
    const forecast = status.thresholds.find((t) => t.kind === 'forecast')!
    const m = budgetAlertMessage(status, forecast, [])
    expect(blockKitProblems(m)).toEqual([])
    expect(m.blocks[0]).toMatchObject({text: {text: ':rotating_light: Budget "prod <aws>" crossed forecast 100%'}})
    expect(m.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context'])
    const noForecast = budgetAlertMessage(
      {...status, forecast: undefined, forecastSkipped: '12 days of history; at least 21 are needed'},
      status.thresholds[0]!,
      [],
    )
    expect(texts(noForecast)).toContain('no forecast: 12 days of history; at least 21 are needed')
  })

  test('very long names are clipped to the Block Kit limits', () => {
    const long = {...status, name: 'x'.repeat(400), filters: [`service=${'y'.repeat(3000)}`]}
    const m = budgetAlertMessage(long, status.thresholds[0]!, [{label: 'z'.repeat(4000), amount: 1}])
    expect(blockKitProblems(m)).toEqual([])
  })
})

describe('anomaly message', () => {
  const anomaly: Anomaly = {
    keys: ['111', 'Amazon RDS'],
    currency: 'USD',
    day: '2024-09-23',
    direction: 'spike',
    actual: 720.23,
    expected: 118.24,
    lower: 111.23,
    upper: 125.25,
    level: 99,
    model: 'regular',
    impact: 601.99,
    beyondInterval: 594.98,
  }

  test('the day, the series, the spend against the expected interval and the size in money', () => {
    const m = anomalyMessage(anomaly, ['account', 'service'], [{label: 'region us-east-1', amount: 600}])
    expect(blockKitProblems(m)).toEqual([])
    expect(m.text).toBe(
      'Spend spike on 2024-09-23 for account=111, service=Amazon RDS: $720.23 against $118.24 expected (+$601.99)',
    )
    const body = texts(m)
    expect(body).toContain('99% interval $111.23 to $125.25')
    expect(body).toContain('*+$601.99* against expected, $594.98 outside the interval')
    expect(body).toContain('Top contributors to the change*\\n• region us-east-1: $600.00')
  })

  test('billing names in the fallback text cannot mention the channel or make links', () => {
    const m = anomalyMessage(
      {...anomaly, keys: ['111', '<!channel> R&D <https://x.example|y>']},
      ['account', 'service'],
      [],
    )
    expect(m.text).toContain('service=&lt;!channel&gt; R&amp;D &lt;https://x.example|y&gt;:')
    expect(m.text).not.toMatch(/[<>]/)
  })

  test('a drop shows a negative size', () => {
    const m = anomalyMessage(
      {...anomaly, direction: 'drop', actual: 10, impact: -108.24, beyondInterval: 101.23},
      ['account', 'service'],
      [],
    )
    expect(m.text).toContain('Spend drop on 2024-09-23')
    expect(texts(m)).toContain('*-$108.24* against expected')
  })
})
