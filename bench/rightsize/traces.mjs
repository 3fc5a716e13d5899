// Synthetic container usage for the rightsizing benchmark: deterministic (seeded), one value per
// 5-minute step. CPU is the mean cores used over the step; memory is the working-set demand in bytes
// (what the container would use without a limit). Workload classes (scored one by one):
//   diurnal   day/night load with a weekend dip (web front ends, APIs)
//   steady    flat load with noise (queues, internal services)
//   batch     one heavy hour a day on a low base (nightly jobs inside a long-running pod)
//   bursty    short spikes with a heavy-tailed (Pareto) height on a low base (webhooks, fan-out)
//   trending  load that grows steadily over the window (a service gaining users), memory with it
//   sidecar   tiny, nearly idle proxies and agents
// Across classes: slow memory growth (leaks) in a fifth, and memory spikes that OOM against tight limits.

export const STEP_SECONDS = 300
export const STEPS_PER_DAY = 86_400 / STEP_SECONDS
const MIB = 2 ** 20

import {seededRandom as rng} from '../../dist/src/seeded-random.js'

export {rng}

const logUniform = (r, lo, hi) => Math.exp(Math.log(lo) + r() * (Math.log(hi) - Math.log(lo)))
const normal = (r) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r())

export const CLASSES = ['diurnal', 'steady', 'batch', 'bursty', 'trending', 'sidecar']

const ARCHETYPES = [
  ['diurnal', 0.25],
  ['steady', 0.15],
  ['batch', 0.12],
  ['bursty', 0.18],
  ['trending', 0.17],
  ['sidecar', 0.13],
]

function pick(r, table) {
  let x = r()
  for (const [name, p] of table) {
    if ((x -= p) < 0) return name
  }
  return table.at(-1)[0]
}

/**
 * The parameters of container `index`: its archetype, load shape, memory behaviour and the requests a
 * developer set for it (mostly generous, some too tight).
 */
export function containerSpec(seed, index, namespaces = 6) {
  const r = rng(seed * 1_000_003 + index)
  const archetype = pick(r, ARCHETYPES)
  const base = archetype === 'sidecar' ? logUniform(r, 0.002, 0.02) : logUniform(r, 0.03, 1.5)
  const spec = {
    index,
    namespace: `team-${String.fromCharCode(97 + (index % namespaces))}`,
    workload: `${archetype}-${index}`,
    container: archetype === 'sidecar' ? 'proxy' : 'app',
    archetype,
    base,
    diurnal:
      archetype === 'diurnal'
        ? 0.3 + 0.5 * r()
        : archetype === 'steady'
          ? 0.05
          : archetype === 'batch'
            ? 0.1
            : archetype === 'trending'
              ? 0.1 + 0.25 * r()
              : 0.2 * r(),
    // Weekend load as a share of weekdays: the weekly dip of user-facing services.
    weekend: archetype === 'diurnal' ? 0.4 + 0.4 * r() : archetype === 'trending' ? 0.7 + 0.3 * r() : 0.9 + 0.1 * r(),
    noise: 0.08 + 0.2 * r(),
    burstsPerDay: archetype === 'bursty' ? 3 + 9 * r() : archetype === 'diurnal' ? 0.5 * r() : 0.1,
    // Bursts: heavy-tailed height (Pareto, shape burstTail, scale burstHeight) and 1-6 steps long.
    burstHeight: archetype === 'bursty' ? 1.5 + r() : 1.5 + r(),
    burstTail: archetype === 'bursty' ? 1.3 + 0.7 * r() : 8,
    burstSteps: archetype === 'bursty' ? 6 : 4,
    batchHour: Math.floor(r() * 24),
    batchHeight: 3 + 5 * r(),
    peakHour: 10 + 8 * r(),
    // Trending: linear growth of the load, 1.5-5% of the starting level per day.
    cpuGrowthPerDay: archetype === 'trending' ? 0.015 + 0.035 * r() : 0,
    memoryBase: (archetype === 'sidecar' ? logUniform(r, 24, 96) : logUniform(r, 96, 3072)) * MIB,
    memorySwing: 0.03 + 0.1 * r(),
    // A fifth leak slowly (restarted weekly by deploys in real life; here it keeps growing, the hard case).
    memoryGrowthPerDay: r() < 0.2 ? 0.005 + 0.02 * r() : 0,
    // A few have memory spikes that a tight limit turns into OOM kills.
    oomProne: r() < 0.08,
    spikesPerDay: 0.3 + 0.5 * r(),
    spikeHeight: 1.3 + 0.5 * r(),
  }
  // A growing service's memory grows with its load (caches, connections), at about half the rate.
  if (archetype === 'trending') spec.memoryGrowthPerDay = Math.max(spec.memoryGrowthPerDay, spec.cpuGrowthPerDay * 0.5)
  // Requests as developers set them: usually generous, a tenth too tight.
  const typicalPeak = base * (1 + spec.diurnal) * (archetype === 'batch' ? 1.5 : 1)
  const cpuFactor = r() < 0.1 ? 0.6 + 0.3 * r() : logUniform(r, 1.3, 6)
  spec.cpuRequest = Math.max(0.01, Math.ceil(typicalPeak * cpuFactor * 100) / 100)
  const memFactor = r() < 0.1 ? 1.05 + 0.1 * r() : logUniform(r, 1.3, 4)
  spec.memoryRequest = Math.ceil((spec.memoryBase * (1 + spec.memorySwing) * memFactor) / (16 * MIB)) * 16 * MIB
  spec.memoryLimit = spec.oomProne
    ? Math.ceil((spec.memoryBase * 1.25) / MIB) * MIB
    : r() < 0.5
      ? spec.memoryRequest
      : spec.memoryRequest * 1.5
  if (spec.oomProne) spec.memoryRequest = Math.min(spec.memoryRequest, spec.memoryLimit)
  return spec
}

/**
 * The container's usage for `days` days from `startSeconds` (a UTC midnight): Float64Arrays of CPU
 * cores and memory demand per step. Deterministic per (seed, index).
 */
export function containerTrace(seed, spec, startSeconds, days) {
  const r = rng(seed * 7_919 + spec.index * 104_729 + 1)
  const n = days * STEPS_PER_DAY
  const cpu = new Float64Array(n)
  const memory = new Float64Array(n)
  let burstLeft = 0
  let burstLevel = 1
  let spikeLeft = 0
  let spikeLevel = 1
  let smooth = 0
  for (let i = 0; i < n; i++) {
    const t = startSeconds + i * STEP_SECONDS
    const day = Math.floor(i / STEPS_PER_DAY)
    const hour = (t % 86_400) / 3600
    const weekday = (Math.floor(t / 86_400) + 4) % 7 // 1970-01-01 was a Thursday: 0 = Sunday
    const weekend = weekday === 0 || weekday === 6
    const daily = 1 + spec.diurnal * Math.cos((2 * Math.PI * (hour - spec.peakHour)) / 24)
    smooth = 0.7 * smooth + 0.3 * normal(r) // autocorrelated noise
    const growth = 1 + spec.cpuGrowthPerDay * (i / STEPS_PER_DAY)
    let load =
      spec.base * growth * daily * (weekend ? spec.weekend : 1) * Math.exp(spec.noise * smooth - spec.noise ** 2 / 2)
    if (burstLeft > 0) {
      burstLeft--
      load *= burstLevel
    } else if (r() < spec.burstsPerDay / STEPS_PER_DAY) {
      burstLeft = 1 + Math.floor(r() * spec.burstSteps)
      // Pareto: most bursts are modest, a few are many times the base (capped at 20x).
      burstLevel = Math.min(20, spec.burstHeight * (1 - r()) ** (-1 / spec.burstTail))
    }
    if (spec.archetype === 'batch' && Math.floor(hour) === spec.batchHour) load *= spec.batchHeight
    cpu[i] = Math.max(0.0005, load)

    let mem =
      spec.memoryBase *
      (1 + spec.memoryGrowthPerDay * day) *
      (1 + ((spec.memorySwing * (daily - 1)) / Math.max(spec.diurnal, 0.05)) * 0.5) *
      (1 + 0.01 * normal(r))
    if (spec.oomProne) {
      if (spikeLeft > 0) {
        spikeLeft--
        mem *= spikeLevel
      } else if (r() < spec.spikesPerDay / STEPS_PER_DAY) {
        spikeLeft = 1 + Math.floor(r() * 3)
        spikeLevel = spec.spikeHeight * (0.9 + 0.2 * r())
      }
    }
    memory[i] = mem
  }
  return {cpu, memory}
}

/** Observed memory under a limit: the kernel kills the container when demand passes the limit. */
export function observeMemory(memory, limit) {
  const observed = new Float64Array(memory.length)
  const oomSteps = []
  let over = false
  for (let i = 0; i < memory.length; i++) {
    const isOver = limit !== undefined && memory[i] > limit
    observed[i] = isOver ? limit * 0.999 : memory[i]
    if (isOver && !over) oomSteps.push(i)
    over = isOver
  }
  return {observed, oomSteps}
}
