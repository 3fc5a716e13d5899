import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {addDays} from '../../../src/dates.js'
import {
  buildCostReport,
  buildCostReportFromSeries,
  GRANULARITIES,
  previousWindow,
} from '../../../src/cost/report-builder.js'
import {type DailyCostRow, type GroupKey, groupKeyLabel} from '../../../src/model/cost.js'
import {seededRandom} from '../../../src/seeded-random.js'
import {amountSql} from '../../../src/store/amounts.js'
import {buildServiceDaysSql, buildSummariesSql, SUMMARIZED_TAG_VALUES} from '../../../src/store/cost-summaries.js'
import type {CostFilter} from '../../../src/model/cost.js'
import {planCostQuery} from '../../../src/store/cost-queries.js'
import {
  type CostScope,
  replaceCosts,
  type SummaryMode,
  writeCostsInTransaction,
} from '../../../src/store/cost-writer.js'
import {type CostSeries, type CostSeriesPoint, queryDailyCostSeries, queryDailyCosts} from '../../../src/store/costs.js'
import {dayText} from '../../../src/store/day-numbers.js'
import {openStore, type Db} from '../../../src/store/open.js'
import {tempDir} from '../../helpers/cli.js'

/**
 * Reports read summaries maintained at write time; they must give exactly the numbers of a scan of
 * every rollup row, on stores shaped like real ones and churned like real ones (restatements that
 * shrink and grow periods, day windows re-collected, groups whose costs cancel out, credits, tag
 * keys with a value per resource, several currencies).
 */

const START = '2026-01-01'
const DAYS = 75

interface World {
  rand: () => number
  pick: <T>(values: readonly T[]) => T
}

function world(seed: number): World {
  const rand = seededRandom(seed)
  return {rand, pick: (values) => values[Math.floor(rand() * values.length)]!}
}

/** Random rows for one provider/account over days [from, from + days). */
function randomRows(
  w: World,
  provider: string,
  account: string,
  from: string,
  days: number,
  n: number,
): DailyCostRow[] {
  const rows: DailyCostRow[] = []
  for (let i = 0; i < n; i++) {
    const day = addDays(from, Math.floor(w.rand() * days))
    const tags: Record<string, string> = {}
    // A value spelled like the label of rows without the key is the same group in every path.
    if (w.rand() < 0.8) tags.team = w.pick(['web', 'data', 'ml', 'платёжи', 'ops', '(untagged)'])
    if (w.rand() < 0.6) tags.env = w.pick(['prod', 'dev', 'staging'])
    // A per-resource key: more values than the summaries keep.
    if (w.rand() < 0.7) tags.Name = `i-${Math.floor(w.rand() * (SUMMARIZED_TAG_VALUES * 3))}`
    if (w.rand() < 0.1) tags['cost center'] = w.pick(['', 'cc-1', '=SUM(A1)'])
    const cost = w.rand() < 0.05 ? 0 : Math.round((w.rand() * 200 - (w.rand() < 0.1 ? 150 : 0)) * 1e6) / 1e6
    rows.push({
      day,
      billingPeriodStart: `${day.slice(0, 7)}-01`,
      provider,
      billingAccountId: account,
      subAccountId: w.pick(['', 'sub-1', 'sub-2']),
      serviceName: w.pick(['EC2', 'S3', 'RDS', 'Lambda', '']),
      serviceCategory: w.pick(['Compute', 'Storage', 'Databases']),
      regionId: w.pick(['us-east-1', 'eu-west-1', '']),
      chargeCategory: w.pick(['Usage', 'Usage', 'Usage', 'Credit', 'Tax']),
      chargeFrequency: w.pick(['Usage-Based', 'Recurring', 'One-Time', '']),
      currency: w.rand() < 0.85 ? 'USD' : 'EUR',
      tags,
      billedCost: cost,
      effectiveCost: Math.round(cost * 0.8 * 1e6) / 1e6,
      listCost: Math.round(cost * 1.3 * 1e6) / 1e6,
      contractedCost: 0,
    })
  }
  // A pair of rows that cancel out: the group still exists in every path.
  const base = rows[0]!
  rows.push({...base, tags: {team: 'zero'}, billedCost: 5, effectiveCost: 5, listCost: 5})
  rows.push({...base, tags: {team: 'zero'}, billedCost: -5, effectiveCost: -5, listCost: -5})
  return rows
}

/**
 * Writes a churned store: periods imported, restated smaller and larger, day windows re-collected.
 * Billing periods are written with `mode` (per-period: as a streamed FOCUS import does, summarized
 * from the rows at the end); the rest always per group.
 */
async function churn(db: Db, seed: number, mode: SummaryMode): Promise<void> {
  const w = world(seed)
  const record = (source: string) => ({source, location: 'test', startedAt: START, rowsRead: 0, rowsSkipped: 0})
  const replacePeriod = async (scope: CostScope, rows: DailyCostRow[]): Promise<void> => {
    if (mode === 'per-group') {
      replaceCosts(db, [scope], rows, record('focus'))
      return
    }
    await writeCostsInTransaction(
      db,
      async (writer) => {
        writer.clear(scope)
        for (const row of rows) writer.insert('focus', row)
        return writer.finish(record('focus'))
      },
      {summaries: 'per-period'},
    )
  }
  const period = (provider: string, account: string, month: string): CostScope => ({
    kind: 'billing-period',
    source: 'focus',
    provider,
    billingAccountId: account,
    billingPeriodStart: `${month}-01`,
  })
  for (const [provider, account] of [
    ['AWS', '111'],
    ['Microsoft', 'ea-1'],
  ] as const) {
    for (const month of ['2026-01', '2026-02', '2026-03']) {
      const rows = randomRows(w, provider, account, `${month}-01`, 28, 300).map((r) => ({
        ...r,
        billingPeriodStart: `${month}-01`,
      }))
      await replacePeriod(period(provider, account, month), rows)
    }
    // A restatement that keeps a third of the rows, then one that brings new ones.
    const restated = randomRows(w, provider, account, '2026-02-01', 10, 100).map((r) => ({
      ...r,
      billingPeriodStart: '2026-02-01',
    }))
    await replacePeriod(period(provider, account, '2026-02'), restated)
    const regrown = randomRows(w, provider, account, '2026-02-05', 20, 250).map((r) => ({
      ...r,
      billingPeriodStart: '2026-02-01',
    }))
    await replacePeriod(period(provider, account, '2026-02'), regrown)
  }
  // A cloud collector: day windows, re-collected with overlaps, one emptied.
  for (const [from, days] of [
    ['2026-01-10', 30],
    ['2026-01-25', 20],
    ['2026-02-20', 10],
  ] as const) {
    const scope: CostScope = {
      kind: 'days',
      source: 'aws-ce',
      provider: 'AWS',
      billingAccountId: 'payer',
      from,
      to: addDays(from, days - 1),
    }
    replaceCosts(db, [scope], randomRows(w, 'AWS', 'payer', from, days, 200), record('aws-ce'))
  }
  replaceCosts(
    db,
    [
      {
        kind: 'days',
        source: 'aws-ce',
        provider: 'AWS',
        billingAccountId: 'payer',
        from: '2026-01-12',
        to: '2026-01-14',
      },
    ],
    [],
    record('aws-ce'),
  )
  // Rows added without replacing anything (summed into existing grains).
  replaceCosts(db, [], randomRows(w, 'Microsoft', 'ea-1', '2026-01-01', 60, 150), record('focus'))
}

const DIMENSION_KEYS: GroupKey[] = [
  {kind: 'dimension', name: 'provider'},
  {kind: 'dimension', name: 'account'},
  {kind: 'dimension', name: 'sub-account'},
  {kind: 'dimension', name: 'service'},
  {kind: 'dimension', name: 'service-category'},
  {kind: 'dimension', name: 'region'},
  {kind: 'dimension', name: 'charge-category'},
  {kind: 'dimension', name: 'charge-frequency'},
  {kind: 'dimension', name: 'currency'},
]
const TAG_KEYS: GroupKey[] = [
  {kind: 'tag', key: 'team'},
  {kind: 'tag', key: 'env'},
  {kind: 'tag', key: 'Name'},
  {kind: 'tag', key: 'cost center'},
  {kind: 'tag', key: 'absent'},
]
const FILTER_VALUES: Record<string, string[]> = {
  provider: ['AWS', 'Microsoft'],
  service: ['EC2', '(none)', 'S3'],
  region: ['us-east-1', '(none)'],
  currency: ['USD', 'EUR'],
  'charge-category': ['Credit', 'Usage'],
  'tag:team': ['web', '(untagged)', 'платёжи', 'zero'],
  'tag:env': ['prod', '(untagged)'],
  'tag:Name': ['i-3', 'i-700', '(untagged)'],
}

function randomQuery(w: World): {groupBy: GroupKey[]; filters: CostFilter[]; from: string; to: string} {
  const keys = [...DIMENSION_KEYS, ...TAG_KEYS]
  const groupBy: GroupKey[] = []
  const n = Math.floor(w.rand() * 3)
  for (let i = 0; i < n; i++) {
    const key = w.pick(keys)
    if (!groupBy.includes(key)) groupBy.push(key)
  }
  const filters: CostFilter[] = []
  if (w.rand() < 0.5) {
    const name = w.pick(Object.keys(FILTER_VALUES))
    const key = keys.find((k) => (k.kind === 'tag' ? `tag:${k.key}` : k.name) === name)!
    filters.push({key, values: FILTER_VALUES[name]!.filter(() => w.rand() < 0.6).slice(0, 2)})
    if (filters[0]!.values.length === 0) filters.pop()
  }
  const first = Math.floor(w.rand() * DAYS)
  const from = addDays(START, first - 5)
  const to = addDays(from, Math.floor(w.rand() * 40))
  return {groupBy, filters, from, to}
}

const seriesPoints = (s: CostSeries): CostSeriesPoint[] =>
  Array.from({length: s.points.length / 2}, (_, i) => ({
    keys: s.keys,
    currency: s.currency,
    day: dayText(s.points[2 * i]!),
    cost: s.points[2 * i + 1]!,
  }))

const sorted = (points: CostSeriesPoint[]) =>
  [...points].sort((a, b) =>
    JSON.stringify([a.keys, a.currency, a.day]).localeCompare(JSON.stringify([b.keys, b.currency, b.day])),
  )

describe.each(['per-group', 'per-period'] as const)(
  'cost summaries written %s give exactly the numbers of a scan of every rollup row',
  (mode) => {
    let tmp: ReturnType<typeof tempDir>
    let db: Db
    beforeAll(async () => {
      tmp = tempDir()
      db = openStore(path.join(tmp.dir, 'store.db'))
      await churn(db, 11, mode)
    })
    afterAll(() => {
      db.close()
      tmp.cleanup()
    })

    it('keeps the per-resource key out of the summaries and the others in', () => {
      const flags = Object.fromEntries(
        db.prepare('SELECT key, summarized FROM tag_keys').raw().all() as [string, number][],
      )
      expect(flags).toMatchObject({team: 1, env: 1, Name: 0})
    })

    it('answers 400 random reports identically on every path that can hold them', () => {
      const w = world(5)
      const used = new Set<string>()
      for (let i = 0; i < 400; i++) {
        const q = randomQuery(w)
        for (const metric of ['billed', 'effective'] as const) {
          const query = {...q, metric}
          const auto = planCostQuery(db, query).path
          used.add(auto)
          const reference = sorted(queryDailyCosts(db, query, 'rollup'))
          expect(sorted(queryDailyCosts(db, query)), `${auto} ${JSON.stringify(q)}`).toEqual(reference)
          // The same costs as series (what reports read), each one's days ascending and once.
          const series = queryDailyCostSeries(db, query)
          for (const s of series) {
            const days = s.points.filter((_, i) => i % 2 === 0)
            expect(days, `${auto} ${JSON.stringify(q)}`).toEqual([...new Set(days)].sort((a, b) => a - b))
          }
          expect(sorted(series.flatMap(seriesPoints)), `series ${auto} ${JSON.stringify(q)}`).toEqual(reference)
        }
      }
      // The random queries exercised every summary.
      expect([...used].sort()).toEqual(['by-key', 'day-keys', 'rollup', 'service-days', 'summary'])
    })

    it('reads service by region over most days along its own index, with the numbers of the full scan', () => {
      const groupBy: GroupKey[] = [
        {kind: 'dimension', name: 'service'},
        {kind: 'dimension', name: 'region'},
      ]
      const aws: CostFilter[] = [{key: {kind: 'dimension', name: 'provider'}, values: ['AWS']}]
      for (const filters of [[], aws])
        for (const metric of ['billed', 'effective', 'list'] as const) {
          const query = {from: addDays(START, -5), to: addDays(START, DAYS + 5), groupBy, filters, metric}
          expect(planCostQuery(db, query).path).toBe('service-days')
          expect(sorted(queryDailyCostSeries(db, query).flatMap(seriesPoints))).toEqual(
            sorted(queryDailyCosts(db, query, 'rollup')),
          )
        }
    })

    it('builds 200 random reports from the rows of the chosen path as the old builder does from a full scan', () => {
      const w = world(7)
      const used = new Set<string>()
      for (let i = 0; i < 200; i++) {
        const q = randomQuery(w)
        const granularity = w.pick(GRANULARITIES)
        const top = w.rand() < 0.3 ? 1 + Math.floor(w.rand() * 4) : undefined
        const settings = {
          from: q.from,
          to: q.to,
          metric: 'effective' as const,
          granularity,
          groupBy: q.groupBy.map(groupKeyLabel),
          top,
        }
        const prev = previousWindow(q.from, q.to)
        const query = {...q, from: prev.from, metric: 'effective' as const}
        used.add(planCostQuery(db, query).path)
        // The report as runCostReport built it before: points of a full scan, split by window.
        const points = queryDailyCosts(db, query, 'rollup')
        const reference = buildCostReport(
          points.filter((p) => p.day >= q.from),
          points.filter((p) => p.day < q.from),
          settings,
        )
        expect(buildCostReportFromSeries(queryDailyCostSeries(db, query), settings), JSON.stringify(settings)).toEqual(
          reference,
        )
      }
      expect([...used].sort()).toEqual(['by-key', 'day-keys', 'rollup', 'service-days', 'summary'])
    })

    it('matches the summaries a rebuild from the rollup rows gives (nothing drifts through restatements)', () => {
      // A second store with the same rollup rows and tag tables, its summaries built from scratch.
      const rebuilt = openStore(path.join(tmp.dir, 'rebuilt.db'))
      rebuilt.exec(`ATTACH '${path.join(tmp.dir, 'store.db')}' AS s`)
      for (const table of ['cost_keys', 'tag_keys', 'tag_pairs', 'cost_tag_sets', 'tag_set_pairs', 'cost_rollup'])
        rebuilt.exec(`INSERT OR REPLACE INTO main.${table} SELECT * FROM s.${table}`)
      rebuilt.exec(buildSummariesSql())
      rebuilt.exec('DELETE FROM cost_service_days')
      rebuilt.exec(buildServiceDaysSql())
      const norm = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort()
      // Summary sets are recomputed by the rebuild, so compare summaries by day and key only.
      for (const sql of [
        `SELECT key_id, billing_period, day, ${amountSums('')} FROM cost_day_keys GROUP BY 1, 2, 3`,
        `SELECT dimension, day, value, currency, ${amountSums('')} FROM cost_by_key WHERE dimension NOT LIKE 'tag:Name' GROUP BY 1, 2, 3, 4`,
        `SELECT key_id, billing_period, day, ${amountSums('')} FROM cost_summary GROUP BY 1, 2, 3`,
        `SELECT day, provider, billing_account_id, service_name, region_id, currency, ${amountSums('')}
          FROM cost_service_days GROUP BY 1, 2, 3, 4, 5, 6`,
      ]) {
        const stored = norm(db.prepare(sql).raw().all() as unknown[][])
        expect(stored.length).toBeGreaterThan(0)
        expect(stored).toEqual(norm(rebuilt.prepare(sql).raw().all() as unknown[][]))
      }
      rebuilt.close()
    })

    it('agrees with the old full scan of the cost_daily view to the nano', () => {
      const rows = db
        .prepare(
          `SELECT currency, day, SUM(billed_cost) FROM cost_daily WHERE day BETWEEN ? AND ? GROUP BY currency, day ORDER BY currency, day`,
        )
        .raw()
        .all(START, addDays(START, DAYS)) as [string, string, number][]
      const points = sorted(
        queryDailyCosts(db, {from: START, to: addDays(START, DAYS), groupBy: [], filters: [], metric: 'billed'}),
      )
      expect(points.map((p) => [p.currency, p.day])).toEqual(rows.map((r) => [r[0], r[1]]))
      points.forEach((p, i) => expect(p.cost).toBeCloseTo(rows[i]![2], 6))
    })
  },
)

// Counts of merged groups differ from a rebuild's row counts; what they carry is whether rows exist.
const amountSums = (alias: string) =>
  ['billed', 'effective', 'list', 'contracted']
    .map((a) => amountSql(`SUM(${alias}${a}_units)`, `SUM(${alias}${a}_nanos)`))
    .concat([`SUM(${alias}row_count) > 0`])
    .join(', ')

describe('a per-period write', () => {
  it('refuses a row outside the billing periods it replaces, and the store keeps what it had', async () => {
    const tmp = tempDir()
    const db = openStore(path.join(tmp.dir, 'store.db'))
    try {
      const w = world(3)
      const rows = randomRows(w, 'AWS', '111', '2026-01-01', 28, 20).map((r) => ({
        ...r,
        billingPeriodStart: '2026-01-01',
      }))
      const record = {source: 'focus', location: 'test', startedAt: START, rowsRead: 0, rowsSkipped: 0}
      replaceCosts(db, [], rows, record)
      const before = db.prepare('SELECT count(*) FROM cost_rollup').pluck().get()
      await expect(
        writeCostsInTransaction(
          db,
          async (writer) => {
            writer.clear({
              kind: 'billing-period',
              source: 'focus',
              provider: 'AWS',
              billingAccountId: '111',
              billingPeriodStart: '2026-02-01',
            })
            writer.insert('focus', rows[0]!)
            return writer.finish(record)
          },
          {summaries: 'per-period'},
        ),
      ).rejects.toThrow(/outside the billing periods/)
      expect(db.prepare('SELECT count(*) FROM cost_rollup').pluck().get()).toBe(before)
    } finally {
      db.close()
      tmp.cleanup()
    }
  })
})
