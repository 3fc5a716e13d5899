import {describe, expect, it} from 'vitest'

import {recommendRightsizing, sizeContainer} from '../../../recommenders/rightsize/recommend.js'
import {defaultRecommendSettings} from '../../../recommenders/settings.js'
import {days, GIB, input, MIB, usageFor, workload, DEFAULT_RATES} from '../../helpers/workload-builders.js'

const settings = defaultRecommendSettings()
const rates = {cpu: DEFAULT_RATES.cpuCoreHour, mem: DEFAULT_RATES.memoryGiBHour}
// Diurnal CPU around 0.2 cores (0.1..0.3), memory 200..300 MiB.
const diurnalCpu = (i: number) => 0.2 + 0.1 * Math.sin((2 * Math.PI * i) / 288)
const steadyMemory = (i: number) => (250 + 50 * Math.sin((2 * Math.PI * i) / 288)) * MIB

describe('recommendRightsizing', () => {
  it('cuts an over-provisioned container to the top of its short tail plus headroom and prices the difference', () => {
    const w = workload()
    const result = recommendRightsizing(input([w], [usageFor(w, 'app', days(14, diurnalCpu, steadyMemory))]))
    expect(result.skipped).toEqual([])
    const [rec] = result.recommendations
    expect(rec).toBeDefined()
    if (!rec) return
    const p90 = rec.evidence.percentiles!.cpuP90!
    // A sine between 0.1 and 0.3: its 90th percentile is 0.2 + 0.1 * sin(0.4 * pi) ~ 0.295.
    expect(p90).toBeGreaterThan(0.285)
    expect(p90).toBeLessThan(0.3)
    // The sine's tail above p90 is 5 millicores wide: covering it whole is cheaper than any overrun.
    const max = rec.evidence.percentiles!.cpuMax!
    expect(rec.proposed.cpuRequest).toBeGreaterThanOrEqual(max + 0.005 - 0.001)
    expect(rec.proposed.cpuRequest).toBeLessThanOrEqual(max + 0.006)
    const peak = rec.evidence.percentiles!.memoryMax!
    expect(peak).toBeGreaterThan(295 * MIB)
    expect(rec.proposed.memoryLimit).toBeGreaterThanOrEqual(peak * 1.2)
    expect(rec.proposed.memoryRequest).toBeLessThanOrEqual(rec.proposed.memoryLimit!)
    expect(rec.proposed.memoryRequest).toBeGreaterThanOrEqual(rec.evidence.percentiles!.memoryP99! * 1.15 - MIB)
    const expected =
      ((1 - rec.proposed.cpuRequest!) * rates.cpu + ((GIB - rec.proposed.memoryRequest!) / GIB) * rates.mem) * 730 * 3
    expect(rec.monthlySavings).toBeCloseTo(expected, 1)
    expect(rec.target).toEqual({cluster: 'c1', namespace: 'shop', kind: 'Deployment', name: 'api', container: 'app'})
    expect(rec.id).toMatch(/^rs-[0-9a-f]{10}$/)
    expect(rec.evidence.samples).toBe(14 * 288)
    expect(rec.evidence.windowStart).toBe('2024-03-01T00:00:00Z')
    expect(rec.evidence.windowEnd).toBe('2024-03-14T23:59:59Z')
    // 1Gi -> ~330Mi is a big cut: graded medium with the reason.
    expect(rec.risk).toEqual({level: 'medium', reasons: ['memory request cut by more than half']})
  })

  it('raises an under-provisioned container (negative savings)', () => {
    const w = workload({
      containers: [{name: 'app', requests: {cpu: 0.1, memory: 128 * MIB}, limits: {memory: 512 * MIB}}],
    })
    const [rec] = recommendRightsizing(
      input([w], [usageFor(w, 'app', days(10, diurnalCpu, steadyMemory))]),
    ).recommendations
    expect(rec!.proposed.cpuRequest).toBeGreaterThan(0.3)
    expect(rec!.proposed.memoryRequest).toBeGreaterThan(128 * MIB)
    expect(rec!.monthlySavings).toBeLessThan(0)
  })

  it('lifts a memory limit the raised request would exceed, even when the limit change alone is noise', () => {
    // Peak 1000Mi: request 1150Mi, limit 1200Mi; today's limit 1100Mi is within 10% of 1200Mi.
    const w = workload({
      containers: [{name: 'app', requests: {cpu: 1, memory: 200 * MIB}, limits: {memory: 1100 * MIB}}],
    })
    const [rec] = recommendRightsizing(
      input(
        [w],
        [
          usageFor(
            w,
            'app',
            days(
              8,
              () => 0.3,
              () => 1000 * MIB,
            ),
          ),
        ],
      ),
    ).recommendations
    expect(rec!.proposed.memoryRequest).toBeGreaterThan(1100 * MIB)
    expect(rec!.proposed.memoryLimit).toBeGreaterThanOrEqual(rec!.proposed.memoryRequest!)
  })

  it('does not buy headroom for rare large bursts, but covers the steady load around them', () => {
    // One core with 3% noise, and one 5-minute burst to 4 cores a day (0.35% of samples).
    const bursty = (i: number) => (i === 144 ? 4 : 1 + 0.03 * Math.sin((2 * Math.PI * i) / 288))
    const w = workload({containers: [{name: 'app', requests: {cpu: 6, memory: 1 * GIB}, limits: {memory: 1 * GIB}}]})
    const [rec] = recommendRightsizing(input([w], [usageFor(w, 'app', days(14, bursty, steadyMemory))])).recommendations
    expect(rec!.evidence.percentiles!.cpuMax).toBeGreaterThan(3.9)
    // Covering the burst would cost 3 cores for 0.35% of samples; the steady load is covered whole.
    expect(rec!.proposed.cpuRequest).toBeGreaterThanOrEqual(1.03)
    expect(rec!.proposed.cpuRequest).toBeLessThan(1.1)
    // A higher overrun cost makes the burst worth covering.
    const strict = defaultRecommendSettings()
    strict.rightsize.cpuOverrunCost = 2000
    const [covered] = recommendRightsizing(
      input([w], [usageFor(w, 'app', days(14, bursty, steadyMemory))], {settings: strict}),
    ).recommendations
    expect(covered!.proposed.cpuRequest).toBeGreaterThan(3.9)
  })

  it('projects growing CPU load past the window instead of averaging over it', () => {
    // 3% growth a day on top of a daily cycle between 0.5 and 1.5 of the level.
    const level = (d: number) => 1 + 0.03 * d
    const growing = (i: number, d: number) => level(d) * (1 + 0.5 * Math.sin((2 * Math.PI * i) / 288))
    const flat = (i: number) => level(13) * (1 + 0.5 * Math.sin((2 * Math.PI * i) / 288))
    const w = workload({containers: [{name: 'app', requests: {cpu: 4, memory: 1 * GIB}, limits: {memory: 1 * GIB}}]})
    const [grown] = recommendRightsizing(
      input([w], [usageFor(w, 'app', days(14, growing, steadyMemory))]),
    ).recommendations
    expect((grown!.evidence.notes ?? []).some((n) => /CPU load grows 2\.\d%\/day week over week/.test(n))).toBe(true)
    // The last day peaks at 1.39 x 1.5 = 2.085 cores. Growth is read as 2.3%/day of the last week's level
    // and applied from that week's middle to a day past the window: 2.085 x (1 + 0.023 x 4.5) ~ 2.3.
    expect(grown!.proposed.cpuRequest).toBeGreaterThan(2.1)
    expect(grown!.proposed.cpuRequest).toBeLessThan(2.35)
    // Without growth at the last day's level, no projection is made.
    const [steady] = recommendRightsizing(
      input([w], [usageFor(w, 'app', days(14, flat, steadyMemory))]),
    ).recommendations
    expect((steady!.evidence.notes ?? []).some((n) => /CPU load grows/.test(n))).toBe(false)
    expect(steady!.proposed.cpuRequest).toBeLessThan(grown!.proposed.cpuRequest!)
    // Fewer than 14 days: no week-over-week comparison, no projection.
    const [short] = recommendRightsizing(
      input([w], [usageFor(w, 'app', days(10, growing, steadyMemory))]),
    ).recommendations
    expect((short!.evidence.notes ?? []).some((n) => /CPU load grows/.test(n))).toBe(false)
  })

  it('raises a small memory limit that OOM-killed the container or that a growing peak reaches, however small the step', () => {
    // An 80Mi limit the container was killed at: 1.3 x 80Mi is a 24Mi step, below the 32Mi noise threshold.
    const tight = workload({
      containers: [{name: 'app', requests: {cpu: 0.1, memory: 80 * MIB}, limits: {memory: 80 * MIB}}],
    })
    const [oom] = recommendRightsizing(
      input(
        [tight],
        [
          usageFor(
            tight,
            'app',
            days(14, diurnalCpu, (i) => (i === 50 ? 79.9 : 70) * MIB, [3, 9]),
          ),
        ],
      ),
    ).recommendations
    expect(oom!.proposed.memoryLimit).toBeGreaterThan(80 * MIB)
    // A leak: peaks grow 1Mi a day from 80Mi to 93Mi; a week more reaches today's 100Mi limit. The new
    // limit (93Mi x 1.2 + 7Mi) is a 19Mi step, below the noise threshold, and there was no kill yet.
    const leaking = workload({
      containers: [{name: 'app', requests: {cpu: 0.1, memory: 100 * MIB}, limits: {memory: 100 * MIB}}],
    })
    const [leak] = recommendRightsizing(
      input(
        [leaking],
        [
          usageFor(
            leaking,
            'app',
            days(14, diurnalCpu, (_i, d) => (80 + d) * MIB),
          ),
        ],
      ),
    ).recommendations
    expect(leak!.proposed.memoryLimit).toBeGreaterThan(100 * MIB)
  })

  it('raises a request most usage runs above, even by less than the noise threshold', () => {
    // A sidecar at 15-17 millicores with a 10m request: +8m is below the 20m noise threshold.
    const w = workload({
      containers: [{name: 'proxy', requests: {cpu: 0.01, memory: 128 * MIB}, limits: {memory: 128 * MIB}}],
    })
    const [rec] = recommendRightsizing(
      input(
        [w],
        [
          usageFor(
            w,
            'proxy',
            days(
              14,
              (i) => 0.016 + 0.001 * Math.sin(i),
              () => 90 * MIB,
            ),
          ),
        ],
      ),
    ).recommendations
    expect(rec!.proposed.cpuRequest).toBeGreaterThanOrEqual(0.017)
    expect(rec!.proposed.cpuRequest).toBeLessThan(0.03)
  })

  it('skips thin data with the reason instead of guessing', () => {
    const w = workload()
    const result = recommendRightsizing(input([w], [usageFor(w, 'app', days(2, diurnalCpu, steadyMemory))]))
    expect(result.recommendations).toEqual([])
    expect(result.skipped).toHaveLength(1)
    expect(result.skipped[0]!.reason).toMatch(/thin data: 2 day\(s\) and 576 samples \(needs at least 3 days/)
  })

  it('does not propose changes below the noise threshold', () => {
    const w = workload({
      containers: [{name: 'app', requests: {cpu: 0.33, memory: 330 * MIB}, limits: {memory: 370 * MIB}}],
    })
    const result = recommendRightsizing(input([w], [usageFor(w, 'app', days(14, diurnalCpu, steadyMemory))]))
    expect(result.recommendations).toEqual([])
    expect(result.skipped[0]!.reason).toMatch(/already right-sized/)
  })

  it('raises memory after OOM kills and never lowers it', () => {
    // Usage is pinned at the 512Mi limit when the kernel kills it: the true need is unknown but higher.
    const w = workload({
      containers: [{name: 'app', requests: {cpu: 0.5, memory: 512 * MIB}, limits: {memory: 512 * MIB}}],
    })
    const [rec] = recommendRightsizing(
      input(
        [w],
        [
          usageFor(
            w,
            'app',
            days(14, diurnalCpu, (i) => (i === 100 ? 511 : 300) * MIB, [9]),
          ),
        ],
      ),
    ).recommendations
    expect(rec!.proposed.memoryLimit).toBeGreaterThanOrEqual(512 * MIB * 1.3)
    expect(rec!.proposed.memoryRequest).toBeGreaterThanOrEqual(512 * MIB)
    expect(rec!.risk.level).toBe('high')
    expect(rec!.risk.reasons.join(' ')).toMatch(/1 OOM kill/)
  })

  it('keeps the CPU request of a workload whose HPA scales on CPU utilization', () => {
    const w = workload({
      hpa: {
        name: 'api',
        minReplicas: 2,
        maxReplicas: 10,
        currentReplicas: 4,
        targets: [{type: 'Resource', resource: 'cpu', targetType: 'Utilization', averageUtilization: 70}],
      },
    })
    const [rec] = recommendRightsizing(
      input([w], [usageFor(w, 'app', days(14, diurnalCpu, steadyMemory))]),
    ).recommendations
    expect(rec!.proposed.cpuRequest).toBe(1)
    expect(rec!.proposed.memoryRequest).toBeLessThan(GIB)
    expect(rec!.proposed.replicas).toBe(4)
    expect(rec!.evidence.notes!.join(' ')).toMatch(/HPA scales on CPU utilization/)
    // An AverageValue target is absolute: the request can move.
    const absolute = workload({
      hpa: {
        name: 'api',
        minReplicas: 2,
        maxReplicas: 10,
        targets: [{type: 'Resource', resource: 'cpu', targetType: 'AverageValue', averageValue: 0.5}],
      },
    })
    const [moved] = recommendRightsizing(
      input([absolute], [usageFor(absolute, 'app', days(14, diurnalCpu, steadyMemory))]),
    ).recommendations
    expect(moved!.proposed.cpuRequest).toBeLessThan(0.5)
  })

  it('allows for memory growth seen in the daily peaks', () => {
    const growing = (i: number, d: number) => (200 + 10 * d + (i === 150 ? 20 : 0)) * MIB
    const outcome = sizeContainer(
      days(14, diurnalCpu, growing),
      {name: 'app', requests: {cpu: 1, memory: GIB}, limits: {memory: GIB}},
      settings.rightsize,
    )
    expect(outcome.kind).toBe('sized')
    if (outcome.kind !== 'sized') return
    const peak = outcome.sizing.percentiles.memoryMax!
    expect(outcome.sizing.percentiles.memoryPeakGrowthPerDay! / MIB).toBeCloseTo(10, 0)
    expect(outcome.sizing.memoryLimit!).toBeGreaterThanOrEqual(peak * 1.2 + 7 * 9.5 * MIB)
  })

  it('skips batch workloads, bare pods and containers without usage with a reason', () => {
    const job = workload({kind: 'CronJob', name: 'nightly'})
    const pod = workload({kind: 'Pod', name: 'debug'})
    const noUsage = workload({name: 'quiet'})
    const result = recommendRightsizing(input([job, pod, noUsage]))
    expect(result.recommendations).toEqual([])
    expect(result.skipped.map((s) => [s.target.name, s.reason.split(':')[0]])).toEqual([
      ['nightly', 'CronJob'],
      ['debug', 'bare pod'],
      ['quiet', 'no usage collected for this container (run finops collect usage)'],
    ])
  })
})
