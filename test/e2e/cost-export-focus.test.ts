import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {demoSchema} from '../../src/cost/schemas.js'
import {checkFocusCsv, fixturesDir, parseJson, runCli, tempDir} from '../helpers/index.js'
import {hashFile} from '../helpers/fs-snapshot.js'

/**
 * `cost export --format focus` as users run it, over the demo's three-cloud store and over a store
 * imported from the real three-provider FOCUS sample: the file passes the FOCUS 1.0 column rules,
 * and importing it into a fresh store gives the same totals per provider, service and day.
 */
const env = {FINOPS_NOW: '2026-11-01'}
const sample = path.join(fixturesDir, 'focus', 'focus_sample_1000.csv')

interface ExportRow {
  ChargePeriodStart: string
  ProviderName: string
  ServiceName: string
  BillingCurrency: string
  BilledCost: number
  EffectiveCost: number
  ListCost: number
  ContractedCost: number
}

describe('cost export --format focus (built CLI)', () => {
  let tmp: ReturnType<typeof tempDir>
  const stores: Record<'demo' | 'sample', string> = {demo: '', sample: ''}

  beforeAll(async () => {
    tmp = tempDir()
    const demo = await runCli(['demo', '--dir', path.join(tmp.dir, 'demo'), '--json'], {env})
    expect(demo.code, demo.stderr).toBe(0)
    stores.demo = demoSchema.parse(parseJson(demo)).db
    stores.sample = path.join(tmp.dir, 'sample.db')
    const imported = await runCli(['collect', 'focus', sample, '--db', stores.sample], {env})
    expect(imported.code, imported.stderr).toBe(0)
  }, 180_000)
  afterAll(() => tmp.cleanup())

  /** Totals per provider, service, currency and day, in cents, from the plain export of a store. */
  const totals = async (db: string): Promise<Map<string, number[]>> => {
    const result = await runCli(['cost', 'export', '--db', db, '--format', 'json', '-g', 'provider,service'], {env})
    expect(result.code, result.stderr).toBe(0)
    const map = new Map<string, number[]>()
    for (const r of parseJson<ExportRow[]>(result)) {
      const key = [r.ChargePeriodStart, r.ProviderName, r.ServiceName, r.BillingCurrency].join('|')
      map.set(
        key,
        [r.BilledCost, r.EffectiveCost, r.ListCost, r.ContractedCost].map((v) => Math.round(v * 100)),
      )
    }
    return map
  }

  for (const which of ['demo', 'sample'] as const) {
    it(`${which} store: a valid FOCUS 1.0 file that imports back to the same totals per provider/service/day`, async () => {
      const out = path.join(tmp.dir, `${which}-focus.csv`)
      const exported = await runCli(['cost', 'export', '--db', stores[which], '--format', 'focus', '--out', out], {env})
      expect(exported.code, exported.stderr).toBe(0)
      const csv = fs.readFileSync(out, 'utf8')
      expect(checkFocusCsv(csv)).toEqual([])
      const header = csv.split('\n', 1)[0]!.split(',')
      for (const column of [
        'BillingAccountName',
        'BillingPeriodStart',
        'BillingPeriodEnd',
        'ChargeClass',
        'ChargeDescription',
        'InvoiceIssuerName',
        'PricingQuantity',
        'PricingUnit',
        'PublisherName',
      ])
        expect(header).toContain(column)
      const rows = csv.trim().split('\n').length - 1
      expect(exported.stderr).toContain(`wrote ${rows} rows`)
      if (which === 'sample') {
        // Credits and refunds in the sample stay signed numbers, not defused text.
        expect(csv).toMatch(/,-0\.\d+,/)
        expect(csv).not.toMatch(/,'-/)
        expect(new Set(csv.match(/,(AWS|Microsoft|Oracle),\1,\1,/g)?.map((m) => m.split(',')[1]))).toEqual(
          new Set(['AWS', 'Microsoft', 'Oracle']),
        )
      }

      const fresh = path.join(tmp.dir, `${which}-reimported.db`)
      const reimport = await runCli(['collect', 'focus', out, '--db', fresh], {env})
      expect(reimport.code, reimport.stderr).toBe(0)
      const [before, after] = [await totals(stores[which]), await totals(fresh)]
      expect(before.size).toBeGreaterThan(which === 'demo' ? 1000 : 100)
      expect(after).toEqual(before)

      // Exporting the re-imported store gives the very same file.
      const again = path.join(tmp.dir, `${which}-again.csv`)
      expect((await runCli(['cost', 'export', '--db', fresh, '--format', 'focus', '--out', again], {env})).code).toBe(0)
      expect(hashFile(again)).toBe(hashFile(out))
    }, 120_000)
  }

  it('filters and windows apply; grouping or monthly rows are refused with one line and nothing written', async () => {
    const out = path.join(tmp.dir, 'aws-sept.csv')
    const ok = await runCli(
      [
        'cost',
        'export',
        '--db',
        stores.demo,
        '--format',
        'focus',
        '--filter',
        'provider=AWS',
        '--from',
        '2026-09-01',
        '--to',
        '2026-09-30',
        '--out',
        out,
      ],
      {env},
    )
    expect(ok.code, ok.stderr).toBe(0)
    const csv = fs.readFileSync(out, 'utf8')
    expect(checkFocusCsv(csv)).toEqual([])
    const lines = csv.trim().split('\n').slice(1)
    expect(lines.length).toBeGreaterThan(0)
    for (const line of lines)
      expect(line).toMatch(/,2026-09-\d\dT00:00:00Z,2026-(09|10)-\d\dT00:00:00Z,.*,AWS,AWS,AWS,/)

    const storeHash = hashFile(stores.demo)
    for (const extra of [
      ['--group-by', 'service'],
      ['--granularity', 'month'],
    ]) {
      const refused = path.join(tmp.dir, `refused-${extra[0]!.slice(2)}.csv`)
      const result = await runCli(
        ['cost', 'export', '--db', stores.demo, '--format', 'focus', ...extra, '--out', refused],
        {env},
      )
      expect(result.code).toBe(2)
      expect(result.stderr.trim().split('\n')).toHaveLength(1)
      expect(result.stderr).toMatch(/FOCUS dataset/)
      expect(fs.existsSync(refused)).toBe(false)
    }
    expect(hashFile(stores.demo)).toBe(storeHash)
  }, 60_000)
})
