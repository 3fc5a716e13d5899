// The road not taken, measured: csv-parse (streaming, pure JS) only parsing the same file and summing
// EffectiveCost per day and grain, no validation. Usage: node bench/ingest/csv-parse-baseline.mjs FILE
import fs from 'node:fs'
import {performance} from 'node:perf_hooks'
import {parse} from 'csv-parse'
const t = performance.now()
let n = 0
const groups = new Map()
const parser = fs.createReadStream(process.argv[2]).pipe(parse({columns: true, bom: true}))
for await (const r of parser) {
  n++
  const key = `${r.ChargePeriodStart.slice(0, 10)}|${r.BillingAccountId}|${r.SubAccountId}|${r.ServiceName}|${r.RegionId}|${r.Tags}`
  groups.set(key, (groups.get(key) ?? 0) + Number(r.EffectiveCost))
}
console.log(
  JSON.stringify({
    rows: n,
    groups: groups.size,
    ms: Math.round(performance.now() - t),
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1e3),
  }),
)
