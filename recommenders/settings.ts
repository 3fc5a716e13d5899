import {z} from 'zod'

import {inputError} from '../src/errors.js'

/**
 * Recommender settings, `kubernetes.recommend:` in finops.yaml. Every field has a default and says
 * why it exists; `finops recommend` reads them once and passes them to the pure recommenders.
 */
const rightsize = z.strictObject({
  /**
   * Usage quantile the CPU request is set from. A slightly lower quantile plus proportional headroom
   * (rather than KRR's bare p95) puts the headroom where load is steady and cheap to cover, instead of
   * chasing the rare bursts of spiky containers: in bench/rightsize it saves at least as much as p95
   * with about half the samples above the request.
   */
  cpuPercentile: z.number().gt(0).lte(1).default(0.9),
  /** Relative headroom on top of the CPU quantile. */
  cpuMargin: z.number().min(0).max(5).default(0.1),
  /** Absolute headroom in cores: small containers get proportionally more room, which costs almost nothing. */
  cpuHeadroom: z.number().min(0).default(0.01),
  /** Lowest CPU request proposed, in cores. */
  cpuFloor: z.number().min(0).default(0.01),
  /** Usage quantile the memory request is set from. */
  memoryPercentile: z.number().gt(0).lte(1).default(0.99),
  /** Relative headroom on the memory request. */
  memoryRequestMargin: z.number().min(0).max(5).default(0.15),
  /** Relative headroom on the memory limit above the peak (KRR uses 0.15). */
  memoryLimitMargin: z.number().min(0).max(5).default(0.2),
  /** Lowest memory request/limit proposed, in bytes. */
  memoryFloor: z
    .number()
    .min(0)
    .default(64 * 2 ** 20),
  /** Days of memory growth to allow for, extrapolated from the trend of the daily peaks. */
  memoryGrowthDays: z.number().min(0).default(7),
  /** Factor on the current memory limit (or peak) for containers that were OOM-killed in the window. */
  oomBump: z.number().min(1).default(1.3),
  /** Changes smaller than this share of the current value are noise and are not proposed. */
  minChangeShare: z.number().min(0).max(1).default(0.1),
  /** ... and smaller than these absolute amounts. */
  minCpuChange: z.number().min(0).default(0.02),
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
})

export const recommendSettingsSchema = z.strictObject({
  /** Usage window in days, ending at the last day with usage in the store. */
  windowDays: z.number().int().min(1).max(90).default(14),
  rightsize: rightsize.default(rightsize.parse({})),
  spot: spot.default(spot.parse({})),
  scaleDown: scaleDown.default(scaleDown.parse({})),
})

export type RecommendSettings = z.infer<typeof recommendSettingsSchema>
export type RightsizeSettings = RecommendSettings['rightsize']
export type SpotSettings = RecommendSettings['spot']
export type ScaleDownSettings = RecommendSettings['scaleDown']

export const defaultRecommendSettings = (): RecommendSettings => recommendSettingsSchema.parse({})

/**
 * Reads `kubernetes.recommend` from the loaded config (the kubernetes section is a loose object, so
 * this section validates itself). Errors name the field.
 */
export function recommendSettingsFrom(kubernetes: unknown, file = 'finops.yaml'): RecommendSettings {
  const raw =
    kubernetes && typeof kubernetes === 'object' ? (kubernetes as Record<string, unknown>).recommend : undefined
  const result = recommendSettingsSchema.safeParse(raw ?? {})
  if (result.success) return result.data
  const issue = result.error.issues[0]!
  const field = ['kubernetes', 'recommend', ...issue.path.map(String)].join('.')
  throw inputError(
    `${file}: ${field}: ${issue.message}`,
    'see docs/recommendations.md for the fields and their defaults',
  )
}
