import {describe, expect, it} from 'vitest'

import {buildCostReport, OTHER_LABEL, previousWindow} from '../../../src/cost/report-builder.js'
import {renderCostReportCsv, renderCostReportTable} from '../../../src/output/cost-report-format.js'
import {csvField, plainNumber} from '../../../src/csv.js'
import {sparkline} from '../../../src/output/format.js'
import type {CostSeriesPoint} from '../../../src/store/costs.js'

const p = (keys: string[], day: string, cost: number, currency = 'USD'): CostSeriesPoint => ({
  keys,
  day,
  cost,
  currency,
})

describe('buildCostReport', () => {
  const settings = {
    from: '2024-09-01',
    to: '2024-09-10',
    metric: 'effective' as const,
    granularity: 'total' as const,
    groupBy: ['service'],
  }

  it('sums per row, compares with the previous window of equal length, and sorts largest first', () => {
    expect(previousWindow('2024-09-01', '2024-09-10')).toEqual({from: '2024-08-22', to: '2024-08-31'})
    const report = buildCostReport(
      [
        p(['EC2'], '2024-09-01', 10),
        p(['EC2'], '2024-09-05', 5),
        p(['S3'], '2024-09-02', 20),
        p(['Lambda'], '2024-09-10', 1),
      ],
      [
        p(['EC2'], '2024-08-25', 10),
        p(['S3'], '2024-08-31', 25),
        p(['Gone'], '2024-08-30', 3),
        p(['EC2'], '2024-08-21', 100),
      ],
      settings,
    )
    expect(report.rows.map((r) => [r.keys[0], r.total, r.previousTotal])).toEqual([
      ['S3', 20, 25],
      ['EC2', 15, 10],
      ['Lambda', 1, 0],
      ['Gone', 0, 3],
    ])
    expect(report.rows[0]!.change).toBeCloseTo(-0.2)
    expect(report.rows[1]!.change).toBeCloseTo(0.5)
    expect(report.rows[2]!.change).toBeNull()
    expect(report.totals).toEqual([
      {currency: 'USD', periods: [36], total: 36, previousTotal: 38, change: (36 - 38) / 38},
    ])
    expect(report.rows[0]!.share).toBeCloseTo(20 / 36)
  })

  it('never adds currencies together: one totals row per currency', () => {
    const report = buildCostReport(
      [p(['EC2'], '2024-09-01', 10, 'USD'), p(['VM'], '2024-09-01', 7, 'EUR'), p(['S3'], '2024-09-02', 2, 'USD')],
      [],
      settings,
    )
    expect(report.currencies).toEqual(['EUR', 'USD'])
    expect(report.totals.map((t) => [t.currency, t.total])).toEqual([
      ['EUR', 7],
      ['USD', 12],
    ])
    expect(report.rows.find((r) => r.keys[0] === 'VM')!.share).toBe(1)
    expect(renderCostReportTable(report)).toMatch(/Currency/)
  })

  it('folds rows past --top into "Other" per currency, keeping totals reconciled', () => {
    const points = ['a', 'b', 'c', 'd', 'e'].map((s, i) => p([s], '2024-09-03', 10 - i))
    const full = buildCostReport(points, [], settings)
    const top = buildCostReport(points, [], {...settings, top: 2})
    expect(top.rows.map((r) => r.keys[0])).toEqual(['a', 'b', OTHER_LABEL])
    expect(top.rows[2]!.total).toBe(8 + 7 + 6)
    expect(top.totals).toEqual(full.totals)
  })

  it('splits periods by day, ISO week (Monday) and month', () => {
    const points = [p([], '2024-08-30', 1), p([], '2024-09-01', 2), p([], '2024-09-02', 4), p([], '2024-09-09', 8)]
    const base = {...settings, from: '2024-08-30', to: '2024-09-09', groupBy: []}
    expect(buildCostReport(points, [], {...base, granularity: 'week'}).periods).toEqual([
      '2024-08-26',
      '2024-09-02',
      '2024-09-09',
    ])
    expect(buildCostReport(points, [], {...base, granularity: 'week'}).totals[0]!.periods).toEqual([3, 4, 8])
    expect(buildCostReport(points, [], {...base, granularity: 'month'}).totals[0]!.periods).toEqual([1, 14])
    expect(buildCostReport(points, [], {...base, granularity: 'day'}).periods).toHaveLength(11)
  })

  it('renders CSV a spreadsheet can read', () => {
    const report = buildCostReport([p(['Amazon "Simple" Storage, S3'], '2024-09-01', 1234.5)], [], settings)
    expect(renderCostReportCsv(report)).toBe(
      'service,currency,total,previous_total,change\n"Amazon ""Simple"" Storage, S3",USD,1234.5,0,\n',
    )
  })
})

describe('formatting helpers', () => {
  it('draws sparklines scaled to the series, flat for constant series', () => {
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8])).toBe('▁▂▃▄▅▆▇█')
    expect(sparkline([5, 5, 5])).toBe('▄▄▄')
    expect(sparkline([0, 0])).toBe('▁▁')
    expect(
      sparkline(
        Array.from({length: 30}, (_, i) => i),
        10,
      ),
    ).toHaveLength(10)
  })

  it('writes plain numbers and quotes CSV fields only when needed', () => {
    expect(plainNumber(1e-9)).toBe('0.000000001')
    expect(plainNumber(-0)).toBe('0')
    expect(plainNumber(12345678.125)).toBe('12345678.125')
    expect(csvField('a,b')).toBe('"a,b"')
    expect(csvField('plain')).toBe('plain')
    expect(csvField(null)).toBe('')
  })
})
