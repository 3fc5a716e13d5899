import fs from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type PodSeries, podSeries, walkUsage} from '../../src/demo/cluster-usage.js'
import {CPU_SCHEME, MEMORY_SCHEME, quantile} from '../../src/k8s/digest.js'
import {buildInventory, rawClusterFromObjects, type K8sObject} from '../../src/k8s/inventory.js'
import type {ContainerUsage} from '../../src/model/k8s.js'
import {collectUsageSchema} from '../../src/k8s/schemas.js'
import {replaceInventory} from '../../src/store/k8s-inventory.js'
import {openStore} from '../../src/store/open.js'
import {readUsage} from '../../src/store/usage.js'
import {readUsageHours} from '../../src/store/usage-hours.js'
import {parseJson, runCli, tempDir} from '../helpers/cli.js'
import {loadClusterFixture} from '../servers/kube-fixture.js'
import {omLabel, prometheusAvailable, type RunningPrometheus, startPrometheus} from '../servers/prometheus.js'

const STEP = 300
const SCRAPE = 60
const DAYS = 3
// Recent days, so Prometheus' retention keeps them: three whole UTC days ending 5 days ago.
const dayStart = Math.floor(Date.now() / 86_400_000) * 86_400 - 8 * 86_400
const dayEnd = dayStart + DAYS * 86_400
const NOW = new Date(dayEnd * 1000).toISOString()
const dayOf = (t: number) => new Date(t * 1000).toISOString().slice(0, 10)

interface Expected {
  cpu: number[]
  /** The CPU samples of each UTC hour of the day, hour 0 first. */
  cpuByHour: number[][]
  memory: number[]
  oomKills: number
}

/** Series the test writes: shop and data pods of the fixture, one pod long gone, api with a low limit so it gets OOM-killed. */
function scenario(): {series: PodSeries[]; inventory: ReturnType<typeof buildInventory>} {
  const fixture = loadClusterFixture()
  const inventory = buildInventory(rawClusterFromObjects(fixture.objects as K8sObject[]), 'eks-demo', NOW)
  const series = podSeries(inventory).filter(
    (s) => (s.namespace === 'shop' || s.namespace === 'data') && s.workload.kind !== 'CronJob',
  )
  const web = series.find((s) => s.workload.name === 'web' && s.container === 'web')!
  series.push({...web, pod: web.pod.replace(/-[a-z0-9]{5}$/, '-gone1')})
  for (const s of series) if (s.workload.name === 'api') s.limit = 2.75 * 2 ** 30
  return {series, inventory}
}

/** OpenMetrics for the scenario: cAdvisor counters/gauges every minute, kube-state-metrics OOM series; expected digests alongside. */
function openMetrics(series: PodSeries[]): {text: string; expected: Map<string, Expected>} {
  const cpuLines: string[] = []
  const memLines: string[] = []
  const restartLines: string[] = []
  const reasonLines: string[] = []
  const expected = new Map<string, Expected>()
  for (const s of series) {
    const labels = `namespace="${omLabel(s.namespace)}",pod="${omLabel(s.pod)}",container="${omLabel(s.container)}"`
    let counter = 0
    walkUsage(s, dayStart - 3600, dayEnd - STEP, STEP, (p) => {
      if (p.cpu === undefined || p.memory === undefined) return
      // The step's usage is constant over (t-STEP, t], so rate(...[5m]) at t is exactly p.cpu.
      for (let u = p.t - STEP + SCRAPE; u <= p.t; u += SCRAPE) {
        counter += p.cpu * SCRAPE
        cpuLines.push(
          `container_cpu_usage_seconds_total{${labels},id="/kubepods/${omLabel(s.pod)}"} ${counter.toFixed(6)} ${u}`,
        )
        memLines.push(`container_memory_working_set_bytes{${labels}} ${p.memory} ${u}`)
        restartLines.push(`kube_pod_container_status_restarts_total{${labels}} ${p.oomKills} ${u}`)
        if (p.oomKills > 0)
          reasonLines.push(`kube_pod_container_status_last_terminated_reason{${labels},reason="OOMKilled"} 1 ${u}`)
      }
      if (p.t < dayStart) return
      const key = `${s.namespace}/${s.workload.kind}/${s.workload.name}/${s.container}/${dayOf(p.t)}`
      const e = expected.get(key) ?? {cpu: [], cpuByHour: Array.from({length: 24}, () => []), memory: [], oomKills: 0}
      e.cpu.push(p.cpu)
      e.cpuByHour[Math.floor((p.t % 86_400) / 3600)]!.push(p.cpu)
      e.memory.push(p.memory)
      expected.set(key, e)
    })
    // OOM kills per day, from the walk's cumulative count.
    let previous = 0
    walkUsage(s, dayStart - 3600, dayEnd - STEP, STEP, (p) => {
      if (p.oomKills > previous && p.t >= dayStart) {
        const key = `${s.namespace}/${s.workload.kind}/${s.workload.name}/${s.container}/${dayOf(p.t)}`
        expected.get(key)!.oomKills += p.oomKills - previous
      }
      previous = p.oomKills
    })
  }
  const text = [
    '# TYPE container_cpu_usage_seconds_total counter',
    ...cpuLines,
    '# TYPE container_memory_working_set_bytes gauge',
    ...memLines,
    '# TYPE kube_pod_container_status_restarts_total counter',
    ...restartLines,
    '# TYPE kube_pod_container_status_last_terminated_reason gauge',
    ...reasonLines,
    '# EOF',
    '',
  ].join('\n')
  return {text, expected}
}

const exactQuantile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))]!

describe('finops collect usage against a real Prometheus', () => {
  let prom: RunningPrometheus
  let tmp: {dir: string; cleanup: () => void}
  let expected: Map<string, Expected>
  let seededDb: (name: string) => string

  beforeAll(async () => {
    // The real Prometheus is part of this test (npm test installs it as root): without it the test fails, it does not skip.
    expect(prometheusAvailable(), 'prometheus and promtool: apt-get install -y prometheus').toBe(true)
    tmp = tempDir()
    const {series, inventory} = scenario()
    const om = openMetrics(series)
    expected = om.expected
    prom = await startPrometheus(tmp.dir, om.text)
    seededDb = (name) => {
      const file = path.join(tmp.dir, name)
      const db = openStore(file)
      replaceInventory(db, inventory, 'fixture')
      db.close()
      return file
    }
  })
  afterAll(async () => {
    await prom?.close()
    tmp?.cleanup()
  })

  const readAll = (file: string): ContainerUsage[] => {
    const db = openStore(file)
    try {
      return readUsage(db, {from: '2000-01-01', to: '2100-01-01'})
    } finally {
      db.close()
    }
  }

  it('stores per-container day digests whose counts, maxima, quantiles and OOM kills match the samples written', async () => {
    const db = seededDb('one.db')
    const result = await runCli(
      ['collect', 'usage', '--prometheus', prom.url, '--days', String(DAYS), '--db', db, '--json'],
      {env: {FINOPS_NOW: NOW}},
    )
    expect(result.code, result.stderr).toBe(0)
    const out = collectUsageSchema.parse(parseJson(result))
    expect(out.usedInventory).toBe(true)
    expect(out.oomSource).toBe('kube-state-metrics')
    expect(out.containerDays).toBe(expected.size)

    const usage = readAll(db)
    let checked = 0
    for (const c of usage) {
      for (const d of c.days) {
        const key = `${c.key.namespace}/${c.key.kind}/${c.key.workload}/${c.key.container}/${d.day}`
        const e = expected.get(key)
        expect(e, `unexpected digest ${key}`).toBeDefined()
        expect(d.cpu.count).toBe(e!.cpu.length)
        expect(d.memory.count).toBe(e!.memory.length)
        expect(d.memory.max).toBe(Math.max(...e!.memory))
        expect(d.cpu.max).toBeCloseTo(Math.max(...e!.cpu), 6)
        for (const q of [0.5, 0.95]) {
          const cpuExact = exactQuantile(e!.cpu, q)
          expect(Math.abs(quantile(d.cpu, q, CPU_SCHEME) - cpuExact)).toBeLessThanOrEqual(0.021 * cpuExact + 1e-6)
          const memExact = exactQuantile(e!.memory, q)
          expect(Math.abs(quantile(d.memory, q, MEMORY_SCHEME) - memExact)).toBeLessThanOrEqual(0.021 * memExact)
        }
        expect(d.oomKills, key).toBe(e!.oomKills)
        checked++
      }
    }
    expect(checked).toBe(expected.size)
    const totalOom = [...expected.values()].reduce((n, e) => n + e.oomKills, 0)
    expect(totalOom).toBeGreaterThan(0)
    expect(out.oomKills).toBe(totalOom)
    // The pod that no longer exists was folded into its Deployment by name.
    const web = usage.find((c) => c.key.workload === 'web' && c.key.container === 'web')!
    expect(web.days[0]!.cpu.count).toBe(5 * 288)
  })

  it('stores each container-day CPU by UTC hour of day: per hour the samples written, their maximum and p95', async () => {
    const db = seededDb('hours.db')
    const result = await runCli(['collect', 'usage', '--prometheus', prom.url, '--days', String(DAYS), '--db', db], {
      env: {FINOPS_NOW: NOW},
    })
    expect(result.code, result.stderr).toBe(0)
    const store = openStore(db)
    const hours = readUsageHours(store, {from: '2000-01-01', to: '2100-01-01'})
    store.close()
    let checked = 0
    let varying = 0
    for (const c of hours.values()) {
      for (const d of c.days) {
        const key = `${c.key.namespace}/${c.key.kind}/${c.key.workload}/${c.key.container}/${d.day}`
        const e = expected.get(key)
        expect(e, `unexpected hour profile ${key}`).toBeDefined()
        expect(d.cpuByHour).toHaveLength(24)
        d.cpuByHour.forEach((h, hour) => {
          const values = e!.cpuByHour[hour]!
          expect(h.count, `${key} hour ${hour}`).toBe(values.length)
          if (values.length === 0) return
          expect(h.max).toBeCloseTo(Math.max(...values), 5)
          const exact = exactQuantile(values, 0.95)
          expect(Math.abs(quantile(h, 0.95, CPU_SCHEME) - exact)).toBeLessThanOrEqual(0.021 * exact + 1e-5)
        })
        const maxima = e!.cpuByHour.map((v) => Math.max(...v))
        if (Math.max(...maxima) > 1.5 * Math.min(...maxima)) varying++
        checked++
      }
    }
    // Every container-day with CPU has a profile, and the scenario's day/night cycle shows in some.
    expect(checked).toBe([...expected.values()].filter((e) => e.cpu.length > 0).length)
    expect(varying).toBeGreaterThan(0)
  })

  it('gives the same digests (OOM kills included) when namespaces are split into batches of whole workloads and the window into day chunks', async () => {
    const one = seededDb('batched-a.db')
    const many = seededDb('batched-b.db')
    const config = path.join(tmp.dir, 'finops.yaml')
    fs.writeFileSync(
      config,
      'kubernetes:\n  prometheus:\n    maxSeriesPerQuery: 4\n    maxSamplesPerQuery: 1000\n    concurrency: 2\n',
    )
    const a = await runCli(
      ['collect', 'usage', '--prometheus', prom.url, '--days', String(DAYS), '--db', one, '--json'],
      {env: {FINOPS_NOW: NOW}},
    )
    const b = await runCli(
      [
        'collect',
        'usage',
        '--prometheus',
        prom.url,
        '--days',
        String(DAYS),
        '--db',
        many,
        '--config',
        config,
        '--json',
      ],
      {env: {FINOPS_NOW: NOW}},
    )
    expect(a.code, a.stderr).toBe(0)
    expect(b.code, b.stderr).toBe(0)
    const [qa, qb] = [collectUsageSchema.parse(parseJson(a)), collectUsageSchema.parse(parseJson(b))]
    // Discovery and kube-state-metrics presence, then 3 per batch and chunk: 2 batches x 1 chunk against 5+ batches x 3 day chunks.
    expect(qa.queries).toBe(2 + 3 * 2)
    expect(qb.queries).toBeGreaterThanOrEqual(2 + 3 * 5 * DAYS)
    expect(qb.oomKills).toBe(qa.oomKills)
    const strip = (u: ContainerUsage[]) =>
      u.map((c) => ({
        key: c.key,
        days: c.days.map((d) => ({
          ...d,
          cpu: {...d.cpu, sum: Math.round(d.cpu.sum * 1e6)},
          // Sums of the pods' values in the order their series came back: equal up to rounding.
          cpuSmoothing: d.cpuSmoothing && {
            ...d.cpuSmoothing,
            sum: Math.round(d.cpuSmoothing.sum * 1e6),
            sumSquares: Math.round(d.cpuSmoothing.sumSquares * 1e6),
            diffSquares: Math.round(d.cpuSmoothing.diffSquares * 1e6),
          },
        })),
      }))
    expect(strip(readAll(many))).toEqual(strip(readAll(one)))
    const hours = (file: string) => {
      const store = openStore(file)
      try {
        const read = readUsageHours(store, {from: '2000-01-01', to: '2100-01-01'})
        return [...read.values()].map((c) => c.days.map((d) => d.cpuByHour.map((h) => [h.count, h.max, h.buckets])))
      } finally {
        store.close()
      }
    }
    expect(hours(many)).toEqual(hours(one))
  })

  it("keeps every range query under Prometheus' 11,000 points per series when a fine step makes the window longer", async () => {
    const db = seededDb('fine-step.db')
    const config = path.join(tmp.dir, 'fine-step.yaml')
    // 20 s steps: 4,320 points a day, so the 3-day window (12,960 points) must be split into day chunks.
    fs.writeFileSync(config, 'kubernetes:\n  prometheus:\n    stepSeconds: 20\n')
    const r = await runCli(
      ['collect', 'usage', '--prometheus', prom.url, '--days', String(DAYS), '--db', db, '--config', config, '--json'],
      {env: {FINOPS_NOW: NOW}},
    )
    expect(r.code, r.stderr).toBe(0)
    const api = readAll(db).find((c) => c.key.workload === 'api' && c.key.container === 'api')!
    expect(api.days.map((d) => d.memory.count)).toEqual(api.days.map(() => 3 * 4320))
  })

  it('re-collecting replaces days instead of adding to them', async () => {
    const db = seededDb('twice.db')
    for (let i = 0; i < 2; i++) {
      const r = await runCli(['collect', 'usage', '--prometheus', prom.url, '--days', String(DAYS), '--db', db], {
        env: {FINOPS_NOW: NOW},
      })
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout).toMatch(/containers in 2 namespaces/)
    }
    const api = readAll(db).find((c) => c.key.workload === 'api')!
    expect(api.days.map((d) => d.cpu.count)).toEqual(api.days.map(() => 3 * 288))
  })

  it('collects only the namespaces asked for', async () => {
    const db = seededDb('ns.db')
    const r = await runCli(
      ['collect', 'usage', '--prometheus', prom.url, '--days', String(DAYS), '--db', db, '-n', 'data', '--json'],
      {env: {FINOPS_NOW: NOW}},
    )
    expect(r.code, r.stderr).toBe(0)
    const out = collectUsageSchema.parse(parseJson(r))
    expect(out.namespaces).toBe(1)
    // kube-state-metrics is scraped and nothing in data was OOM-killed: zero kills, known, not "unavailable".
    expect(out).toMatchObject({oomSource: 'kube-state-metrics', oomKills: 0})
    const namespaces = new Set(readAll(db).map((c) => c.key.namespace))
    expect(namespaces).toEqual(new Set(['data']))
  })

  it('reports an empty window with a clear message', async () => {
    const db = seededDb('empty.db')
    const r = await runCli(['collect', 'usage', '--prometheus', prom.url, '--days', '2', '--db', db], {
      env: {FINOPS_NOW: '2001-01-01T00:00:00Z'},
    })
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/^Error: Prometheus has no container_memory_working_set_bytes series in the window/m)
  })
})

describe('finops collect usage: Prometheus auth and failures (local HTTP endpoint)', () => {
  let server: http.Server
  let url: string
  const seen: (string | undefined)[] = []
  const paths: (string | undefined)[] = []
  let tmp: {dir: string; cleanup: () => void}

  beforeAll(async () => {
    tmp = tempDir()
    server = http.createServer((req, res) => {
      seen.push(req.headers.authorization)
      paths.push(req.url)
      res.writeHead(401, {'Content-Type': 'text/plain'})
      res.end('Unauthorized')
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => {
    server.close()
    tmp.cleanup()
  })

  it('sends the bearer token from the environment, exits with the auth code, and never prints or stores it', async () => {
    const db = path.join(tmp.dir, 'auth.db')
    const r = await runCli(['collect', 'usage', '--prometheus', url, '--cluster', 'c1', '--db', db], {
      env: {FINOPS_PROMETHEUS_TOKEN: 'tok-very-secret-42'},
    })
    expect(r.code).toBe(5)
    expect(seen.at(-1)).toBe('Bearer tok-very-secret-42')
    expect(r.stderr).toMatch(/Prometheus at http:\/\/127\.0\.0\.1:\d+ refused the request \(401\)/)
    expect(`${r.stdout}${r.stderr}`).not.toContain('tok-very-secret-42')
    expect(fs.readFileSync(db).includes('tok-very-secret-42')).toBe(false)
  })

  it('uses basic auth with the password from the named variable, and hides credentials given in the URL', async () => {
    const db = path.join(tmp.dir, 'basic.db')
    const r = await runCli(
      [
        'collect',
        'usage',
        '--prometheus',
        url,
        '--cluster',
        'c1',
        '--db',
        db,
        '--username',
        'ops',
        '--password-env',
        'PROM_PW',
      ],
      {env: {PROM_PW: 'pw-777'}},
    )
    expect(r.code).toBe(5)
    expect(seen.at(-1)).toBe(`Basic ${Buffer.from('ops:pw-777').toString('base64')}`)
    const inUrl = await runCli([
      'collect',
      'usage',
      '--prometheus',
      url.replace('http://', 'http://ops:pw-888@'),
      '--cluster',
      'c1',
      '--db',
      db,
    ])
    expect(seen.at(-1)).toBe(`Basic ${Buffer.from('ops:pw-888').toString('base64')}`)
    expect(`${inUrl.stdout}${inUrl.stderr}`).not.toContain('pw-888')
  })

  it('keeps a path prefix and query parameters of the URL around the API path, and out of messages', async () => {
    const db = path.join(tmp.dir, 'query.db')
    const r = await runCli([
      'collect',
      'usage',
      '--prometheus',
      `${url}/prom/?tenant=team-a&key=k-secret-9`,
      '--cluster',
      'c1',
      '--db',
      db,
    ])
    expect(r.code).toBe(5)
    expect(paths.at(-1)).toBe('/prom/api/v1/query?tenant=team-a&key=k-secret-9')
    expect(r.stderr).toMatch(/Prometheus at http:\/\/127\.0\.0\.1:\d+\/prom refused the request \(401\)/)
    expect(`${r.stdout}${r.stderr}`).not.toContain('k-secret-9')
  })

  it('names the missing URL and an unreachable server', async () => {
    const db = path.join(tmp.dir, 'url.db')
    const none = await runCli(['collect', 'usage', '--cluster', 'c1', '--db', db])
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/no Prometheus URL/)
    const port = await new Promise<number>((resolve) => {
      const probe = http.createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as AddressInfo).port
        probe.close(() => resolve(p))
      })
    })
    const closed = await runCli([
      'collect',
      'usage',
      '--prometheus',
      `http://127.0.0.1:${port}`,
      '--cluster',
      'c1',
      '--db',
      db,
    ])
    expect(closed.code).toBe(6)
    expect(closed.stderr).toMatch(/cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/)
  })
})
