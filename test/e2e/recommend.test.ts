import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {RecommendReport} from '../../src/recommend/from-store.js'
import {recommendReportSchema} from '../../recommenders/schema.js'
import type {Recommendation} from '../../src/model/recommendation.js'
import {openStore} from '../../src/store/open.js'
import {type PriceRow, replacePrices} from '../../src/store/prices.js'
import {listRecommendations, listSkipped} from '../../src/store/recommendations.js'
import {parseJson, runCli, tempDir} from '../helpers/cli.js'
import {SEED_NOW, seedRecommendStore} from '../helpers/seed-store.js'

let dir: string
let cleanup: () => void
let db: string
const env = () => ({FINOPS_NOW: SEED_NOW, FINOPS_CONFIG: path.join(dir, 'none.yaml'), XDG_CONFIG_HOME: dir})

beforeAll(() => {
  ;({dir, cleanup} = tempDir('finops-recommend-'))
  fs.writeFileSync(path.join(dir, 'none.yaml'), '{}\n')
  db = path.join(dir, 'store.db')
  seedRecommendStore(db)
})
afterAll(() => cleanup())

const find = (
  report: RecommendReport,
  kind: string,
  ns: string,
  name: string,
  container?: string,
): Recommendation | undefined =>
  report.recommendations.find(
    (r) =>
      r.kind === kind &&
      r.target.namespace === ns &&
      r.target.name === name &&
      (container === undefined || r.target.container === container),
  )

describe('finops recommend (built CLI)', () => {
  it('returns every kind as JSON, sorted by savings, with evidence, risk and skips, and stores them', async () => {
    const result = await runCli(['recommend', '--db', db, '--json'], {env: env()})
    expect(result.code, result.stderr).toBe(0)
    const report = parseJson<RecommendReport>(result)
    expect(report.window).toEqual({from: '2024-03-01', to: '2024-03-14'})
    expect(report.currency).toBe('USD')
    const savings = report.recommendations.map((r) => r.monthlySavings)
    expect(savings).toEqual([...savings].sort((a, b) => b - a))
    for (const r of report.recommendations) {
      expect(Object.keys(r).sort()).toEqual(
        ['current', 'currency', 'evidence', 'id', 'kind', 'monthlySavings', 'proposed', 'risk', 'target'].sort(),
      )
      expect(['low', 'medium', 'high']).toContain(r.risk.level)
      expect(r.risk.reasons.length).toBeGreaterThan(0)
      expect(r.target).toMatchObject({cluster: 'eks-demo'})
    }

    const api = find(report, 'rightsize', 'shop', 'api', 'api')!
    expect(api.current).toMatchObject({cpuRequest: 2, memoryRequest: 4 * 2 ** 30, replicas: 3})
    expect(api.proposed.cpuRequest).toBeLessThan(0.5)
    expect(api.proposed.cpuRequest).toBeGreaterThanOrEqual(api.evidence.percentiles!.cpuP95!)
    expect(api.evidence).toMatchObject({
      windowStart: '2024-03-01T00:00:00Z',
      windowEnd: '2024-03-14T23:59:59Z',
      samples: 14 * 288,
    })
    // shop/web's HPA scales on CPU utilization: only memory moves.
    const web = find(report, 'rightsize', 'shop', 'web', 'web')!
    expect(web.proposed.cpuRequest).toBe(web.current.cpuRequest)
    expect(web.proposed.memoryRequest).toBeLessThan(web.current.memoryRequest!)
    // etl-worker was OOM-killed: memory goes up, never down.
    const etl = find(report, 'rightsize', 'data', 'etl-worker', 'worker')!
    expect(etl.proposed.memoryLimit).toBeGreaterThan(etl.current.memoryLimit!)
    expect(etl.risk.level).toBe('high')
    // jupyter is idle: scale to zero, nothing else on top.
    expect(find(report, 'scale-down', 'data', 'jupyter')?.proposed.replicas).toBe(0)
    expect(find(report, 'rightsize', 'data', 'jupyter')).toBeUndefined()
    // staging carries a kube-downscaler namespace annotation; its api keeps one replica.
    expect(find(report, 'scale-down', 'staging', 'web')?.proposed).toEqual({
      replicas: 0,
      schedule: 'uptime Mon-Fri 07:30-20:30 Europe/Berlin',
    })
    expect(find(report, 'scale-down', 'staging', 'api')?.proposed.replicas).toBe(1)
    expect(find(report, 'spot', 'shop', 'api')?.proposed.capacityType).toBe('spot')

    const reasons = (name: string, kind: string) =>
      report.skipped.filter((s) => s.target.name === name && s.kind === kind).map((s) => s.reason)
    expect(reasons('checkout', 'rightsize')[0]).toMatch(/^thin data: 2 day\(s\)/)
    expect(reasons('checkout', 'spot')[0]).toMatch(/PDB checkout allows no disruption/)
    expect(reasons('worker', 'scale-down')).toEqual(['excluded by workload annotation downscaler/exclude=true'])
    expect(reasons('kafka', 'spot')[0]).toMatch(/controller .*volumes .*grace-period/)

    const store = openStore(db, {readonly: true})
    try {
      expect(listRecommendations(store).map((r) => r.id)).toEqual(report.recommendations.map((r) => r.id))
      expect(listSkipped(store)).toHaveLength(report.skipped.length)
    } finally {
      store.close()
    }
  })

  it('filters by kind, namespace and minimum savings, keeping ids stable and other kinds stored', async () => {
    const before = parseJson<RecommendReport>(await runCli(['recommend', '--db', db, '--json'], {env: env()}))
    const result = await runCli(
      ['recommend', '--db', db, '--json', '--kind', 'rightsize', '--namespace', 'shop,data', '--min-savings', '10'],
      {env: env()},
    )
    expect(result.code, result.stderr).toBe(0)
    const report = parseJson<RecommendReport>(result)
    expect(report.recommendations.length).toBeGreaterThan(0)
    for (const r of report.recommendations) {
      expect(r.kind).toBe('rightsize')
      expect(['shop', 'data']).toContain(r.target.namespace)
      expect(r.monthlySavings).toBeGreaterThanOrEqual(10)
    }
    // The same kind and target keeps its id from run to run.
    expect(find(report, 'rightsize', 'shop', 'api', 'api')!.id).toBe(
      find(before, 'rightsize', 'shop', 'api', 'api')!.id,
    )
    const store = openStore(db, {readonly: true})
    try {
      // Spot and scale-down rows from the earlier run are still there for finops apply.
      expect(listRecommendations(store, {kinds: ['spot']}).length).toBe(
        before.recommendations.filter((r) => r.kind === 'spot').length,
      )
      expect(listRecommendations(store, {kinds: ['rightsize'], namespaces: ['shop', 'data']}).map((r) => r.id)).toEqual(
        report.recommendations.map((r) => r.id),
      )
    } finally {
      store.close()
    }
  })

  it('selects workloads by namespace glob and label selector, replacing only what it judged in the store', async () => {
    const own = path.join(dir, 'selector.db')
    seedRecommendStore(own)
    const all = parseJson<RecommendReport>(await runCli(['recommend', '--db', own, '--json'], {env: env()}))
    const selected = await runCli(
      ['recommend', '--db', own, '--json', '--namespace', 'sho?,stag*', '--selector', 'team=shop,app notin (cart,web)'],
      {env: env()},
    )
    expect(selected.code, selected.stderr).toBe(0)
    const report = parseJson<RecommendReport>(selected)
    const targets = new Set(report.recommendations.map((r) => `${r.target.namespace}/${r.target.name}`))
    expect([...targets].sort()).toEqual(
      [
        ...new Set(
          all.recommendations
            .filter((r) => ['shop', 'staging'].includes(r.target.namespace) && !['cart', 'web'].includes(r.target.name))
            .map((r) => `${r.target.namespace}/${r.target.name}`),
        ),
      ].sort(),
    )
    expect(targets.has('shop/api')).toBe(true)
    // Skips are scoped too: data/jupyter was not judged.
    expect(report.skipped.some((s) => s.target.namespace === 'data')).toBe(false)
    const store = openStore(own, {readonly: true})
    try {
      // Workloads outside the selector keep their stored recommendations (shop/web, shop/cart, data/*).
      expect(
        listRecommendations(store)
          .map((r) => r.id)
          .sort(),
      ).toEqual(all.recommendations.map((r) => r.id).sort())
    } finally {
      store.close()
    }

    const none = await runCli(['recommend', '--db', own, '--namespace', 'prod-*'], {env: env()})
    expect(none.code).toBe(8)
    expect(none.stderr.trim()).toMatch(/^Error: no workload in the inventory of eks-demo matches namespace prod-\*/)
  })

  it('refuses a blank or malformed --namespace or --selector before opening the store', async () => {
    const missing = path.join(dir, 'never-created.db')
    for (const args of [
      ['--namespace', ''],
      ['--namespace', ','],
      ['--namespace', 'Shop'],
      ['--selector', ''],
      ['--selector', '  '],
      ['--selector', 'app in web'],
      ['--selector', 'tier in ()'],
    ]) {
      const result = await runCli(['recommend', '--db', missing, ...args], {env: env()})
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1)
      expect(result.stderr, args.join(' ')).toMatch(new RegExp(`^Error: ${args[0]}: `))
    }
    expect(fs.existsSync(missing)).toBe(false)
  })

  it('prints a table and CSV for people and spreadsheets', async () => {
    const json = parseJson<RecommendReport>(
      await runCli(['recommend', '--db', db, '--json', '--no-save'], {env: env()}),
    )
    const table = await runCli(['recommend', '--db', db], {env: env()})
    expect(table.code, table.stderr).toBe(0)
    const top = json.recommendations[0]!
    const firstRow = table.stdout.split('\n').find((l) => l.includes('-') && /(rs|spot|sd)-[0-9a-f]{10}/.test(l))!
    expect(firstRow).toContain(top.id)
    expect(table.stdout).toMatch(
      /Total: \$[\d,.]+ per month over \d+ recommendation\(s\); usage 2024-03-01 to 2024-03-14/,
    )
    expect(table.stdout).toMatch(/\d+ skipped \(/)
    const csv = await runCli(['recommend', '--db', db, '--csv'], {env: env()})
    const lines = csv.stdout.trim().split('\n')
    expect(lines[0]).toMatch(
      /^id,kind,cluster,namespace,workload_kind,workload,container,current_cpu_request,proposed_cpu_request/,
    )
    expect(lines).toHaveLength(json.recommendations.length + 1)
    expect(lines[1]!.startsWith(`${top.id},${top.kind},eks-demo,`)).toBe(true)
  })

  it('fails with one line and the right exit code on bad input', async () => {
    const badKind = await runCli(['recommend', '--db', db, '--kind', 'teleport'], {env: env()})
    expect(badKind.code).toBe(2)
    const badSavings = await runCli(['recommend', '--db', db, '--min-savings', '-3'], {env: env()})
    expect(badSavings.code).toBe(2)
    expect(badSavings.stderr.trim()).toBe(
      'Error: --min-savings -3: out of range; expected at least 0 and at most 1,000,000,000,000 (for example --min-savings 10000 or 1234.50)',
    )
    const emptyStore = path.join(dir, 'empty.db')
    openStore(emptyStore).close()
    const empty = await runCli(['recommend', '--db', emptyStore], {env: env()})
    expect(empty.code).toBe(3)
    expect(empty.stderr.trim().split('\n')).toHaveLength(1)
    expect(empty.stderr).toMatch(/no Kubernetes inventory in the store \(run finops collect k8s first/)
    const unknownCluster = await runCli(['recommend', '--db', db, '--cluster', 'nope'], {env: env()})
    expect(unknownCluster.code).toBe(8)
    expect(unknownCluster.stderr).toMatch(/no Kubernetes inventory for cluster nope/)
    const config = path.join(dir, 'bad.yaml')
    fs.writeFileSync(config, 'kubernetes:\n  recommend:\n    rightsize:\n      cpuPercentile: 2\n')
    const badConfig = await runCli(['recommend', '--db', db, '--config', config], {env: env()})
    expect(badConfig.code).toBe(3)
    expect(badConfig.stderr).toMatch(/kubernetes\.recommend\.rightsize\.cpuPercentile/)
  })

  it('reads settings and schedules from finops.yaml', async () => {
    const config = path.join(dir, 'finops.yaml')
    fs.writeFileSync(
      config,
      [
        'kubernetes:',
        '  prices:',
        '    currency: EUR',
        '  recommend:',
        '    scaleDown:',
        '      schedules:',
        '        - namespaces: [shop]',
        '          labels: {app: cart}',
        '          downtime: "Sat-Sun 00:00-24:00 UTC"',
        '',
      ].join('\n'),
    )
    const report = parseJson<RecommendReport>(
      await runCli(['recommend', '--db', db, '--json', '--no-save', '--config', config, '--kind', 'scale-down'], {
        env: env(),
      }),
    )
    const cart = find(report, 'scale-down', 'shop', 'cart')
    expect(cart?.proposed).toEqual({replicas: 0, schedule: 'downtime Sat-Sun 00:00-24:00 UTC'})
    expect(cart?.evidence.notes?.join('\n')).toMatch(/finops.yaml schedules\[0\]/)
    expect(report.currency).toBe('EUR')
    expect(cart?.currency).toBe('EUR')
  })
})

describe('spot prices from the catalog in the store', () => {
  it('prices spot migration at the median spot/on-demand ratio of the collected SKUs', async () => {
    const own = path.join(dir, 'catalog.db')
    seedRecommendStore(own)
    const store = openStore(own)
    const row = (sku: string, family: string, capacity: 'spot' | 'on-demand', unitPrice: number): PriceRow => ({
      provider: 'AWS',
      serviceName: 'Amazon EC2',
      skuId: sku,
      region: 'eu-west-1',
      description: `${family} ${capacity}`,
      resourceFamily: 'Compute',
      resourceGroup: family,
      usageType: capacity === 'spot' ? 'Spot' : 'OnDemand',
      capacity,
      familyKey: family,
      unit: 'h',
      unitPrice,
      currency: 'USD',
      effectiveTime: '2024-03-01T00:00:00Z',
    })
    replacePrices(store, 'AWS', 'Amazon EC2', [
      row('1', 'm5', 'on-demand', 0.2),
      row('2', 'm5', 'spot', 0.05),
      row('3', 'c5', 'on-demand', 0.1),
      row('4', 'c5', 'spot', 0.031),
    ])
    store.close()
    const report = parseJson<RecommendReport>(
      await runCli(['recommend', '--db', own, '--json', '--kind', 'spot'], {env: env()}),
    )
    const api = find(report, 'spot', 'shop', 'api')!
    // Ratios 0.25 and 0.31: the median of two is their mean.
    expect(api.evidence.percentiles!.spotPriceRatio).toBeCloseTo(0.28, 3)
    expect(api.evidence.notes!.join('\n')).toMatch(/catalog \(2 spot\/on-demand SKU pairs\)/)
    expect(api.monthlySavings).toBeCloseTo(api.evidence.percentiles!.onDemandMonthly! * 0.72, 1)
  })
})

describe('recommend --json and its published schema (test/docs-schemas.test.ts)', () => {
  it('conforms to the schema', async () => {
    const result = await runCli(['recommend', '--db', db, '--json', '--no-save'], {env: env()})
    const parsed = recommendReportSchema.safeParse(parseJson(result))
    expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3))).toBe(true)
  })
})
