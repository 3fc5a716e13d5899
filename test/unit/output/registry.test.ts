import {describe, expect, it} from 'vitest'

import {formatsFor, OUTPUT_FORMAT_NAMES, outputFormats} from '../../../src/output/registry.js'
import type {ResultKind, ResultKinds} from '../../../src/output/result-kinds.js'

// Every result kind, checked by the compiler against ResultKinds in both directions.
const KINDS = {
  'cost-report': true,
  'cost-allocation': true,
  forecast: true,
  recommend: true,
  apply: true,
  rollback: true,
  'actions-list': true,
  'budget-list': true,
  'budget-set': true,
  'budget-remove': true,
  'budget-status': true,
  'alert-check': true,
  'anomaly-list': true,
  'anomaly-ack': true,
  'anomaly-unack': true,
  'anomaly-mute': true,
  'anomaly-unmute': true,
  'alert-digest': true,
  'collect-cloud': true,
  'collect-gcp': true,
  'collect-athena': true,
  'collect-all': true,
  'collect-focus': true,
  'collect-k8s': true,
  'collect-usage': true,
  'cronjob-manifest': true,
  'store-backup': true,
  'store-restore': true,
  'store-verify': true,
  savings: true,
  'savings-record': true,
  'commitments-status': true,
  'recommend-commitment': true,
} as const satisfies Record<keyof ResultKinds, true>
const ALL_KINDS = Object.keys(KINDS) as ResultKind[]

describe('output-format registry', () => {
  it('every result kind has a human format and JSON; CSV only for tabular results', () => {
    for (const kind of ALL_KINDS) {
      const names = formatsFor([kind])
      expect(names, kind).toContain('json')
      expect(names.includes('table') || names.includes('yaml'), kind).toBe(true)
    }
    expect(formatsFor(['cost-report'])).toEqual(['table', 'json', 'csv', 'markdown', 'svg', 'png'])
    expect(formatsFor(['apply'])).toEqual(['table', 'json', 'markdown'])
    expect(formatsFor(['rollback'])).toEqual(['table', 'json'])
    expect(formatsFor(['cronjob-manifest'])).toEqual(['json', 'yaml'])
  })

  it('loads a renderer for every kind a format says it supports, and refuses the others', async () => {
    for (const name of OUTPUT_FORMAT_NAMES) {
      const format = outputFormats[name]
      for (const kind of ALL_KINDS) {
        if (format.supports(kind)) expect(typeof (await format.load(kind)), `${name} ${kind}`).toBe('function')
        else await expect(format.load(kind), `${name} ${kind}`).rejects.toThrow(/no .* renderer/)
      }
    }
  })

  it('json renders any result as the result itself', async () => {
    const render = await outputFormats.json.load('budget-remove')
    const text = render({removed: 'prod "aws"'}, {})
    expect(JSON.parse(text as string)).toEqual({removed: 'prod "aws"'})
    expect(text).toMatch(/\n$/)
  })

  it('renders without the CLI: budget and collect summaries in the table format', async () => {
    const remove = await outputFormats.table.load('budget-remove')
    expect(remove({removed: 'prod-aws'}, {})).toBe('Budget prod-aws removed')
    const list = await outputFormats.table.load('budget-list')
    expect(list({budgets: []}, {})).toMatch(/^No budgets\. Set one with: finops budget set/)
    const cloud = await outputFormats.table.load('collect-cloud')
    const line = cloud(
      {
        sources: [
          {
            source: 'aws-ce',
            provider: 'AWS',
            billingAccountId: '123456789012',
            location: 'ce:us-east-1',
            window: {from: '2026-11-01', to: '2026-11-25'},
            requests: 1,
            retries: 0,
            rollupRows: 250,
            commitmentRows: 0,
            totals: [{currency: 'USD', billedCost: 12345.678, effectiveCost: -0.001}],
            watermark: {after: '2026-11-25', finalThrough: '2026-10-31'},
            importId: 7,
            details: {usageTypes: 40, resources: 0, missing: ['resources: not fetched']},
          },
        ],
      },
      {},
    )
    expect(line).toBe(
      'AWS 123456789012: 2026-11-01 to 2026-11-25 in 1 API request, 250 daily rows, USD 12,345.68 billed, 0.00 effective; watermark 2026-11-25 ' +
        '(settled through 2026-10-31); for root causes: 40 usage types, 0 resources; resources: not fetched',
    )
  })
})
