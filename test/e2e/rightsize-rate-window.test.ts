import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {sizeContainer} from '../../recommenders/rightsize/recommend.js'
import {smoothingWidening} from '../../recommenders/rightsize/smoothing.js'
import {defaultRecommendSettings} from '../../recommenders/settings.js'
import {mergeDigests} from '../../src/k8s/digest.js'
import type {ContainerUsage, Inventory} from '../../src/model/k8s.js'
import {seededRandom} from '../../src/seeded-random.js'
import {replaceInventory} from '../../src/store/k8s-inventory.js'
import {openStore} from '../../src/store/open.js'
import {readUsage} from '../../src/store/usage.js'
import {parseJson, runCli, tempDir} from '../helpers/cli.js'
import {workload} from '../helpers/workload-builders.js'
import {prometheusAvailable, type RunningPrometheus, startPrometheus} from '../servers/prometheus.js'

const STEP = 300
const DAYS = 7
// Whole UTC days ending 2 days ago, so Prometheus' retention keeps them.
const start = Math.floor(Date.now() / 86_400_000) * 86_400 - (DAYS + 2) * 86_400
const NOW = new Date((start + DAYS * 86_400) * 1000).toISOString()
const POD = 'api-5d8f7c9b4-x7k2p'

/** A steady service: 0.5 cores with step-to-step noise (correlation 0.5 between consecutive 5-minute steps). */
function usage(): number[] {
  const r = seededRandom(11)
  const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r())
  let x = 0
  return Array.from({length: DAYS * 288 + 1}, () => {
    x = 0.5 * x + Math.sqrt(0.75) * normal()
    return 0.5 * Math.exp(0.15 * x)
  })
}

describe('rightsizing CPU read through a rate window wider than the step', () => {
  let prom: RunningPrometheus
  let tmp: {dir: string; cleanup: () => void}
  const cpu = usage()

  beforeAll(async () => {
    expect(prometheusAvailable(), 'prometheus and promtool: apt-get install -y prometheus').toBe(true)
    tmp = tempDir()
    const labels = `namespace="shop",pod="${POD}",container="app"`
    const lines = ['# TYPE container_cpu_usage_seconds_total counter']
    // One sample a step (the step before the window too): each step's usage is constant over it.
    let counter = 1000
    cpu.forEach((v, i) => {
      counter += v * STEP
      lines.push(`container_cpu_usage_seconds_total{${labels}} ${counter.toFixed(3)} ${start + (i - 1) * STEP}`)
    })
    lines.push('# TYPE container_memory_working_set_bytes gauge')
    cpu.forEach((_, i) =>
      lines.push(`container_memory_working_set_bytes{${labels}} ${200 * 2 ** 20} ${start + (i - 1) * STEP}`),
    )
    prom = await startPrometheus(tmp.dir, [...lines, '# EOF', ''].join('\n'))
  })
  afterAll(async () => {
    await prom?.close()
    tmp?.cleanup()
  })

  /** collect usage with the rate window, then recommend; the stored digests and the CPU request. */
  async function run(rateWindow: string): Promise<{usage: ContainerUsage; cpuRequest: number}> {
    const db = path.join(tmp.dir, `${rateWindow}.db`)
    const config = path.join(tmp.dir, `${rateWindow}.yaml`)
    fs.writeFileSync(config, `kubernetes:\n  prometheus:\n    rateWindow: ${rateWindow}\n`)
    const w = workload({
      replicas: 1,
      pods: [{name: POD, node: 'n1', containers: []}],
      containers: [{name: 'app', requests: {cpu: 2, memory: 2 ** 30}, limits: {memory: 2 ** 30}}],
    })
    const inventory: Inventory = {
      cluster: 'c1',
      collectedAt: NOW,
      workloads: [w],
      nodes: [],
      namespaces: [{cluster: 'c1', name: 'shop', labels: {}, annotations: {}}],
      warnings: [],
    }
    const store = openStore(db)
    replaceInventory(store, inventory, 'test')
    store.close()
    const env = {env: {FINOPS_NOW: NOW, FINOPS_CONFIG: config}}
    const collect = await runCli(
      ['collect', 'usage', '--prometheus', prom.url, '--days', String(DAYS), '--cluster', 'c1', '--db', db, '--json'],
      env,
    )
    expect(collect.code, collect.stderr).toBe(0)
    const rec = await runCli(['recommend', '--kind', 'rightsize', '--db', db, '--json'], env)
    expect(rec.code, rec.stderr).toBe(0)
    const out = parseJson<{recommendations: {proposed: {cpuRequest: number}}[]}>(rec)
    expect(out.recommendations).toHaveLength(1)
    const read = openStore(db)
    try {
      const [stored] = readUsage(read, {from: '2000-01-01', to: '2100-01-01'})
      return {usage: stored!, cpuRequest: out.recommendations[0]!.proposed.cpuRequest}
    } finally {
      read.close()
    }
  }

  it('records the smoothing in the digests and sizes the request from the usage, not from its thinned tail', async () => {
    const step = await run('5m')
    const wide = await run('10m')
    expect(step.usage.days).toHaveLength(DAYS)
    for (const d of step.usage.days) expect(d.cpuSmoothing?.windowSteps).toBe(1)
    for (const d of wide.usage.days) expect(d.cpuSmoothing?.windowSteps).toBe(2)
    expect(wide.usage.days[0]!.cpuSmoothing!.pairs).toBeGreaterThan(280)

    // The widening measured on the stored sums is the one the usage itself shows: the spread of the
    // per-step usage over the spread of its 2-step means (what rate() over 10m returned).
    const sd = (v: number[]) => {
      const m = v.reduce((a, x) => a + x, 0) / v.length
      return Math.sqrt(v.reduce((a, x) => a + (x - m) ** 2, 0) / v.length)
    }
    const means = cpu.slice(1).map((v, i) => (v + cpu[i]!) / 2)
    const widening = smoothingWidening(mergeDigests(wide.usage.days).cpuSmoothing)
    expect(widening).toBeGreaterThan(1.1)
    expect(widening).toBeCloseTo(sd(cpu.slice(1)) / sd(means), 1)
    expect(smoothingWidening(mergeDigests(step.usage.days).cpuSmoothing)).toBe(1)

    // recommend sized the 10m digests with their smoothing: the request is the one the recorded sums
    // give, not the one of the thinned tail alone.
    const current = {name: 'app', requests: {cpu: 2, memory: 2 ** 30}, limits: {memory: 2 ** 30}}
    const settings = defaultRecommendSettings().rightsize
    const sized = sizeContainer(wide.usage.days, current, settings)
    const unwidened = sizeContainer(
      wide.usage.days.map(({cpuSmoothing: _, ...d}) => d),
      current,
      settings,
    )
    if (sized.kind !== 'sized' || unwidened.kind !== 'sized') throw new Error('expected both sized')
    expect(wide.cpuRequest).toBe(sized.sizing.cpuRequest)
    expect(wide.cpuRequest).not.toBe(unwidened.sizing.cpuRequest)
  })
})
