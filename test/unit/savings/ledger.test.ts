import {describe, expect, it} from 'vitest'

import {observedState, snapshotState} from '../../../src/savings/action-state.js'
import {DAYS_PER_MONTH, type LedgerAction, type LedgerDay, measureAction} from '../../../src/savings/ledger.js'
import {groupLedger, ledgerTotals, realizedRatios} from '../../../src/savings/summary.js'
import type {LedgerEntry} from '../../../src/savings/schemas.js'
import {addDays} from '../../../src/dates.js'

// Rates as allocation charges them: per charged core-hour and GiB-hour.
const CPU_RATE = 0.03
const MEM_RATE = 0.004
const SPOT_CPU_RATE = 0.01
const SPOT_MEM_RATE = 0.0013

interface DaySpec {
  pods: number
  cpu: number
  memoryGiB: number
  /** Cores and GiB used per pod. */
  cpuUsed?: number
  memoryUsed?: number
  spot?: boolean
  hours?: number
}

/** A day as allocation would charge it: max(request, usage) at the node's rates. */
function day(date: string, s: DaySpec): LedgerDay {
  const podHours = s.pods * (s.hours ?? 24)
  const cpuUsage = (s.cpuUsed ?? 0) * podHours
  const memoryUsage = (s.memoryUsed ?? 0) * podHours
  const cpuCharged = Math.max(s.cpu * podHours, cpuUsage)
  const memoryCharged = Math.max(s.memoryGiB * podHours, memoryUsage)
  const [cpuRate, memoryRate] = s.spot ? [SPOT_CPU_RATE, SPOT_MEM_RATE] : [CPU_RATE, MEM_RATE]
  return {
    day: date,
    podHours,
    cpuRequestCoreHours: s.cpu * podHours,
    memoryRequestGiBHours: s.memoryGiB * podHours,
    cpuUsageCoreHours: cpuUsage,
    memoryUsageGiBHours: memoryUsage,
    cpuCost: cpuCharged * cpuRate,
    memoryCost: memoryCharged * memoryRate,
    gpuCost: 0,
    otherCost: 0,
    cpuCoreHours: cpuCharged,
    memoryGiBHours: memoryCharged,
    spotShare: podHours > 0 ? (s.spot ? 1 : 0) : null,
  }
}

const APPLIED = '2026-11-15'
/** 14 days before the apply, the apply day, then `after` days; each day's spec from a function of its offset. */
function series(after: number, spec: (offset: number) => DaySpec): LedgerDay[] {
  const out: LedgerDay[] = []
  for (let i = -14; i <= after; i++) out.push(day(addDays(APPLIED, i), spec(i)))
  return out
}

const container = (cpu: string, memory: string) => ({container: {name: 'app', requests: {cpu, memory}, limits: {}}})

const rightsize = (over: Partial<LedgerAction> = {}): LedgerAction => ({
  id: 'a1',
  kind: 'rightsize',
  before: container('1', '2Gi'),
  after: container('500m', '1Gi'),
  appliedDay: APPLIED,
  // 3 pods, 0.5 core and 1 GiB less each, all month.
  promisedMonthly: 3 * (0.5 * CPU_RATE + 1 * MEM_RATE) * 730,
  ...over,
})

const before = {pods: 3, cpu: 1, memoryGiB: 2, cpuUsed: 0.3, memoryUsed: 0.6}
const after = {pods: 3, cpu: 0.5, memoryGiB: 1, cpuUsed: 0.3, memoryUsed: 0.6}
const perPodDaily = 24 * (0.5 * CPU_RATE + 1 * MEM_RATE)

describe('realized savings of one action', () => {
  it('a rightsize that delivers realizes what it promised, with a tight interval and no flag', () => {
    const m = measureAction(
      rightsize(),
      series(10, (i) => (i <= 0 ? before : after)),
      'after',
    )
    expect(m.method).toBe('requests-repriced')
    expect(m.realizedMonthly).toBeCloseTo(3 * perPodDaily * DAYS_PER_MONTH, 2)
    expect(m.ratio).toBeCloseTo(1, 3)
    expect(m.flags).toEqual([])
    expect(m.confidence).toMatchObject({grade: 'high', daysBefore: 14, daysAfter: 10})
    expect(m.interval!.high - m.interval!.low).toBeLessThan(0.01)
  })

  it('a load change at the same time moves the counterfactual: more pods save more, though the cost rose', () => {
    const days = series(10, (i) => (i <= 0 ? before : {...after, pods: 8}))
    const m = measureAction(rightsize(), days, 'after')
    // The naive before/after difference says the change cost money; the ledger re-prices the after days.
    const naive = days[0]!.cpuCost + days[0]!.memoryCost - (days.at(-1)!.cpuCost + days.at(-1)!.memoryCost)
    expect(naive).toBeLessThan(0)
    expect(m.realizedMonthly).toBeCloseTo(8 * perPodDaily * DAYS_PER_MONTH, 2)
    expect(m.flags).toEqual([])
  })

  it('usage above the new requests keeps the charge up: the action did not deliver', () => {
    const hot = {...after, cpuUsed: 0.95, memoryUsed: 1.9}
    const m = measureAction(
      rightsize(),
      series(10, (i) => (i <= 0 ? {...before, cpuUsed: 0.95, memoryUsed: 1.9} : hot)),
      'after',
    )
    expect(m.realizedMonthly!).toBeLessThan(0.5 * rightsize().promisedMonthly!)
    expect(m.flags).toEqual(['not-delivered'])
  })

  it('requests back at the before-state after four days: reverted, realized only for the days it held', () => {
    const m = measureAction(
      rightsize(),
      series(10, (i) => (i <= 0 || i > 4 ? before : after)),
      'before',
    )
    expect(m.flags).toEqual(['reverted'])
    expect(m.revertedOn).toBe(addDays(APPLIED, 5))
    expect(m.reverts).toBe(1)
    expect(m.realizedMonthly).toBeCloseTo(((3 * perPodDaily * 4) / 10) * DAYS_PER_MONTH, 2)
  })

  it('reverted, re-applied and reverted again: fought by a controller', () => {
    const flip = (i: number) => (i <= 0 ? before : [1, 2, 5, 6].includes(i) ? after : before)
    const m = measureAction(rightsize(), series(8, flip), 'unknown')
    expect(m.reverts).toBe(2)
    expect(m.flags).toEqual(['reverted', 'fought'])
  })

  it('the snapshot alone can show the revert (history still shows the after-state)', () => {
    const m = measureAction(
      rightsize(),
      series(5, (i) => (i <= 0 ? before : after)),
      'before',
    )
    expect(m.flags).toContain('reverted')
    expect(m.reverts).toBe(1)
  })

  it('a rolled-back action is measured until the day before its rollback and flagged rolled-back, not reverted', () => {
    const m = measureAction(
      rightsize({lastDay: addDays(APPLIED, 3), endedBy: 'rolled-back'}),
      series(10, (i) => (i <= 0 || i > 3 ? before : after)),
      'before',
    )
    expect(m.confidence.daysAfter).toBe(3)
    expect(m.flags).toEqual(['rolled-back'])
    expect(m.ratio).toBeCloseTo(1, 3)
  })

  it('nothing after the apply day: not measurable yet, no figure', () => {
    const m = measureAction(
      rightsize(),
      series(0, () => before),
      'unknown',
    )
    expect(m.realizedMonthly).toBeNull()
    expect(m.interval).toBeNull()
    expect(m.confidence.grade).toBe('none')
    expect(m.flags).toEqual(['not-measurable-yet'])
  })

  it('two days after: a figure with low confidence', () => {
    const m = measureAction(
      rightsize(),
      series(2, (i) => (i <= 0 ? before : after)),
      'after',
    )
    expect(m.realizedMonthly).not.toBeNull()
    expect(m.confidence.grade).toBe('low')
  })

  it('spot: the after days re-priced at the before rates, whatever the load does', () => {
    const action: LedgerAction = {
      id: 's1',
      kind: 'spot',
      before: {nodeSelector: {}},
      after: {nodeSelector: {'karpenter.sh/capacity-type': 'spot'}},
      appliedDay: APPLIED,
      promisedMonthly: 100,
    }
    const pods = (i: number) => (i <= 0 ? 4 : 4 + i) // load grows after the move
    const m = measureAction(
      action,
      series(10, (i) => ({pods: pods(i), cpu: 1, memoryGiB: 2, spot: i > 0})),
      'after',
    )
    let truth = 0
    for (let i = 1; i <= 10; i++)
      truth += pods(i) * 24 * (1 * (CPU_RATE - SPOT_CPU_RATE) + 2 * (MEM_RATE - SPOT_MEM_RATE))
    expect(m.method).toBe('before-rates')
    expect(m.realizedMonthly).toBeCloseTo((truth / 10) * DAYS_PER_MONTH, 2)
    expect(observedState('spot', action, day(APPLIED, {pods: 1, cpu: 1, memoryGiB: 1, spot: false}))).toBe('before')
  })

  it('scale-down: the before mean is the counterfactual; its noise widens the interval and lowers the grade', () => {
    const action: LedgerAction = {
      id: 'd1',
      kind: 'scale-down',
      before: {replicas: 3},
      after: {replicas: 0},
      appliedDay: APPLIED,
      promisedMonthly: 3 * 24 * (CPU_RATE + 2 * MEM_RATE) * DAYS_PER_MONTH,
    }
    const steady = measureAction(
      action,
      series(10, (i) => (i <= 0 ? {pods: 3, cpu: 1, memoryGiB: 2} : {pods: 0, cpu: 1, memoryGiB: 2})),
      'after',
    )
    expect(steady.method).toBe('before-average')
    expect(steady.ratio).toBeCloseTo(1, 3)
    expect(steady.confidence.grade).toBe('high')
    const noisy = measureAction(
      action,
      series(10, (i) =>
        i <= 0 ? {pods: 3, cpu: 1, memoryGiB: 2, cpuUsed: i % 2 === 0 ? 3 : 0.2} : {pods: 0, cpu: 1, memoryGiB: 2},
      ),
      'after',
    )
    expect(noisy.confidence.beforeNoise!).toBeGreaterThan(0.3)
    expect(noisy.interval!.high - noisy.interval!.low).toBeGreaterThan(steady.interval!.high - steady.interval!.low)
    // Replicas back at 3 in the snapshot: reverted.
    expect(
      measureAction(
        action,
        series(3, (i) => (i <= 0 ? {pods: 3, cpu: 1, memoryGiB: 2} : {pods: 0, cpu: 1, memoryGiB: 2})),
        'before',
      ).flags,
    ).toContain('reverted')
  })

  it('a before period stops at the previous change of the same fields', () => {
    const m = measureAction(
      rightsize({firstDay: addDays(APPLIED, -3)}),
      series(5, (i) => (i <= 0 ? before : after)),
      'after',
    )
    expect(m.confidence.daysBefore).toBe(3)
  })
})

describe('observed states', () => {
  const change = rightsize()
  it('per-pod requests within 5% of a journal state are that state; a third value is other', () => {
    const seen = (cpu: number, memoryGiB: number) =>
      observedState('rightsize', change, {
        podHours: 48,
        cpuRequestCoreHours: cpu * 48,
        memoryRequestGiBHours: memoryGiB * 48,
        spotShare: null,
      })
    expect(seen(0.5, 1)).toBe('after')
    expect(seen(0.51, 1.02)).toBe('after')
    expect(seen(1, 2)).toBe('before')
    expect(seen(0.75, 1.5)).toBe('other')
    expect(
      observedState('rightsize', change, {
        podHours: 0,
        cpuRequestCoreHours: 0,
        memoryRequestGiBHours: 0,
        spotShare: null,
      }),
    ).toBe('unknown')
  })
  it('the snapshot: requests, replicas and node selectors against before and after', () => {
    expect(snapshotState('rightsize', change, {container: {cpu: 1, memoryGiB: 2}})).toBe('before')
    expect(snapshotState('rightsize', change, {})).toBe('unknown')
    expect(snapshotState('scale-down', {before: {replicas: 3}, after: {replicas: 0}}, {replicas: 0})).toBe('after')
    expect(snapshotState('scale-down', {before: {replicas: 3}, after: {replicas: 0}}, {replicas: 5})).toBe('other')
    const spot = {before: {nodeSelector: {}}, after: {nodeSelector: {pool: 'spot'}}}
    expect(snapshotState('spot', spot, {nodeSelector: {pool: 'spot'}})).toBe('after')
    expect(snapshotState('spot', spot, {nodeSelector: {}})).toBe('before')
  })
})

describe('ledger totals', () => {
  const entry = (over: Partial<LedgerEntry>): LedgerEntry => ({
    actionId: 'x',
    kind: 'rightsize',
    namespace: 'shop',
    workloadKind: 'Deployment',
    workload: 'web',
    team: 'web',
    status: 'applied',
    appliedAt: '2026-11-01T00:00:00Z',
    currency: 'USD',
    promisedMonthly: 100,
    realizedMonthly: 80,
    interval: {low: 70, high: 90},
    ratio: 0.8,
    method: 'requests-repriced',
    confidence: {grade: 'high', daysBefore: 14, daysAfter: 10, beforeNoise: 0.01},
    daily: {before: 10, after: 7, counterfactual: 9.6},
    flags: [],
    reverts: 0,
    notes: [],
    ...over,
  })
  const entries = [
    entry({}),
    entry({kind: 'spot', namespace: 'data', promisedMonthly: 50, realizedMonthly: 10, flags: ['not-delivered']}),
    entry({promisedMonthly: 40, realizedMonthly: null, flags: ['not-measurable-yet']}),
    entry({currency: 'EUR', promisedMonthly: 30, realizedMonthly: 30}),
  ]
  it('compares realized with what the measured actions promised, per currency', () => {
    const [usd, eur] = [
      ledgerTotals(entries).find((t) => t.currency === 'USD')!,
      ledgerTotals(entries).find((t) => t.currency === 'EUR')!,
    ]
    expect(usd).toMatchObject({
      actions: 3,
      measured: 2,
      flagged: 1,
      promisedMonthly: 190,
      promisedMeasuredMonthly: 150,
      realizedMonthly: 90,
      ratio: 0.6,
    })
    expect(eur).toMatchObject({actions: 1, ratio: 1})
    expect(groupLedger(entries, (e) => e.namespace).map((g) => [g.key, g.currency])).toEqual([
      ['shop', 'USD'],
      ['data', 'USD'],
      ['shop', 'EUR'],
    ])
  })
  it('ratios per kind for the recommenders: measured actions with a promise only', () => {
    expect(realizedRatios(entries)).toEqual({rightsize: {ratio: 0.8462, actions: 2}, spot: {ratio: 0.2, actions: 1}})
  })
})
