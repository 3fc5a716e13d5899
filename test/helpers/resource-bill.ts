import {parse} from 'csv-parse/sync'
import fs from 'node:fs'
import path from 'node:path'

import type {Db} from '../../src/store/open.js'

const SAMPLE = path.join(import.meta.dirname, '..', '..', 'fixtures', 'focus', 'focus_sample_1000.csv')

const quote = (v: string): string => (v === 'NULL' ? v : `"${v.replaceAll('"', '""')}"`)

/**
 * The real FOCUS 1.0 sample (AWS, Microsoft, Oracle) as a per-resource bill: `copies` copies on the
 * same days, each with its own resources (ResourceId and ResourceName suffixed) carrying a `Name`
 * tag, so a service's day has dozens of resources (more than the details keep) and a tag set per
 * resource. `scale` multiplies every cost (a restated export); `period` keeps one billing period.
 */
export function writeResourceBill(
  file: string,
  options: {copies: number; scale?: number; period?: string; sharedFirstCopy?: boolean},
): void {
  const records = parse(fs.readFileSync(SAMPLE), {bom: true}) as string[][]
  const header = records[0]!
  const col = (name: string) => header.indexOf(name)
  const [rid, rname, tags, bps] = ['ResourceId', 'ResourceName', 'Tags', 'BillingPeriodStart'].map(col) as number[]
  const costs = ['BilledCost', 'EffectiveCost', 'ListCost', 'ContractedCost'].map(col)
  const scale = options.scale ?? 1
  const lines = [header.map(quote).join(',')]
  for (let copy = 0; copy < options.copies; copy++)
    for (const record of records.slice(1)) {
      if (options.period && record[bps!] !== options.period) continue
      const row = [...record]
      // The first copy keeps the sample's own ids, so a resource billed on several rows (and units) stays one.
      const suffix = copy === 0 && options.sharedFirstCopy ? '' : `-c${copy}`
      if (row[rid!] !== 'NULL' && row[rid!] !== '') {
        row[rid!] = `${row[rid!]}${suffix}`
        if (row[rname!] !== 'NULL' && row[rname!] !== '') row[rname!] = `${row[rname!]}${suffix}`
        let own: Record<string, unknown> = {}
        try {
          const parsed = JSON.parse(row[tags!]!) as unknown
          if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) own = parsed as Record<string, unknown>
        } catch {
          // The sample's NULL tags: the resource's Name is its only tag.
        }
        row[tags!] = JSON.stringify({...own, Name: row[rid!]!.split('/').at(-1)})
      }
      for (const c of costs)
        if (c >= 0 && row[c] !== 'NULL' && row[c] !== '')
          row[c] = String(Math.round(Number(row[c]) * scale * 1e10) / 1e10)
      lines.push(row.map(quote).join(','))
    }
  fs.writeFileSync(file, `${lines.join('\n')}\n`)
}

/** Doubles written with 12 significant digits: sums of fractional quantities may differ in the last bits by row order. */
const num = (v: unknown): string =>
  typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(12)) : String(v)

export interface ImportOutputs {
  rollup: string[]
  details: string[]
  resources: string[]
  commitments: string[]
}

/**
 * What a FOCUS import wrote, independent of the ids the import happened to give keys and tag sets
 * (they follow the order DuckDB hands groups over): the rollup, cost details, resource days and
 * commitment usage, each row as text with its key's columns and its tags spelled out, sorted.
 * (resource_key is left out: it is derived from resource_id by resourceKey, tested on its own.)
 */
export function dumpImportOutputs(db: Db): ImportOutputs {
  const key = `k.source, k.provider, k.billing_account_id, k.sub_account_id, k.service_name, k.service_category,
    k.region_id, k.charge_category, k.charge_frequency, k.currency`
  const rows = (sql: string): string[] =>
    (db.prepare(sql).raw().all() as unknown[][]).map((r) => r.map(num).join('|')).sort()
  return {
    rollup: rows(`SELECT ${key}, r.billing_period, r.day,
        coalesce((SELECT group_concat(pair, ';') FROM (SELECT tk.key || '=' || tp.value AS pair FROM tag_set_pairs sp
          JOIN tag_keys tk ON tk.id = sp.key_id JOIN tag_pairs tp ON tp.id = sp.pair_id
          WHERE sp.tag_set_id = r.tag_set_id ORDER BY pair)), ''),
        r.billed_units, r.billed_nanos, r.effective_units, r.effective_nanos, r.list_units, r.list_nanos,
        r.contracted_units, r.contracted_nanos
      FROM cost_rollup r JOIN cost_keys k ON k.id = r.key_id`),
    details: rows(`SELECT ${key}, d.billing_period, d.day, d.kind, d.value, d.label,
        d.billed_units, d.billed_nanos, d.effective_units, d.effective_nanos, d.list_units, d.list_nanos,
        d.contracted_units, d.contracted_nanos
      FROM cost_details d JOIN cost_keys k ON k.id = d.key_id`),
    resources: rows(`SELECT source, provider, billing_account_id, billing_period_start, resource_id, day,
        service_category, unit, currency, quantity, billed_cost, effective_cost, list_cost FROM cost_resource_daily`),
    commitments: rows(`SELECT ${key}, c.billing_period, c.hour, c.span_hours, c.pricing_category, c.commitment_id,
        c.commitment_status, c.commitment_category, c.commitment_type,
        c.billed_units, c.billed_nanos, c.effective_units, c.effective_nanos, c.list_units, c.list_nanos,
        c.contracted_units, c.contracted_nanos
      FROM commitment_usage c JOIN cost_keys k ON k.id = c.key_id`),
  }
}
