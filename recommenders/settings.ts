import {z} from 'zod'

import {inputError} from '../src/errors.js'

/**
 * Recommender settings, `kubernetes.recommend:` in finops.yaml. Every field has a default and says
 * why it exists; `finops recommend` reads them once and passes them to the pure recommenders.
 */
/**
 * CPU sizing for one detected shape: its lowest quantile (unset: cpuPercentile) and a factor on
 * cpuOverrunCost (unset: 1), so changing cpuOverrunCost still moves every shape.
 */
const shapeSizing = z
  .strictObject({
    percentile: z.number().gt(0).lte(1).optional(),
    overrunFactor: z.number().min(0).optional(),
  })
  .default({})

const rightsize = z.strictObject({
  /**
   * Lowest usage quantile the CPU request may be set from; above it, the request goes as far up the
   * usage as `cpuOverrunCost` makes worth it.
   */
  cpuPercentile: z.number().gt(0).lte(1).default(0.8),
  /**
   * What a container's CPU running above its request is worth avoiding, in cores per 100% of samples
   * above the request (2 = one more millicore is bought while it covers at least 0.05% of samples).
   * Headroom is thus bought where it is cheap: short tails (small and steady containers) are covered
   * almost whole, long flat tails (rare large bursts, one batch hour a day) are not.
   */
  cpuOverrunCost: z.number().min(0).default(2),
  /**
   * Daily-peak irregularity (standard deviation over the days of log(daily max / daily median))
   * above which the peaks count as random bursts rather than a daily pattern: a batch hour or a
   * daytime peak stays near 0.1, Pareto-tailed bursts reach 0.4 and more.
   */
  cpuBurstThreshold: z.number().min(0).default(0.3),
  /**
   * How much dearer a sample above the request gets per unit of irregularity above the threshold
   * (overrun cost x (1 + weight x excess)). 0 by default: one price for every bursty container (the
   * bursty shape's factor in cpuShapes) buys the fewest samples above for the money, where a price
   * rising with the irregularity spends it on the most irregular few (docs/recommendations.md).
   */
  cpuBurstWeight: z.number().min(0).default(0),
  /** Relative headroom on top of the chosen level. */
  cpuMargin: z.number().min(0).max(5).default(0),
  /**
   * Absolute headroom in cores on top of it. 0 by default: the overrun optimum already covers short
   * tails whole, and a fixed 5m would double a 5m sidecar's request.
   */
  cpuHeadroom: z.number().min(0).default(0),
  /**
   * Growing CPU load (week-over-week growth of the daily medians, per day, relative to the last
   * week) above which the request is projected forward instead of read from the past.
   */
  cpuTrendMinGrowth: z.number().min(0).default(0.005),
  /**
   * Days past the end of the window the growth is projected over: into the life of the
   * recommendation, short of its middle for a week-long one, because the trending shape's own
   * quantile and overrun cost then hold the rest. Longer projections buy fewer samples above the
   * request with fewer savings.
   */
  cpuTrendDays: z.number().min(0).default(2.5),
  /**
   * Per CPU shape (read from the day digests, see cpuShape in recommenders/rightsize/recommend.ts):
   * the lowest usage quantile the request may be set from (replacing cpuPercentile) and a factor on
   * cpuOverrunCost, for containers of that shape.
   */
  cpuShapes: z
    .strictObject({
      steady: shapeSizing,
      diurnal: shapeSizing,
      batch: shapeSizing,
      bursty: shapeSizing,
      trending: shapeSizing,
    })
    // Chosen on the benchmark's development seeds (docs/benchmarks.md): a steady load's future is its
    // past, so less of its short tail is bought; a bursty one cannot be anticipated, so a sample above
    // its request is priced 8x and its request goes up into its bursts; a trending one is projected and
    // bought less far up its tail, as the projection already holds the headroom the growth needs.
    .default({
      steady: {overrunFactor: 0.4},
      diurnal: {},
      batch: {},
      bursty: {overrunFactor: 8},
      trending: {percentile: 0.75, overrunFactor: 0.25},
    }),
  /**
   * Factor on a batch or diurnal shape's overrun cost for its hour-of-day request profile (in-place
   * pod resize): each hour is sized from its own usage, so the quiet hours no longer pay for the busy
   * one and the busy hour can be covered far up; a lower cost keeps part of that as money.
   */
  cpuScheduleOverrunFactor: z.number().min(0).default(1),
  /** p90/p10 of the window's CPU at or above which the load has a daily cycle (diurnal), not a flat one. */
  cpuDiurnalSpread: z.number().min(1).default(1.5),
  /** p99/p90 at or above which the top of the load is a heavy hour or so a day (batch) above a flat base. */
  cpuBatchSpread: z.number().min(1).default(1.8),
  /** Lowest CPU request proposed, in cores. */
  cpuFloor: z.number().min(0).default(0.01),
  /** Usage quantile the memory request is set from. */
  memoryPercentile: z.number().gt(0).lte(1).default(0.99),
  /** Relative headroom on the memory request when the daily peaks are unstable (the most it gets). */
  memoryRequestMargin: z.number().min(0).max(5).default(0.15),
  /**
   * The least relative headroom on the memory request: when the daily peaks are stable (after their
   * trend), the margin is three standard deviations of them relative to their mean, within
   * [memoryRequestMinMargin, memoryRequestMargin].
   */
  memoryRequestMinMargin: z.number().min(0).max(5).default(0.05),
  /** Relative headroom on the memory limit above the peak (KRR uses 0.15). */
  memoryLimitMargin: z.number().min(0).max(5).default(0.2),
  /**
   * Lowest memory request proposed, in bytes. Below the limit's floor: the request is what the
   * scheduler reserves and is paid for, so a 24Mi sidecar should not reserve 96Mi.
   */
  memoryRequestFloor: z
    .number()
    .min(0)
    .default(16 * 2 ** 20),
  /** Lowest memory limit proposed, in bytes (about KRR's 100 MB floor); limits cost nothing. */
  memoryFloor: z
    .number()
    .min(0)
    .default(96 * 2 ** 20),
  /** Days of memory growth to allow for, extrapolated from the trend of the daily peaks. */
  memoryGrowthDays: z.number().min(0).default(7),
  /** Factor on the current memory limit (or peak) for containers that were OOM-killed in the window. */
  oomBump: z.number().min(1).default(1.3),
  /** Changes smaller than this share of the current value are noise and are not proposed. */
  minChangeShare: z.number().min(0).max(1).default(0.1),
  /** ... and smaller than these absolute amounts. */
  // 5m: sidecars run at 2-20m, so a 20m threshold kept every sidecar's 20m request where 10m would do.
  minCpuChange: z.number().min(0).default(0.005),
  minMemoryChange: z
    .number()
    .min(0)
    .default(32 * 2 ** 20),
  /** Thin data: fewer days or samples than these gives a skipped entry, never a made-up number. */
  minDays: z.number().int().min(1).default(3),
  minSamples: z.number().int().min(1).default(200),
})

const spot = z.strictObject({
  /**
   * Spot price as a share of on-demand per provider, for spot-migration savings when the store has no
   * catalog spot/on-demand pairs (0.35 = 65% off). Node prices themselves come from kubernetes.prices.
   */
  defaultPriceRatio: z
    .strictObject({
      aws: z.number().gt(0).lte(1).default(0.35),
      gcp: z.number().gt(0).lte(1).default(0.3),
      azure: z.number().gt(0).lte(1).default(0.3),
      other: z.number().gt(0).lte(1).default(0.35),
    })
    .default({aws: 0.35, gcp: 0.3, azure: 0.3, other: 0.35}),
  /** Interruption notice per provider, in seconds: the termination grace period must fit inside it. */
  noticeSeconds: z
    .strictObject({
      aws: z.number().int().min(0).default(120),
      gcp: z.number().int().min(0).default(30),
      azure: z.number().int().min(0).default(30),
      other: z.number().int().min(0).default(30),
    })
    .default({aws: 120, gcp: 30, azure: 30, other: 30}),
  /** Container restarts (current pods) above which the workload is graded high risk. */
  maxRestarts: z.number().int().min(0).default(5),
})

const configuredSchedule = z
  .strictObject({
    /** Namespace globs (`dev-*`); empty or absent matches every namespace. */
    namespaces: z.array(z.string().min(1)).optional(),
    /** Workload labels that must all match. */
    labels: z.record(z.string(), z.string()).optional(),
    /** kube-downscaler syntax, e.g. 'Mon-Fri 07:30-20:30 Europe/Berlin'. */
    uptime: z.string().min(1).optional(),
    downtime: z.string().min(1).optional(),
    /** kube-downscaler's --upscale-period / --downscale-period: scale only inside these (they win over uptime/downtime). */
    upscalePeriod: z.string().min(1).optional(),
    downscalePeriod: z.string().min(1).optional(),
    downtimeReplicas: z.number().int().min(0).optional(),
  })
  .refine(
    (s) =>
      s.uptime !== undefined ||
      s.downtime !== undefined ||
      s.upscalePeriod !== undefined ||
      s.downscalePeriod !== undefined,
    {message: 'a schedule needs uptime, downtime, upscalePeriod or downscalePeriod'},
  )

const scaleDown = z.strictObject({
  /** Days of usage needed before a workload can be called idle. */
  idleDays: z.number().int().min(1).default(7),
  /** A workload whose CPU stays under this many cores (p99, summed over its containers) is idle. */
  idleCpuCores: z.number().min(0).default(0.005),
  /** Off-hours schedules for workloads without kube-downscaler annotations; the first match wins. */
  schedules: z.array(configuredSchedule).default([]),
  /** Days (YYYY-MM-DD) when scheduled workloads stay down all day. */
  holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')).default([]),
  /** Time zone for holidays of schedules that name none. */
  timeZone: z.string().default('UTC'),
  /**
   * kube-downscaler's DEFAULT_TIMEZONE: the zone of a rule that names none (`Mon-Fri 08:00-20:00`).
   * Unset, such a rule cannot be read and its workload is skipped, as in kube-downscaler.
   */
  defaultTimeZone: z.string().min(1).optional(),
  /** kube-downscaler's DEFAULT_WEEKFRAME: the days of a rule that names none (`08:00-20:00 Europe/Paris`). */
  defaultWeekFrame: z
    .string()
    .regex(/^[A-Za-z]{3}(-[A-Za-z]{3})?$/, 'expected days such as Mon-Fri or Mon-Sun')
    .optional(),
})

const trackRecord = z.strictObject({
  /** Measured actions of a kind (the savings ledger) needed before their realized ratio counts. */
  minActions: z.number().int().min(1).default(3),
  /** A kind whose actions realized less than this share of their promise gets one risk level more. */
  riskBelow: z.number().min(0).max(1).default(0.5),
})

export const recommendSettingsSchema = z.strictObject({
  /** Usage window in days, ending at the last day with usage in the store. */
  windowDays: z.number().int().min(1).max(90).default(14),
  rightsize: rightsize.default(rightsize.parse({})),
  spot: spot.default(spot.parse({})),
  scaleDown: scaleDown.default(scaleDown.parse({})),
  trackRecord: trackRecord.default(trackRecord.parse({})),
})

export type RecommendSettings = z.infer<typeof recommendSettingsSchema>
export type RightsizeSettings = RecommendSettings['rightsize']
export type SpotSettings = RecommendSettings['spot']
export type ScaleDownSettings = RecommendSettings['scaleDown']

// zod hands out the same default objects on every parse: a copy, so that changing one caller's
// settings (cpuShapes.bursty) does not change every later caller's defaults.
export const defaultRecommendSettings = (): RecommendSettings => structuredClone(recommendSettingsSchema.parse({}))

/**
 * Reads `kubernetes.recommend` from the loaded config (the kubernetes section is a loose object, so
 * this section validates itself). Errors name the field.
 */
export function recommendSettingsFrom(kubernetes: unknown, file = 'finops.yaml'): RecommendSettings {
  const raw =
    kubernetes && typeof kubernetes === 'object' ? (kubernetes as Record<string, unknown>).recommend : undefined
  const result = recommendSettingsSchema.safeParse(raw ?? {})
  if (result.success) return structuredClone(result.data)
  const issue = result.error.issues[0]!
  const field = ['kubernetes', 'recommend', ...issue.path.map(String)].join('.')
  throw inputError(
    `${file}: ${field}: ${issue.message}`,
    'see docs/recommendations.md for the fields and their defaults',
  )
}
