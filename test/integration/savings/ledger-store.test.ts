import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {generateRealizedScenario, type RealizedScenario, writeScenario} from '../../../bench/realized/scenario.mjs'
import {kubernetesSection} from '../../../src/config/sections/kubernetes.js'
import {insertPending, listActions, markFinished} from '../../../src/store/actions.js'
import {markHistoryCoverage, replaceClusterHistory, replaceNamespaceHistory} from '../../../src/store/k8s-history.js'
import {replaceInventory} from '../../../src/store/k8s-inventory.js'
import {listCommitments, readWorkloadDays, upsertCommitment} from '../../../src/store/savings.js'
import {buildSavingsLedger} from '../../../src/savings/from-store.js'
import {type TempStore, tempStore} from '../../helpers/store.js'

const PRICES = {onDemandHourly: 4.608, spotRatio: 0.35, cpuToMemoryRatio: 7.4607}
const storeFns = {
  replaceNamespaceHistory,
  replaceClusterHistory,
  markHistoryCoverage,
  insertPending,
  markFinished,
  replaceInventory,
}

describe('the savings ledger over a real store', () => {
  let store: TempStore
  let scenario: RealizedScenario
  const k8s = () => kubernetesSection.parse(scenario.config.kubernetes)

  beforeAll(() => {
    store = tempStore()
    scenario = generateRealizedScenario({seed: 7, workloads: 10, days: 30, prices: PRICES})
    writeScenario(store.db, scenario, storeFns)
  })
  afterAll(() => store.cleanup())

  it('reads a workload day by day from the kube-state-metrics history', () => {
    const a = scenario.journal[0]!
    const rows = readWorkloadDays(store.db, {...a.target, from: scenario.days[0]!, to: scenario.asOf})
    expect(rows).toHaveLength(30)
    expect(rows.every((r) => r.container === 'app' && r.runningHours > 0)).toBe(true)
    expect(listActions(store.db, {status: 'applied'})).toHaveLength(scenario.journal.length)
  })

  it("measures every action within 5% of the scenario's truth and flags reverted, fought and hot ones", () => {
    const report = buildSavingsLedger(store.db, k8s(), {to: scenario.asOf})
    expect(report.actions).toHaveLength(scenario.truth.length)
    for (const t of scenario.truth) {
      const e = report.actions.find((x) => x.actionId === t.actionId)!
      expect(e.realizedMonthly, t.class).not.toBeNull()
      expect(
        Math.abs(e.realizedMonthly! - t.realizedMonthly!),
        `${t.class}: ${e.realizedMonthly} vs ${t.realizedMonthly}`,
      ).toBeLessThanOrEqual(0.05 * Math.max(Math.abs(t.realizedMonthly!), 1))
      if (t.reverted) expect(e.flags, t.class).toContain('reverted')
      if (t.fought) expect(e.flags, t.class).toContain('fought')
      if (t.class === 'rightsize-hot') expect(e.flags).toContain('not-delivered')
      if (['rightsize', 'rightsize-load', 'spot', 'spot-load', 'scale-down'].includes(t.class))
        expect(e.flags, t.class).toEqual([])
    }
    expect(report.byTeam.map((g) => g.key).sort()).toEqual(['team-a', 'team-b', 'team-c', 'team-d', 'team-e'])
    const total = report.totals[0]!
    const truth = scenario.truth.reduce((s, t) => s + t.realizedMonthly!, 0)
    expect(Math.abs(total.realizedMonthly - truth)).toBeLessThanOrEqual(0.05 * truth)
  })

  it('filters by kind, namespace, since and ids; an unknown id is not found', () => {
    const k = k8s()
    expect(
      buildSavingsLedger(store.db, k, {to: scenario.asOf, kinds: ['spot']}).actions.every((e) => e.kind === 'spot'),
    ).toBe(true)
    expect(
      buildSavingsLedger(store.db, k, {to: scenario.asOf, filter: {namespaces: ['team-a']}}).actions.map(
        (e) => e.namespace,
      ),
    ).toEqual(expect.arrayContaining(['team-a']))
    expect(buildSavingsLedger(store.db, k, {to: scenario.asOf, since: '2030-01-01'}).actions).toEqual([])
    const id = scenario.journal[0]!.id
    expect(buildSavingsLedger(store.db, k, {to: scenario.asOf, ids: [id]}).actions.map((e) => e.actionId)).toEqual([id])
    expect(() => buildSavingsLedger(store.db, k, {ids: ['act-nope']})).toThrow(/no action act-nope/)
  })

  it('an action applied yesterday is not measurable yet', () => {
    const report = buildSavingsLedger(store.db, k8s(), {to: scenario.days[5]})
    expect(report.actions).toEqual([])
    const early = buildSavingsLedger(store.db, k8s(), {to: scenario.days[14]!})
    for (const e of early.actions.filter((x) => x.appliedAt.startsWith(scenario.days[14]!)))
      expect(e.flags).toEqual(['not-measurable-yet'])
  })

  it('records purchased commitments and lists them as not measurable yet', () => {
    const c = {
      id: 'sp-1',
      provider: 'aws',
      type: 'savings-plan' as const,
      hourlyCommitment: 2,
      termMonths: 12,
      startDay: '2026-10-01',
      promisedMonthly: 300,
      currency: 'USD',
      note: '',
      recordedAt: '2026-10-01T00:00:00Z',
    }
    expect(upsertCommitment(store.db, c)).toBe(true)
    expect(upsertCommitment(store.db, {...c, hourlyCommitment: 3})).toBe(false)
    expect(listCommitments(store.db)).toEqual([{...c, hourlyCommitment: 3}])
    const report = buildSavingsLedger(store.db, k8s(), {to: scenario.asOf})
    expect(report.commitments).toEqual([
      expect.objectContaining({id: 'sp-1', realizedMonthly: null, measurable: false}),
    ])
  })
})
