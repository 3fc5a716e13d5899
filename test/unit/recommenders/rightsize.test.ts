import {describe, expect, it} from 'vitest'

import {
  cpuRequestBasis,
  cpuShape,
  dailyPeakIrregularity,
  dailyPeakSpread,
  memoryRequestMargin,
  recommendRightsizing,
  sizeContainer,
} from '../../../recommenders/rightsize/recommend.js'
import {defaultRecommendSettings} from '../../../recommenders/settings.js'
import {mergeDigests} from '../../../src/k8s/digest.js'
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
    expect(rec.proposed.cpuRequest).toBeGreaterThanOrEqual(max - 0.001)
    expect(rec.proposed.cpuRequest).toBeLessThanOrEqual(max + 0.001)
    const peak = rec.evidence.percentiles!.memoryMax!
    expect(peak).toBeGreaterThan(295 * MIB)
    expect(rec.proposed.memoryLimit).toBeGreaterThanOrEqual(peak * 1.2)
    expect(rec.proposed.memoryRequest).toBeLessThanOrEqual(rec.proposed.memoryLimit!)
    // The daily peaks are all the same: the request gets the tightest margin, 5% over p99.
    const p99 = rec.evidence.percentiles!.memoryP99!
    expect(rec.proposed.memoryRequest).toBeGreaterThanOrEqual(p99 * 1.05 - MIB)
    expect(rec.proposed.memoryRequest).toBeLessThanOrEqual(p99 * 1.05 + MIB)
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
    expect(rec!.proposed.cpuRequest).toBeGreaterThanOrEqual(0.3)
    expect(rec!.proposed.memoryRequest).toBeGreaterThan(128 * MIB)
    expect(rec!.monthlySavings).toBeLessThan(0)
  })

  it('lifts a memory limit the raised request would exceed, even when the limit change alone is noise', () => {
    // Peak 1000Mi: request 1150Mi (the full 15% margin), limit 1200Mi; today's limit 1100Mi is
    // within 10% of 1200Mi.
    const w = workload({
      containers: [{name: 'app', requests: {cpu: 1, memory: 200 * MIB}, limits: {memory: 1100 * MIB}}],
    })
    const fullMargin = defaultRecommendSettings()
    fullMargin.rightsize.memoryRequestMinMargin = 0.15
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
        {settings: fullMargin},
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
    // A higher overrun cost makes the burst worth covering (the steady shape's factor applies to it).
    const strict = defaultRecommendSettings()
    strict.rightsize.cpuOverrunCost = 5000
    const [covered] = recommendRightsizing(
      input([w], [usageFor(w, 'app', days(14, bursty, steadyMemory))], {settings: strict}),
    ).recommendations
    expect(covered!.proposed.cpuRequest).toBeGreaterThan(3.9)
  })

  it('covers random bursts further up their tail than a burst of the same height every day', () => {
    // 0.2 cores with 3% noise and 24 five-minute bursts a day (8% of samples). Regular: every burst
    // at 3x. Irregular: each day's bursts at a different height (1.5x..10x), as heavy-tailed bursts come.
    const heights = [1.5, 6, 2, 10, 1.8, 3, 8, 1.6, 2.5, 7, 2, 4, 1.7, 9]
    const base = (i: number) => 0.2 * (1 + 0.03 * Math.sin((2 * Math.PI * i) / 288))
    const burst = (i: number) => i % 12 === 6
    const regular = (i: number) => base(i) * (burst(i) ? 3 : 1)
    const irregular = (i: number, d: number) => base(i) * (burst(i) ? heights[d]! * (1 + (i % 5) / 10) : 1)
    expect(dailyPeakIrregularity(days(14, regular, steadyMemory))).toBeLessThan(0.05)
    expect(dailyPeakIrregularity(days(14, irregular, steadyMemory))).toBeGreaterThan(0.4)
    const w = workload({containers: [{name: 'app', requests: {cpu: 8, memory: 1 * GIB}, limits: {memory: 1 * GIB}}]})
    const size = (cpu: (i: number, d: number) => number, burstyFactor?: number) => {
      const s = defaultRecommendSettings()
      if (burstyFactor !== undefined) s.rightsize.cpuShapes.bursty.overrunFactor = burstyFactor
      const [rec] = recommendRightsizing(
        input([w], [usageFor(w, 'app', days(14, cpu, steadyMemory))], {settings: s}),
      ).recommendations
      return rec!.proposed.cpuRequest!
    }
    // Regular bursts: 0.4 cores above the base for 8% of samples costs more than their overrun; the
    // request stays at the base, whatever the bursty shape's price (it is not read as bursty).
    expect(size(regular)).toBeLessThan(0.25)
    expect(size(regular)).toBe(size(regular, 1))
    // Irregular bursts: at the plain overrun cost only the base is covered; at the bursty shape's
    // (8x) the request goes up into the bursts (past the typical 2x burst), though not to the 10x
    // peaks (2.8 cores).
    expect(size(irregular, 1)).toBeLessThan(0.25)
    expect(size(irregular)).toBeGreaterThan(0.4)
    expect(size(irregular)).toBeLessThan(2)
    const [noted] = recommendRightsizing(
      input([w], [usageFor(w, 'app', days(14, irregular, steadyMemory))]),
    ).recommendations
    expect(noted!.evidence.notes).toContainEqual(
      expect.stringMatching(/^CPU peaks vary day to day \(irregularity 0\.\d\d\)/),
    )
  })

  it('sizes a nearly idle sidecar down to the 10m floor, without fixed headroom or a 20m noise threshold', () => {
    // 3..5 millicores: the request is the floor, and 20m -> 10m is a change worth making.
    const idle = (i: number) => 0.004 + 0.001 * Math.sin((2 * Math.PI * i) / 288)
    const w = workload({
      containers: [{name: 'proxy', requests: {cpu: 0.02, memory: 128 * MIB}, limits: {memory: 128 * MIB}}],
    })
    const [rec] = recommendRightsizing(
      input(
        [w],
        [
          usageFor(
            w,
            'proxy',
            days(14, idle, () => 40 * MIB),
          ),
        ],
      ),
    ).recommendations
    expect(rec!.proposed.cpuRequest).toBe(0.01)
    // A 14m sidecar at 10m: a 4m step is noise. Its memory request goes down to what it uses (40Mi
    // plus 5%, below the 96Mi limit floor: a request is paid for, a limit is not); the limit stays.
    const near = workload({
      containers: [{name: 'proxy', requests: {cpu: 0.014, memory: 96 * MIB}, limits: {memory: 96 * MIB}}],
    })
    const result = recommendRightsizing(
      input(
        [near],
        [
          usageFor(
            near,
            'proxy',
            days(14, idle, () => 40 * MIB),
          ),
        ],
      ),
    )
    expect(result.skipped).toEqual([])
    const [memoryOnly] = result.recommendations
    expect(memoryOnly!.proposed.cpuRequest).toBe(0.014)
    expect(memoryOnly!.proposed.memoryRequest).toBe(42 * MIB)
    expect(memoryOnly!.proposed.memoryLimit).toBe(96 * MIB)
  })

  it('prices a sample above the request the same for every bursty container, however irregular', () => {
    // Bursts 8% of the time at heights varying day to day, by up to 3.3x or 6.7x from day to day.
    const mild = [1.5, 4, 2, 5, 1.6, 3, 4.5, 1.7, 2.5, 5, 2, 3.5, 1.8, 4]
    const wild = [1.5, 6, 2, 10, 1.8, 3, 8, 1.6, 2.5, 7, 2, 4, 1.7, 9]
    const history = (heights: number[]) =>
      days(14, (i, d) => 0.2 * (1 + 0.03 * Math.sin(i)) * (i % 12 === 6 ? heights[d]! : 1), steadyMemory)
    const basis = (heights: number[]) => {
      const h = history(heights)
      return cpuRequestBasis(h, mergeDigests(h), settings.rightsize)
    }
    const a = basis(mild)
    const b = basis(wild)
    expect(a.shape).toBe('bursty')
    expect(b.shape).toBe('bursty')
    expect(b.irregularity).toBeGreaterThan(a.irregularity + 0.2)
    // One price, the bursty shape's factor on the overrun cost: 8 x 2 cores per 100% of samples.
    expect(a.overrunCost).toBe(16)
    expect(b.overrunCost).toBe(16)
    // A weight on the irregularity (the earlier rule) priced the wilder one higher.
    const weighted = structuredClone(settings.rightsize)
    weighted.cpuBurstWeight = 20
    const h = history(wild)
    expect(cpuRequestBasis(h, mergeDigests(h), weighted).overrunCost).toBeGreaterThan(16)
  })

  it('does not buy a daily batch hour for a large container but covers it for a small one', () => {
    // One hour a day (4.2% of samples) at 5x the base: the same peak every day.
    const batch = (level: number) => (i: number) => level * (i >= 96 && i < 108 ? 5 : 1) * (1 + 0.02 * Math.sin(i))
    const size = (level: number) => {
      const w = workload({
        containers: [{name: 'app', requests: {cpu: level * 8, memory: 1 * GIB}, limits: {memory: 1 * GIB}}],
      })
      return recommendRightsizing(input([w], [usageFor(w, 'app', days(14, batch(level), steadyMemory))]))
        .recommendations[0]!.proposed.cpuRequest!
    }
    expect(dailyPeakIrregularity(days(14, batch(1), steadyMemory))).toBeLessThan(0.05)
    // 1 core: covering the hour costs 4 cores for 4.2% of samples; the request stays near the base.
    expect(size(1)).toBeLessThan(1.1)
    // 10 millicores: covering it costs 40m; the hour is covered.
    expect(size(0.01)).toBeGreaterThanOrEqual(0.05)
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
    // Growth is read as 2.3%/day of the last week's level and applied from that week's middle to 2.5
    // days past the window (x 1.138); the trending shape reads the request from p75 up, with a quarter
    // of the overrun cost. The last week's p75 (~1.55 cores, a sine) projected is ~1.76; its peak,
    // 2.085 cores, projected is 2.37: the request lies between.
    expect(grown!.proposed.cpuRequest).toBeGreaterThan(1.76)
    expect(grown!.proposed.cpuRequest).toBeLessThan(2.37)
    expect(grown!.evidence.notes).toContain('CPU load shape: trending')
    // Projected only to the window's end, the same reading gives less.
    const toEnd = defaultRecommendSettings()
    toEnd.rightsize.cpuTrendDays = 0
    const [unprojected] = recommendRightsizing(
      input([w], [usageFor(w, 'app', days(14, growing, steadyMemory))], {settings: toEnd}),
    ).recommendations
    expect(unprojected!.proposed.cpuRequest).toBeLessThan(grown!.proposed.cpuRequest!)
    // Without growth at the last day's level, no projection is made.
    const [steady] = recommendRightsizing(
      input([w], [usageFor(w, 'app', days(14, flat, steadyMemory))]),
    ).recommendations
    expect((steady!.evidence.notes ?? []).some((n) => /CPU load grows/.test(n))).toBe(false)
    expect(steady!.evidence.notes).toContain('CPU load shape: diurnal')
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

describe('rightsize settings', () => {
  it('hands out independent defaults, so one caller changing a shape does not change the next', () => {
    const first = defaultRecommendSettings()
    first.rightsize.cpuShapes.bursty.overrunFactor = 1
    first.rightsize.cpuShapes.steady.overrunFactor = 1
    const next = defaultRecommendSettings()
    expect(next.rightsize.cpuShapes.bursty.overrunFactor).toBe(8)
    expect(next.rightsize.cpuShapes.steady.overrunFactor).toBe(0.4)
  })
})

describe('rightsizing by CPU shape and memory peak stability', () => {
  const frac = (x: number) => x - Math.floor(x)
  // 1 core with an exponential tail (5% mean excess), the same every day: a steady service.
  const steadyTail = (i: number) => 1 + 0.05 * -Math.log(1 - frac(i * 0.618034) * 0.999)
  const flatMemory = () => 250 * MIB
  const shapeOf = (cpu: (i: number, d: number) => number) => {
    const history = days(14, cpu, flatMemory)
    return cpuShape(history, mergeDigests(history), settings.rightsize).shape
  }

  it('reads the shape of the CPU load from the day digests', () => {
    expect(shapeOf(steadyTail)).toBe('steady')
    expect(shapeOf((i) => 1 + 0.6 * Math.sin((2 * Math.PI * i) / 288))).toBe('diurnal')
    // One hour a day at 5x a flat base.
    expect(shapeOf((i) => (i >= 96 && i < 108 ? 5 : 1) * (1 + 0.02 * Math.sin(i)))).toBe('batch')
    // Short bursts at a different height every day.
    const heights = [1.5, 6, 2, 10, 1.8, 3, 8, 1.6, 2.5, 7, 2, 4, 1.7, 9]
    expect(shapeOf((i, d) => (i % 12 === 6 ? heights[d]! : 1) * (1 + 0.02 * Math.sin(i)))).toBe('bursty')
    expect(shapeOf((i, d) => (1 + 0.03 * d) * (1 + 0.2 * Math.sin((2 * Math.PI * i) / 288)))).toBe('trending')
  })

  it('buys less of a steady load short tail than of other shapes, as its future is its past', () => {
    const w = workload({containers: [{name: 'app', requests: {cpu: 4, memory: 1 * GIB}, limits: {memory: 1 * GIB}}]})
    const size = (factor?: number) => {
      const s = defaultRecommendSettings()
      if (factor !== undefined) s.rightsize.cpuShapes.steady.overrunFactor = factor
      const [rec] = recommendRightsizing(
        input([w], [usageFor(w, 'app', days(14, steadyTail, flatMemory))], {settings: s}),
      ).recommendations
      return rec!
    }
    // Share above 1 + x is exp(-x / 0.05); r + c x share is least at x = 0.05 ln(c / 0.05): with the
    // steady factor (c = 0.4 x 2 = 0.8) x = 0.139, with the full cost (c = 2) x = 0.184.
    const rec = size()
    expect(rec.evidence.notes).toContain('CPU load shape: steady')
    expect(rec.proposed.cpuRequest).toBeGreaterThan(1.12)
    expect(rec.proposed.cpuRequest).toBeLessThan(1.16)
    const full = size(1).proposed.cpuRequest!
    expect(full).toBeGreaterThan(1.16)
    expect(full).toBeLessThan(1.21)
  })

  it('sets the memory request closer to a stable peak than to one that varies from day to day', () => {
    const stable = days(14, diurnalCpu, () => 300 * MIB)
    // Daily peaks spread by -8%..+8% around 300Mi, in no trend.
    const swing = [0, 4, -8, 8, -4, 2, -6, 6, -2, 0, 8, -8, 4, -4]
    const varying = days(14, diurnalCpu, (i, d) => (i === 100 ? 300 * (1 + swing[d]! / 100) : 280) * MIB)
    expect(dailyPeakSpread(stable)).toBeLessThan(0.001)
    expect(dailyPeakSpread(varying)).toBeGreaterThan(0.05)
    const current = {name: 'app', requests: {cpu: 1, memory: GIB}, limits: {memory: GIB}}
    const request = (history: typeof stable) => {
      const outcome = sizeContainer(history, current, settings.rightsize)
      expect(outcome.kind).toBe('sized')
      return outcome.kind === 'sized' ? outcome.sizing : undefined
    }
    const tight = request(stable)!
    expect(tight.memoryRequest! / MIB).toBeCloseTo(315, 0)
    const loose = request(varying)!
    // p99 of the varying one is 280Mi (one peak sample a day; the sketch reads it within 1%): the
    // full 15% margin, 322Mi.
    expect(loose.memoryRequest! / MIB).toBeGreaterThanOrEqual(322)
    expect(loose.memoryRequest! / MIB).toBeLessThan(322 * 1.01 + 1)
    // The limit is the peak plus 20% either way.
    expect(loose.memoryLimit!).toBeGreaterThanOrEqual(324 * 1.2 * MIB)
  })

  it('gives a peak growing on a straight line the margin of its scatter around it, not the full one', () => {
    // Peaks 200Mi + 10Mi a day, each within 0.1% of the line: the growth term holds the projection.
    const line = days(14, diurnalCpu, (i, d) => (i === 150 ? 200 + 10 * d : 190 + 10 * d) * MIB)
    const margin = (history: typeof line, oomKills = 0, censoredDays = 0) =>
      memoryRequestMargin(history, {censoredDays}, oomKills, settings.rightsize)
    expect(margin(line)).toBe(0.05)
    // The same peaks scattered -8%..+8% around the line: 3 standard deviations, capped at 15%.
    const swing = [0, 4, -8, 8, -4, 2, -6, 6, -2, 0, 8, -8, 4, -4]
    const scattered = days(14, diurnalCpu, (i, d) => (i === 150 ? (200 + 10 * d) * (1 + swing[d]! / 100) : 150) * MIB)
    expect(margin(scattered)).toBe(0.15)
    // A peak the old limit cut short keeps the full margin however straight the line of the rest.
    expect(margin(line, 1)).toBe(0.15)
    expect(margin(line, 0, 3)).toBe(0.15)
    const outcome = sizeContainer(
      line,
      {name: 'app', requests: {cpu: 1, memory: GIB}, limits: {memory: GIB}},
      settings.rightsize,
    )
    expect(outcome.kind).toBe('sized')
    if (outcome.kind !== 'sized') return
    // p99 is the base level of the last day (320Mi, the sketch within 1%) + 5% + 7 days x 10Mi.
    expect(outcome.sizing.memoryRequest! / MIB).toBeGreaterThan(320 * 1.05 + 70 - 4)
    expect(outcome.sizing.memoryRequest! / MIB).toBeLessThan(320 * 1.05 * 1.01 + 70 + 2)
  })

  it('raises a memory request the usage runs above, even by less than the noise threshold', () => {
    // 255Mi used against a 250Mi request: 268Mi is an 18Mi step, below the 32Mi noise threshold.
    const w = workload({
      containers: [{name: 'app', requests: {cpu: 1, memory: 250 * MIB}, limits: {memory: GIB}}],
    })
    const [rec] = recommendRightsizing(
      input(
        [w],
        [
          usageFor(
            w,
            'app',
            days(14, diurnalCpu, () => 255 * MIB),
          ),
        ],
      ),
    ).recommendations
    expect(rec!.proposed.memoryRequest).toBe(268 * MIB)
  })
})
