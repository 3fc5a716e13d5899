import fs from 'node:fs'
import path from 'node:path'
import {parse} from 'csv-parse/sync'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {HourlyCpuBuilder} from '../../src/k8s/hourly-cpu.js'
import {HOURS_PER_MONTH} from '../../src/money.js'
import type {Recommendation} from '../../src/model/recommendation.js'
import type {RecommendReport} from '../../src/recommend/from-store.js'
import {openStore} from '../../src/store/open.js'
import {writeUsageHours} from '../../src/store/usage-hours.js'
import {recommendReportSchema} from '../../recommenders/schema.js'
import {parseJson, runCli, tempDir} from '../helpers/cli.js'
import {SEED_LAST_DAY, SEED_NOW, seedRecommendStore, type UsageShape} from '../helpers/seed-store.js'

// A nightly batch: 1.8 cores from 02:00 to 03:00 UTC, about 0.2 the rest of the day, the same every day.
const STEPS_PER_HOUR = 12
const batchCpu = (step: number) =>
  Math.floor(step / STEPS_PER_HOUR) === 2 ? 1.8 + 0.05 * Math.sin(step) : 0.2 + 0.02 * Math.sin(step / 7)
const batch = (namespace: string, workload: string, container: string): UsageShape => ({
  namespace,
  kind: 'Deployment',
  workload,
  container,
  days: 14,
  cpu: batchCpu,
  memoryMiB: () => 400,
})

let dir: string
let cleanup: () => void
let db: string
const env = () => ({FINOPS_NOW: SEED_NOW, FINOPS_CONFIG: path.join(dir, 'none.yaml'), XDG_CONFIG_HOME: dir})

beforeAll(() => {
  ;({dir, cleanup} = tempDir('finops-recommend-by-hour-'))
  fs.writeFileSync(path.join(dir, 'none.yaml'), '{}\n')
  db = path.join(dir, 'store.db')
  // Two containers with the same nightly batch; only shop/api has hour profiles (as collect usage
  // from Prometheus writes them), shop/cart's days came without (an older collection).
  const inventory = seedRecommendStore(db, [batch('shop', 'api', 'api'), batch('shop', 'cart', 'cart')])
  const store = openStore(db)
  try {
    const rows = Array.from({length: 14}, (_, d) => {
      const hours = new HourlyCpuBuilder()
      for (let s = 0; s < 24 * STEPS_PER_HOUR; s++) hours.add(Math.floor(s / STEPS_PER_HOUR), batchCpu(s))
      const day = new Date(Date.parse(`${SEED_LAST_DAY}T00:00:00Z`) - (13 - d) * 86_400_000).toISOString().slice(0, 10)
      const key = {
        cluster: inventory.cluster,
        namespace: 'shop',
        kind: 'Deployment' as const,
        workload: 'api',
        container: 'api',
      }
      return {key, day, cpuByHour: hours.toHours()}
    })
    writeUsageHours(store, rows)
  } finally {
    store.close()
  }
})
afterAll(() => cleanup())

const rightsize = (report: RecommendReport, name: string): Recommendation =>
  report.recommendations.find((r) => r.kind === 'rightsize' && r.target.name === name)!

describe('finops recommend with CPU by hour of day (built CLI)', () => {
  it('proposes a request per UTC hour for a daily batch with hour profiles, prices it in a note beside the fixed request apply sets', async () => {
    const result = await runCli(['recommend', '--kind', 'rightsize', '--db', db, '--json', '--no-save'], {env: env()})
    expect(result.code, result.stderr).toBe(0)
    const report = recommendReportSchema.parse(parseJson(result)) as RecommendReport
    const api = rightsize(report, 'api')
    const byHour = api.proposed.cpuRequestByHour!
    expect(byHour).toHaveLength(24)
    // The batch hour gets its own request, above its load; the quiet hours far lower ones, above theirs.
    const quiet = byHour.filter((_, h) => h !== 2)
    expect(byHour[2]).toBeGreaterThanOrEqual(1.8)
    expect(Math.min(...quiet)).toBeGreaterThanOrEqual(0.18)
    expect(Math.max(...quiet)).toBeLessThan(0.5)
    // monthlySavings is the fixed request's (what apply sets); the note prices the schedule on its
    // time-weighted mean, at the same rates.
    const mean = byHour.reduce((s, v) => s + v, 0) / 24
    const notes = api.evidence.notes!.join('\n')
    const scheduleSavings = Number(/\(cpuRequestByHour, \d+m on average\) would save (-?[\d.]+) USD/.exec(notes)![1])
    const coreHour = Number(/priced at ([\d.]+)\/core-hour/.exec(notes)![1])
    const cores = (api.proposed.cpuRequest! - mean) * api.current.replicas!
    expect(scheduleSavings - api.monthlySavings).toBeCloseTo(cores * coreHour * HOURS_PER_MONTH, 1)
    const giBHour = Number(/and ([\d.]+)\/GiB-hour/.exec(notes)![1])
    const fixedCost = (shape: Recommendation['current']): number =>
      (shape.cpuRequest! * coreHour + (shape.memoryRequest! / 2 ** 30) * giBHour) * HOURS_PER_MONTH * shape.replicas!
    // The note's rates are rounded to 4 decimals, hence a relative tolerance.
    const fixedSavings = fixedCost(api.current) - fixedCost(api.proposed)
    expect(Math.abs(api.monthlySavings - fixedSavings)).toBeLessThan(0.005 * fixedSavings)
    expect(notes).toMatch(/finops apply sets the fixed request/)
    // The fixed request runs under the batch hour; the schedule covers it and pays for it only then.
    expect(api.proposed.cpuRequest).toBeLessThan(1.8)
    expect(api.proposed.cpuRequest).toBeGreaterThan(Math.max(...quiet))
    expect(api.evidence.notes!.join('\n')).toMatch(/CPU request by hour of day \(UTC\): \d+ resize\(s\) a day/)
    expect(notes).toMatch(/in-place pod resize \(Kubernetes 1\.33\+\)/)
    // The risk is the fixed request's, the change apply makes.
    expect(api.risk.reasons.join(' ')).not.toMatch(/in-place pod resize/)

    // The same load without hour profiles keeps one fixed request, as before.
    const cart = rightsize(report, 'cart')
    expect(cart.proposed.cpuRequestByHour).toBeUndefined()
    expect(cart.evidence.notes!.join('\n')).not.toMatch(/by hour/)
  })

  it('shows the hourly request in the table and as 24 values in the CSV', async () => {
    const table = await runCli(['recommend', '--kind', 'rightsize', '--db', db, '--no-save'], {env: env()})
    expect(table.code, table.stderr).toBe(0)
    expect(table.stdout).toMatch(/cpu \S+ -> \d+m-\d+(m|\.\d+)? by hour \(\S+ 02-03h UTC\)/)
    const csv = await runCli(['recommend', '--kind', 'rightsize', '--db', db, '--csv', '--no-save'], {env: env()})
    expect(csv.code, csv.stderr).toBe(0)
    const [columns, ...cells] = parse(csv.stdout) as string[][]
    const at = columns!.indexOf('proposed_cpu_request_by_hour')
    expect(at).toBe(columns!.length - 1)
    const api = cells.find((c) => c[5] === 'api')!
    expect(api[at]!.split(' ').map(Number)).toHaveLength(24)
    expect(cells.find((c) => c[5] === 'cart')![at]).toBe('')
  })
})
