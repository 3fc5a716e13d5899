import type {CpuSmoothing, Histogram, UsageDigest} from '../model/k8s.js'

/**
 * Digest math: pure functions over the log-bucket sketches in model.ts. Both CPU and memory use
 * gamma 1.04 (quantiles within ~2%); the floors are below anything worth rightsizing (0.1 millicore,
 * 64 KiB) and values under them count in `zero`. The bucket count is capped so a digest stays small
 * (a day's CPU digest of a busy container has a few dozen buckets).
 */
export interface BucketScheme {
  min: number
  gamma: number
  maxIndex: number
}

export const CPU_SCHEME: BucketScheme = {min: 1e-4, gamma: 1.04, maxIndex: 600}
export const MEMORY_SCHEME: BucketScheme = {min: 65_536, gamma: 1.04, maxIndex: 700}

const logGamma = new Map<number, number>()
const lnGamma = (gamma: number): number => {
  let v = logGamma.get(gamma)
  if (v === undefined) logGamma.set(gamma, (v = Math.log(gamma)))
  return v
}

/** Bucket i (i >= 1) holds values in (min*gamma^(i-1), min*gamma^i]. */
export function bucketIndex(value: number, scheme: BucketScheme): number {
  if (value <= scheme.min) return value < scheme.min ? 0 : 1
  return Math.min(scheme.maxIndex, Math.max(1, Math.ceil(Math.log(value / scheme.min) / lnGamma(scheme.gamma) - 1e-12)))
}

/** The value a bucket stands for: the harmonic-style midpoint with the smallest worst-case relative error. */
export function bucketValue(index: number, scheme: BucketScheme): number {
  if (index <= 0) return 0
  const hi = scheme.min * scheme.gamma ** index
  const lo = hi / scheme.gamma
  return (2 * lo * hi) / (lo + hi)
}

export const emptyHistogram = (): Histogram => ({count: 0, sum: 0, min: 0, max: 0, zero: 0, buckets: []})

/**
 * A mutable histogram for streaming samples in; `toHistogram()` gives the stored form. Kept separate
 * from the plain data so adding millions of samples does not re-sort arrays.
 */
export class HistogramBuilder {
  private readonly counts = new Map<number, number>()
  private count = 0
  private sum = 0
  private min = Number.POSITIVE_INFINITY
  private max = 0
  private zero = 0

  constructor(
    readonly scheme: BucketScheme,
    from?: Histogram,
  ) {
    if (from) this.merge(from)
  }

  /** Adds one sample; NaN, infinities and negatives (counter resets) are ignored. */
  add(value: number, weight = 1): void {
    if (!Number.isFinite(value) || value < 0 || weight <= 0) return
    this.count += weight
    this.sum += value * weight
    if (value < this.min) this.min = value
    if (value > this.max) this.max = value
    const index = bucketIndex(value, this.scheme)
    if (index === 0) this.zero += weight
    else this.counts.set(index, (this.counts.get(index) ?? 0) + weight)
  }

  merge(h: Histogram): void {
    if (h.count <= 0) return
    if (this.count === 0 || h.min < this.min) this.min = h.min
    this.count += h.count
    this.sum += h.sum
    if (h.max > this.max) this.max = h.max
    this.zero += h.zero
    for (const [index, n] of h.buckets) this.counts.set(index, (this.counts.get(index) ?? 0) + n)
  }

  get size(): number {
    return this.count
  }

  toHistogram(): Histogram {
    if (this.count === 0) return emptyHistogram()
    return {
      count: this.count,
      sum: this.sum,
      min: this.min,
      max: this.max,
      zero: this.zero,
      buckets: [...this.counts.entries()].sort((a, b) => a[0] - b[0]),
    }
  }
}

/** Merges histograms built with the same scheme: counts add, min/max combine. */
export function mergeHistograms(histograms: readonly Histogram[], scheme: BucketScheme): Histogram {
  const builder = new HistogramBuilder(scheme)
  for (const h of histograms) builder.merge(h)
  return builder.toHistogram()
}

/**
 * The q-quantile (0..1) of the sketch, using the nearest-rank on the cumulative bucket counts and
 * clamped to the observed [min, max] so q=1 is the exact max and q=0 the exact min. NaN when empty.
 */
export function quantile(h: Histogram, q: number, scheme: BucketScheme): number {
  if (h.count <= 0) return Number.NaN
  if (q <= 0) return h.min
  if (q >= 1) return h.max
  const rank = q * (h.count - 1)
  let seen = h.zero
  if (rank < seen) return h.min < scheme.min ? h.min : 0
  for (const [index, n] of h.buckets) {
    seen += n
    if (rank < seen) return Math.min(h.max, Math.max(h.min, bucketValue(index, scheme)))
  }
  return h.max
}

/** Merges day digests (or digests of the same day from several runs) into one. */
export function mergeDigests(digests: readonly UsageDigest[]): UsageDigest {
  return {
    samples: digests.reduce((n, d) => n + d.samples, 0),
    cpu: mergeHistograms(
      digests.map((d) => d.cpu),
      CPU_SCHEME,
    ),
    memory: mergeHistograms(
      digests.map((d) => d.memory),
      MEMORY_SCHEME,
    ),
    oomKills: digests.reduce((n, d) => n + d.oomKills, 0),
    ...smoothingOf(digests),
  }
}

/** The digests' CPU smoothing sums added up; absent when a digest lacks it or the windows differ. */
function smoothingOf(digests: readonly UsageDigest[]): {cpuSmoothing?: CpuSmoothing} {
  const first = digests[0]?.cpuSmoothing
  if (!first || digests.some((d) => d.cpuSmoothing?.windowSteps !== first.windowSteps)) return {}
  const total = (pick: (s: CpuSmoothing) => number) => digests.reduce((n, d) => n + pick(d.cpuSmoothing!), 0)
  return {
    cpuSmoothing: {
      windowSteps: first.windowSteps,
      count: total((s) => s.count),
      sum: total((s) => s.sum),
      sumSquares: total((s) => s.sumSquares),
      pairs: total((s) => s.pairs),
      diffSquares: total((s) => s.diffSquares),
    },
  }
}

/**
 * Smoothing sums of one container-day's CPU values. Each series feeds its values in time order with the
 * value one step before (undefined after a gap: a restarted pod, a missed scrape), so only values one
 * step apart make a pair.
 */
export class SmoothingBuilder {
  private readonly sums: CpuSmoothing

  constructor(windowSteps: number) {
    this.sums = {windowSteps, count: 0, sum: 0, sumSquares: 0, pairs: 0, diffSquares: 0}
  }

  add(v: number, previous: number | undefined): void {
    if (!Number.isFinite(v) || v < 0) return
    const s = this.sums
    s.count++
    s.sum += v
    s.sumSquares += v * v
    if (previous !== undefined && Number.isFinite(previous) && previous >= 0) {
      s.pairs++
      s.diffSquares += (v - previous) ** 2
    }
  }

  toSmoothing(): CpuSmoothing {
    return {...this.sums}
  }
}

/** Streams CPU and memory samples of one container-day into a digest without keeping the samples. */
export class DigestBuilder {
  readonly cpu: HistogramBuilder
  readonly memory: HistogramBuilder
  oomKills = 0
  /** Set by a collector that reads CPU as rate() over a window, to record how it smooths. */
  smoothing?: SmoothingBuilder
  /** Samples counted by a stored digest beyond its histograms (kept when re-opening it). */
  private readonly extraSamples: number

  constructor(from?: UsageDigest) {
    this.cpu = new HistogramBuilder(CPU_SCHEME, from?.cpu)
    this.memory = new HistogramBuilder(MEMORY_SCHEME, from?.memory)
    this.oomKills = from?.oomKills ?? 0
    this.extraSamples = from ? from.samples - Math.max(from.cpu.count, from.memory.count) : 0
  }

  toDigest(): UsageDigest {
    const cpu = this.cpu.toHistogram()
    const memory = this.memory.toHistogram()
    return {
      samples: Math.max(cpu.count, memory.count) + Math.max(0, this.extraSamples),
      cpu,
      memory,
      oomKills: this.oomKills,
      ...(this.smoothing ? {cpuSmoothing: this.smoothing.toSmoothing()} : {}),
    }
  }
}
