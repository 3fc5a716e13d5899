/**
 * Synthetic three-cloud bills for the anomaly benchmark. One bill is an organisation's daily usage
 * by account and service (about 16 series) with what real bills have: service-typed noise (steady
 * compute and storage at ~2%, right-skewed noisy data transfer / CDN / BigQuery / Lambda at 10-22%,
 * autocorrelated), weekly patterns, slow trends, services that started recently, past level shifts
 * and past one-day spikes (some in the week before the judged days), intermittent batch jobs, a
 * support fee on the 1st, a savings-plan fee every day, one-time purchases and credits, and providers
 * whose export lags (GCP and Azure a day or two behind AWS). A bill either has no anomaly or gets one
 * or two material anomalies injected in its judged days (the last 3 days each provider delivered):
 * one-day spikes, level jumps (up or down) and runaways (cost growing day after day). Each injected
 * anomaly's extra cost lands in one region, which the root cause should name.
 */
import {seededRandom} from '../../dist/src/seeded-random.js'

const DAY_MS = 86_400_000
export const addDays = (day, n) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10)
const weekday = (day) => new Date(`${day}T00:00:00Z`).getUTCDay()

/** Judged days per provider run: the last 3 days each provider delivered (the scan's default). */
export const JUDGED_DAYS = 3

const PROVIDERS = {
  AWS: {
    lag: [0, 0],
    regions: ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2'],
    services: {
      steady: ['Amazon Elastic Compute Cloud', 'Amazon Relational Database Service', 'Amazon ElastiCache'],
      storage: ['Amazon Simple Storage Service', 'Amazon Elastic Block Store'],
      moderate: ['Amazon Elastic Kubernetes Service', 'Amazon DynamoDB', 'Amazon CloudWatch'],
      noisy: ['AWS Data Transfer', 'Amazon CloudFront', 'AWS Lambda', 'Amazon Athena'],
      batch: ['AWS Glue', 'AWS Batch', 'Amazon EMR'],
    },
  },
  Microsoft: {
    lag: [0, 1],
    regions: ['eastus', 'westeurope', 'northeurope'],
    services: {
      steady: ['Virtual Machines', 'Azure SQL Database', 'Azure Cache for Redis'],
      storage: ['Storage'],
      moderate: ['Azure Kubernetes Service', 'Azure Monitor'],
      noisy: ['Bandwidth', 'Azure Functions', 'Azure Front Door'],
      batch: ['Azure Data Factory', 'Azure Databricks'],
    },
  },
  'Google Cloud': {
    lag: [1, 2],
    regions: ['us-central1', 'europe-west1', 'asia-east1'],
    services: {
      steady: ['Compute Engine', 'Cloud SQL', 'Cloud Memorystore'],
      storage: ['Cloud Storage'],
      moderate: ['Kubernetes Engine', 'Cloud Logging'],
      noisy: ['BigQuery', 'Networking', 'Cloud Run', 'Cloud CDN'],
      batch: ['Dataflow', 'Dataproc'],
    },
  },
}

/** How each kind of service behaves: relative day-to-day noise and the weekly dip. */
const KINDS = {
  steady: {share: 0.25, noise: [0.012, 0.03], weekend: [0.8, 1]},
  storage: {share: 0.15, noise: [0.008, 0.02], weekend: [1, 1]},
  moderate: {share: 0.2, noise: [0.04, 0.08], weekend: [0.6, 1]},
  noisy: {share: 0.28, noise: [0.1, 0.22], weekend: [0.45, 0.95]},
  batch: {share: 0.12, noise: [0.15, 0.45], weekend: [1, 1]},
}

/**
 * One bill. `withAnomalies` decides whether one or two anomalies are injected. Returns the usage and
 * fee rows (FOCUS-shaped, for the store), the watched series and the injected events with their days.
 */
export function generateBill(seed, withAnomalies) {
  const r = seededRandom(seed * 7919 + 13)
  const uniform = (a, b) => a + (b - a) * r()
  const logUniform = (a, b) => Math.exp(uniform(Math.log(a), Math.log(b)))
  const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r())
  const pick = (list) => list[Math.floor(r() * list.length)]

  const now = addDays('2025-01-01', Math.floor(uniform(0, 400)))
  const end = addDays(now, -1)
  const historyDays = Math.floor(uniform(120, 400))
  const start = addDays(end, -(historyDays - 1))
  const lastDay = {}
  for (const [provider, p] of Object.entries(PROVIDERS))
    lastDay[provider] = addDays(end, -Math.round(uniform(p.lag[0], p.lag[1] + 0.999) - 0.5))

  // Accounts: two AWS accounts, one Azure subscription, one or two GCP billing accounts.
  const accounts = [
    {provider: 'AWS', id: `${100000000000 + seed * 7}`, services: 5},
    {provider: 'AWS', id: `${200000000000 + seed * 7}`, services: 3},
    {provider: 'Microsoft', id: `sub-${seed}-prod`, services: 4},
    {provider: 'Google Cloud', id: `0A1B2C-${seed}`, services: 4},
  ]
  const series = []
  for (const account of accounts) {
    const used = new Set()
    const scale = logUniform(0.3, 3)
    for (let k = 0; k < account.services; k++) {
      const kind = pickKind(r)
      const names = PROVIDERS[account.provider].services[kind].filter((n) => !used.has(n))
      if (names.length === 0) continue
      const service = pick(names)
      used.add(service)
      series.push(
        makeSeries(
          {r, uniform, logUniform, normal, pick},
          account,
          service,
          kind,
          scale,
          start,
          end,
          lastDay[account.provider],
        ),
      )
    }
  }

  const events = []
  if (withAnomalies) {
    const count = r() < 0.7 ? 1 : 2
    const candidates = series.filter((s) => s.startIndex <= s.values.length - 40)
    for (let k = 0; k < count && candidates.length > 0; k++) {
      const s = candidates.splice(Math.floor(r() * candidates.length), 1)[0]
      const event = injectEvent({r, uniform, logUniform, normal, pick}, s, start, lastDay[s.provider])
      if (event) events.push(event)
    }
  }

  const rows = []
  for (const s of series) rows.push(...seriesRows(s, start, lastDay[s.provider], r))
  rows.push(...feeRows({r, uniform, logUniform}, accounts, series, start, lastDay))
  return {seed, now, start, end, lastDay, series, events, rows}
}

function pickKind(r) {
  let u = r()
  for (const [kind, k] of Object.entries(KINDS)) {
    if (u < k.share) return kind
    u -= k.share
  }
  return 'steady'
}

function makeSeries(rand, account, service, kind, scale, start, end, providerLast) {
  const {r, uniform, logUniform, normal} = rand
  const k = KINDS[kind]
  const total = Math.round((Date.parse(end) - Date.parse(start)) / DAY_MS) + 1
  // First judged day of this series (its provider's last delivered day minus 2).
  const windowStart = Math.round((Date.parse(providerLast) - Date.parse(start)) / DAY_MS) - (JUDGED_DAYS - 1)
  const level0 = scale * (kind === 'batch' ? logUniform(80, 4000) : logUniform(15, 6000))
  const noise = uniform(k.noise[0], k.noise[1])
  const weekend = r() < 0.7 ? uniform(k.weekend[0], k.weekend[1]) : 1
  const trend = r() < 0.6 ? uniform(-0.0015, 0.004) : 0
  const ar = kind === 'storage' ? uniform(0.5, 0.9) : uniform(0, 0.6)
  // A service that started recently (a new workload): before it, no rows at all.
  const startIndex = r() < 0.1 ? Math.floor(total - uniform(25, 90)) : 0
  // Past level shifts, some of them in the days just before the judged window.
  const shifts = []
  const shiftCount = r() < 0.35 ? 1 + Math.floor(r() * 2) : 0
  for (let i = 0; i < shiftCount; i++) {
    // A batch job runs on some days only: its shift needs a few runs before the judged days to be history.
    const nearest = kind === 'batch' ? 21 : 1
    const at =
      r() < 0.35
        ? windowStart - Math.floor(uniform(nearest, nearest + 14))
        : Math.floor(uniform(startIndex + 10, windowStart - 15))
    shifts.push({at, factor: r() < 0.5 ? uniform(0.5, 0.85) : uniform(1.2, 2.2)})
  }
  // Past one-day spikes, one of them at times in the week before the judged window.
  const spikes = new Map()
  if (r() < 0.45) {
    const count = 1 + Math.floor(r() * 3)
    for (let i = 0; i < count; i++) spikes.set(Math.floor(uniform(startIndex + 7, windowStart - 8)), uniform(1.8, 5))
    if (r() < 0.35) spikes.set(windowStart - Math.floor(uniform(1, 8)), uniform(2, 4))
  }
  // Batch jobs: a daily chance to run, or a weekly schedule; a run's size varies.
  const runChance = uniform(0.15, 0.6)
  const schedule = r() < 0.35 ? new Set([Math.floor(r() * 7), ...(r() < 0.4 ? [Math.floor(r() * 7)] : [])]) : null
  const residue = kind === 'batch' && r() < 0.3 ? uniform(0.01, 0.5) : 0

  const values = new Array(total).fill(0)
  const regionsAll = PROVIDERS[account.provider].regions
  const regionCount = 1 + Math.floor(r() * Math.min(3, regionsAll.length))
  const regions = [...regionsAll].sort(() => r() - 0.5).slice(0, regionCount)
  const shares = regions.map((_, i) => (i === 0 ? 1 : uniform(0.1, 0.6)))
  const shareSum = shares.reduce((a, b) => a + b, 0)

  let level = level0
  let e = 0
  for (let i = 0; i < total; i++) {
    for (const sh of shifts) if (sh.at === i) level *= sh.factor
    if (i < startIndex) continue
    const day = addDays(start, i)
    const dow = weekday(day)
    const weekly = dow === 0 || dow === 6 ? weekend : 1
    if (kind === 'batch') {
      const runs = schedule ? schedule.has(dow) : r() < runChance
      values[i] = runs ? level * Math.exp(noise * normal()) : residue
    } else {
      // Right-skewed noise: log-normal around the level, autocorrelated from day to day.
      e = ar * e + Math.sqrt(1 - ar * ar) * normal()
      values[i] = level * (1 + trend) ** (i - startIndex) * weekly * Math.exp(noise * e - (noise * noise) / 2)
    }
    if (spikes.has(i) && values[i] > 0) values[i] *= spikes.get(i)
  }
  return {
    provider: account.provider,
    account: account.id,
    service,
    kind,
    noise,
    level: level0,
    startIndex,
    values,
    regions,
    shares: shares.map((s) => s / shareSum),
    extra: new Array(total).fill(0),
    extraRegion: regions[0],
  }
}

/**
 * Injects one material anomaly in the series' judged days (the provider's last 3 delivered days).
 * Material: at least 40% away from the typical day, at least 4 times the series' own day-to-day noise
 * on the log scale (a noisy service's material spike is larger than a steady one's), and $100 a day.
 */
function injectEvent(rand, s, start, providerLast) {
  const {r, uniform, logUniform, pick} = rand
  const lastIndex = Math.round((Date.parse(providerLast) - Date.parse(start)) / DAY_MS)
  const window = [lastIndex - 2, lastIndex - 1, lastIndex]
  const recent = s.values.slice(lastIndex - 30, lastIndex - 2)
  const high = [...recent].sort((a, b) => a - b)[Math.floor(recent.length * 0.9)]
  // A batch job's typical run, not its idle days; a daily series' typical day.
  const recentLevel = median(s.kind === 'batch' ? recent.filter((v) => v > 0.1 * high) : recent.filter((v) => v > 0))
  if (!(recentLevel > 0)) return undefined
  const minRelative = Math.max(0.4, Math.exp(4 * s.noise) - 1, 100 / recentLevel)
  const maxDrop = 1 - Math.min(0.6, Math.exp(-4 * s.noise))
  const type = s.kind === 'batch' ? 'spike' : pick(['spike', 'spike', 'jump', 'jump', 'runaway'])
  s.extraRegion = pick(s.regions)
  if (type === 'spike') {
    const candidates = s.kind === 'batch' ? window.filter((i) => s.values[i] > recentLevel * 0.3) : window
    if (candidates.length === 0) return undefined
    const i = pick(candidates)
    const rel = logUniform(minRelative, 3 * minRelative)
    s.extra[i] += recentLevel * rel
    return {series: s, type, direction: 'spike', days: [addDays(start, i)], size: rel}
  }
  if (type === 'jump') {
    const i = pick(window)
    const up = r() < 0.7
    const rel = up ? logUniform(minRelative, 2.5 * minRelative) : uniform(maxDrop, Math.max(maxDrop, 0.95))
    if (!up && rel * recentLevel < 100) return undefined
    // A rise lands in one region; a drop (a workload scaled in or switched off) takes every region down.
    for (let j = i; j <= lastIndex; j++) {
      if (up) s.extra[j] += s.values[j] * rel
      else s.values[j] *= 1 - rel
    }
    if (!up) s.extraRegion = undefined
    return {
      series: s,
      type,
      direction: up ? 'spike' : 'drop',
      days: window.filter((j) => j >= i).map((j) => addDays(start, j)),
      size: up ? rel : -rel,
    }
  }
  // Runaway: extra cost that grows each day from its first day to the end of the data.
  const i = pick(window.slice(0, 2))
  const first = uniform(0.3, 0.6) * minRelative
  const growth = uniform(1.6, 2.4)
  const largest = first * growth ** (lastIndex - i)
  if (largest < minRelative) return undefined
  for (let j = i, rel = first; j <= lastIndex; j++, rel *= growth) s.extra[j] += s.values[j] * rel
  return {
    series: s,
    type,
    direction: 'spike',
    days: window.filter((j) => j >= i).map((j) => addDays(start, j)),
    size: largest,
  }
}

/** Daily usage rows of one series, split over its regions; injected extra cost lands in one region. */
function seriesRows(s, start, providerLast, r) {
  const rows = []
  for (let i = 0; i < s.values.length; i++) {
    const day = addDays(start, i)
    if (day > providerLast || i < s.startIndex) continue
    const value = s.values[i]
    for (let k = 0; k < s.regions.length; k++) {
      const region = s.regions[k]
      let cost = value * s.shares[k] * (1 + 0.02 * (r() - 0.5))
      if (region === s.extraRegion) cost += s.extra[i]
      cost = Math.max(0, cost)
      if (cost === 0 && value === 0 && !(s.extra[i] !== 0 && region === s.extraRegion)) continue
      rows.push(usageRow(s.provider, s.account, s.service, region, day, cost))
    }
  }
  return rows
}

function usageRow(
  provider,
  account,
  service,
  region,
  day,
  cost,
  chargeCategory = 'Usage',
  chargeFrequency = 'Usage-Based',
) {
  const rounded = Math.round(cost * 1e6) / 1e6
  return {
    day,
    billingPeriodStart: `${day.slice(0, 7)}-01`,
    provider,
    billingAccountId: account,
    subAccountId: '',
    serviceName: service,
    serviceCategory: '',
    regionId: region,
    chargeCategory,
    chargeFrequency,
    currency: 'USD',
    tags: {},
    billedCost: rounded,
    effectiveCost: rounded,
    listCost: rounded,
    contractedCost: rounded,
  }
}

/** What usage-only watching must ignore: a support fee on the 1st, a daily savings-plan fee, purchases, credits. */
function feeRows(rand, accounts, series, start, lastDay) {
  const {r, uniform} = rand
  const rows = []
  for (const account of accounts) {
    const mine = series.filter((s) => s.account === account.id)
    if (mine.length === 0) continue
    const daily = mine.reduce((a, s) => a + s.level, 0)
    const last = lastDay[account.provider]
    const support =
      account.provider === 'AWS'
        ? 'AWS Support (Business)'
        : account.provider === 'Microsoft'
          ? 'Azure Support'
          : 'Cloud Support'
    const savingsPlan = r() < 0.5 ? uniform(0.05, 0.2) * daily : 0
    for (let day = start; day <= last; day = addDays(day, 1)) {
      if (day.endsWith('-01'))
        rows.push(usageRow(account.provider, account.id, support, '', day, 0.07 * daily * 30, 'Purchase', 'Recurring'))
      if (savingsPlan > 0)
        rows.push(
          usageRow(
            account.provider,
            account.id,
            'Savings Plans for AWS Compute usage',
            '',
            day,
            savingsPlan,
            'Purchase',
            'Recurring',
          ),
        )
      // One-time reservation purchases and credits, booked on a usage service's name.
      if (r() < 0.006) {
        const s = mine[Math.floor(r() * mine.length)]
        rows.push(
          usageRow(
            account.provider,
            account.id,
            s.service,
            s.regions[0],
            day,
            s.level * uniform(10, 60),
            'Purchase',
            'One-Time',
          ),
        )
      }
      if (r() < 0.004) {
        const s = mine[Math.floor(r() * mine.length)]
        rows.push(
          usageRow(
            account.provider,
            account.id,
            s.service,
            s.regions[0],
            day,
            -s.level * uniform(3, 20),
            'Credit',
            'One-Time',
          ),
        )
      }
    }
  }
  return rows
}

export function median(values) {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
