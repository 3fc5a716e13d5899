import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {generateRealizedScenario, type RealizedScenario, writeScenario} from '../../../bench/realized/scenario.mjs'
import {kubernetesSection} from '../../../src/config/sections/kubernetes.js'
import {addDays} from '../../../src/dates.js'
import {collectRunMetrics} from '../../../src/run/metrics.js'
import {pushMetrics} from '../../../src/run/pushgateway.js'
import {buildSavingsLedger} from '../../../src/savings/from-store.js'
import {insertPending, markFinished} from '../../../src/store/actions.js'
import {markHistoryCoverage, replaceClusterHistory, replaceNamespaceHistory} from '../../../src/store/k8s-history.js'
import {replaceInventory} from '../../../src/store/k8s-inventory.js'
import {type TempStore, tempStore} from '../../helpers/store.js'
import {type Pushgateway, startPushgateway} from '../../servers/pushgateway.js'

/**
 * The run's realized-savings gauges, pushed to Debian's real prometheus-pushgateway and read back
 * as Prometheus would scrape them: the ledger's figures per kind, never the promise.
 */
const PRICES = {onDemandHourly: 4.608, spotRatio: 0.35, cpuToMemoryRatio: 7.4607}

describe('realized savings in the Pushgateway metrics (real prometheus-pushgateway)', () => {
  let store: TempStore
  let scenario: RealizedScenario
  let gateway: Pushgateway
  let now: string
  const k8s = () => kubernetesSection.parse(scenario.config.kubernetes)

  beforeAll(() => {
    store = tempStore()
    scenario = generateRealizedScenario({seed: 5, workloads: 20, days: 30, prices: PRICES})
    writeScenario(store.db, scenario, {
      replaceNamespaceHistory,
      replaceClusterHistory,
      markHistoryCoverage,
      insertPending,
      markFinished,
      replaceInventory,
    })
    now = addDays(scenario.asOf, 1)
    insertPending(store.db, {
      id: 'act-yesterday',
      runId: 'run-yesterday',
      identity: 'test',
      at: `${scenario.asOf}T09:00:00.000Z`,
      action: {
        kind: 'scale-down',
        target: {namespace: 'team-e', kind: 'Deployment', name: 'control-9'},
        before: {replicas: 3},
        after: {replicas: 0},
        monthlySavings: 321.5,
        currency: 'USD',
        reason: 'test',
      },
    })
    markFinished(store.db, 'act-yesterday', 'applied', `${scenario.asOf}T09:00:05.000Z`)
  })
  afterAll(() => store.cleanup())
  beforeEach(async () => {
    gateway = await startPushgateway()
  })
  afterEach(async () => gateway.stop())

  const facts = (over: Partial<Parameters<typeof collectRunMetrics>[0]> = {}) => ({
    db: store.db,
    success: true,
    durationSeconds: 12.5,
    finishedAt: new Date(`${now}T03:00:00Z`),
    kubernetes: k8s(),
    ...over,
  })

  it('pushes realized, promised, their ratio and the action counts per kind, as finops savings measures them', async () => {
    const {samples, notes} = collectRunMetrics(facts(), now)
    expect(notes).toEqual([])
    await pushMetrics(gateway.url, samples, {job: 'finops', instance: 'test'})
    const text = await gateway.scrape()
    const value = (name: string, labels: Record<string, string>): number | undefined => {
      const line = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith(`${name}{`) &&
            l.includes('job="finops"') &&
            Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)),
        )
      return line === undefined ? undefined : Number(line.split(' ').pop())
    }
    expect(text).toMatch(/# TYPE finops_savings_realized_monthly gauge/)
    expect(text).toMatch(/# HELP finops_savings_realized_monthly Monthly savings realized/)

    const ledger = buildSavingsLedger(store.db, k8s(), {}, now)
    expect(ledger.byKind.map((g) => g.key).sort()).toEqual(['rightsize', 'scale-down', 'spot'])
    for (const g of ledger.byKind) {
      const labels = {kind: g.key, currency: 'USD'}
      expect(value('finops_savings_realized_monthly', labels), g.key).toBeCloseTo(g.realizedMonthly, 2)
      expect(value('finops_savings_promised_monthly', labels), g.key).toBeCloseTo(g.promisedMeasuredMonthly, 2)
      expect(value('finops_savings_realized_ratio', labels), g.key).toBeCloseTo(g.ratio!, 4)
      expect(value('finops_savings_actions', {...labels, state: 'measured'})).toBe(g.measured)
    }
    // The scale-down applied yesterday is counted apart, its promise in no realized figure.
    const scaleDown = ledger.byKind.find((g) => g.key === 'scale-down')!
    expect(value('finops_savings_actions', {kind: 'scale-down', state: 'not_measurable_yet'})).toBe(1)
    expect(value('finops_savings_actions', {kind: 'rightsize', state: 'not_measurable_yet'})).toBe(0)
    expect(scaleDown.promisedMonthly - scaleDown.promisedMeasuredMonthly).toBeCloseTo(321.5, 2)
    expect(value('finops_savings_promised_monthly', {kind: 'scale-down'})).toBeCloseTo(
      scaleDown.promisedMeasuredMonthly,
      2,
    )
    // Reverted and fought rightsizes saved well under their promise: realized is measured, not promised.
    const rightsize = ledger.byKind.find((g) => g.key === 'rightsize')!
    expect(value('finops_savings_realized_ratio', {kind: 'rightsize'})).toBeLessThan(0.9)
    expect(value('finops_savings_realized_monthly', {kind: 'rightsize'})).toBeLessThan(
      rightsize.promisedMeasuredMonthly,
    )
  })

  it('pushes no realized savings without applied actions or without the kubernetes settings', async () => {
    const empty = tempStore()
    try {
      const none = collectRunMetrics(facts({db: empty.db}), now)
      expect(none.notes).toEqual([])
      expect(none.samples.filter((s) => s.name.startsWith('finops_savings_realized'))).toEqual([])
    } finally {
      empty.cleanup()
    }
    const {samples} = collectRunMetrics(facts({kubernetes: undefined}), now)
    expect(samples.map((s) => s.name)).not.toContain('finops_savings_realized_monthly')
    expect(samples.map((s) => s.name)).toContain('finops_run_success')
  })
})
