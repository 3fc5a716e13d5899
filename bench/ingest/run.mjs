// bench/ingest: `finops collect focus` against DuckDB's own GROUP BY at the store's grain (same file,
// same run, DuckDB's default settings), on real-shaped exports:
//   sample-1m         the real FOCUS 1.0 sample (AWS, Microsoft, Oracle) inflated to 1M rows over a year
//   sample-1m-tagged  the same with a tag per resource (a daily group per row)
//   generated-1m      bench/ingest/generate.mjs: hourly rows, 30 tag keys (per-resource, thousands of values)
//   ...-5m            the same shapes at 5M rows (--shapes to choose)
// Prints per shape: time ratio (target <= 1.5), peak RSS (target <= 512 MB, flat 1M -> 5M), totals
// against an exact DECIMAL sum (to the cent), store bytes per rollup row; then `cost report` times
// against `finops --version` on the 1M stores (targets: built-in dimensions <= 2x, a tag <= 3x).
// Files are generated once under --data-dir (default bench/.work/ingest, not in the repo).
// Usage: node bench/ingest/run.mjs [--data-dir DIR] [--runs 3] [--shapes sample-1m,sample-1m-tagged,generated-1m]
//   --reports-only: no import; the report table on the stores an earlier run left in DIR (SHAPE.db)
//   --reports TEXT: only the reports whose arguments contain TEXT (e.g. "service,region"), repeatable
import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {measure, median} from '../lib/measure.mjs'
import {exactTotals} from './exact-totals.mjs'
import {generateFocusCsv} from './generate.mjs'
import {inflateSample} from './inflate-sample.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const args = process.argv.slice(2)
const flag = (name, fallback) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : fallback
}
const dataDir = path.resolve(flag('--data-dir', path.join(root, 'bench', '.work', 'ingest')))
const runs = Number(flag('--runs', '3'))
const reportRuns = Number(flag('--report-runs', '10'))
const shapes = flag('--shapes', 'sample-1m,sample-1m-tagged,generated-1m').split(',')
const reportsOnly = args.includes('--reports-only')
const reportFilters = args.flatMap((a, i) => (a === '--reports' ? [args[i + 1]] : []))
const cli = path.join(root, 'bin', 'run.js')
fs.mkdirSync(dataDir, {recursive: true})

const SHAPES = {
  'sample-1m': (file) => inflateSample(1_000_000, file),
  'sample-1m-tagged': (file) => inflateSample(1_000_000, file, {tagPerResource: true}),
  'generated-1m': (file) => generateFocusCsv(1_000_000, file, {tagKeys: 30}),
  'sample-5m': (file) => inflateSample(5_000_000, file),
  'sample-5m-tagged': (file) => inflateSample(5_000_000, file, {tagPerResource: true}),
  'generated-5m': (file) => generateFocusCsv(5_000_000, file, {tagKeys: 30}),
}

async function ensureFile(shape) {
  const file = path.join(dataDir, `${shape}.csv`)
  if (!fs.existsSync(file)) {
    process.stderr.write(`generating ${file} ...\n`)
    await SHAPES[shape](`${file}.partial`)
    fs.renameSync(`${file}.partial`, file)
  }
  return file
}

/** Exact store totals per currency, as decimal strings (units and nanos summed as BigInt). */
function storeTotals(db) {
  const store = new Database(db, {readonly: true})
  const rows = store
    .prepare(
      `SELECT k.currency, SUM(r.billed_units), SUM(r.billed_nanos), SUM(r.effective_units), SUM(r.effective_nanos)
       FROM cost_rollup r JOIN cost_keys k ON k.id = r.key_id GROUP BY k.currency`,
    )
    .safeIntegers()
    .raw()
    .all()
  store.close()
  const decimal = (units, nanos) => {
    const total = BigInt(units) * 1_000_000_000n + BigInt(nanos)
    const sign = total < 0n ? '-' : ''
    const abs = total < 0n ? -total : total
    return `${sign}${abs / 1_000_000_000n}.${String(abs % 1_000_000_000n).padStart(9, '0')}`
  }
  return Object.fromEntries(
    rows.map(([c, bu, bn, eu, en]) => [c, {billed: decimal(bu, bn), effective: decimal(eu, en)}]),
  )
}

/** Largest difference, in currency units, between the store and the exact sums. */
function worstDifference(store, exact) {
  let worst = 0
  for (const [currency, sums] of Object.entries(exact))
    for (const metric of ['billed', 'effective']) {
      const got = Number(store[currency]?.[metric] ?? NaN)
      worst = Math.max(worst, Math.abs(got - Number(sums[metric])))
    }
  return worst
}

function storeBytes(db) {
  const store = new Database(db)
  store.pragma('wal_checkpoint(TRUNCATE)')
  store.close()
  return fs.statSync(db).size
}

/** What the report table needs of a store an earlier run left: its days and rollup rows. */
function storedResult(shape) {
  const db = path.join(dataDir, `${shape}.db`)
  if (!fs.existsSync(db)) throw new Error(`--reports-only: no store ${db} (run without it first)`)
  const store = new Database(db, {readonly: true})
  const [first, last, rollupRows] = store.prepare('SELECT min(day), max(day), count(*) FROM cost_rollup').raw().get()
  store.close()
  const dayText = (n) => new Date(n * 86_400_000).toISOString().slice(0, 10)
  return {shape, rollupRows, days: {first: dayText(first), last: dayText(last)}, db}
}

const results = []
for (const shape of reportsOnly ? [] : shapes) {
  const file = await ensureFile(shape)
  const mb = fs.statSync(file).size / 1e6
  const ours = []
  const peer = []
  const db = path.join(dataDir, `${shape}.db`)
  for (let i = 0; i < runs; i++) {
    for (const s of ['', '-wal', '-shm']) fs.rmSync(db + s, {force: true})
    const a = await measure(process.execPath, [cli, 'collect', 'focus', file, '--db', db, '--json'])
    if (a.code !== 0) throw new Error(`collect focus failed: ${a.stderr}`)
    ours.push(a)
    const b = await measure(process.execPath, [path.join(root, 'bench', 'ingest', 'duckdb-groupby.mjs'), file])
    if (b.code !== 0) throw new Error(`duckdb failed: ${b.stderr}`)
    peer.push(b)
    process.stderr.write(
      `${shape} run ${i + 1}: finops ${(a.wallMs / 1000).toFixed(1)} s, DuckDB ${(b.wallMs / 1000).toFixed(1)} s\n`,
    )
  }
  const summary = JSON.parse(ours.at(-1).stdout)
  const worst = worstDifference(storeTotals(db), await exactTotals(file))
  const bytes = storeBytes(db)
  results.push({
    shape,
    rows: summary.rowsRead,
    mb,
    groups: JSON.parse(peer.at(-1).stdout).groups,
    rollupRows: summary.rollupRows,
    oursMs: median(ours.map((r) => r.wallMs)),
    duckdbMs: median(peer.map((r) => r.wallMs)),
    oursCpuS: median(ours.map((r) => r.cpuS)),
    duckdbCpuS: median(peer.map((r) => r.cpuS)),
    oursRssMb: Math.max(...ours.map((r) => r.maxRssMb)),
    duckdbRssMb: Math.max(...peer.map((r) => r.maxRssMb)),
    worstDifference: worst,
    storeMb: bytes / 1e6,
    bytesPerRow: bytes / summary.rollupRows,
    days: summary.days,
    db,
  })
}

console.log(
  `\nbench/ingest: finops collect focus vs DuckDB GROUP BY at the store's grain (median of ${runs}, peak RSS = max)`,
)
console.log(
  '| shape | rows | file MB | daily groups | finops s | DuckDB s | ratio (<= 1.5) | finops CPU s | DuckDB CPU s | CPU ratio | ' +
    'finops peak RSS MB (<= 512) | DuckDB peak RSS MB | worst total error | store MB | bytes per rollup row |',
)
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
for (const r of results)
  console.log(
    `| ${r.shape} | ${r.rows.toLocaleString('en-US')} | ` +
      `${r.mb.toFixed(0)} | ` +
      `${r.groups.toLocaleString('en-US')} | ` +
      `${(r.oursMs / 1000).toFixed(2)} | ` +
      `${(r.duckdbMs / 1000).toFixed(2)} | ` +
      `**${(r.oursMs / r.duckdbMs).toFixed(2)}** | ` +
      `${r.oursCpuS.toFixed(1)} | ${r.duckdbCpuS.toFixed(1)} | **${(r.oursCpuS / r.duckdbCpuS).toFixed(2)}** | ` +
      `**${r.oursRssMb.toFixed(0)}** | ` +
      `${r.duckdbRssMb.toFixed(0)} | ${r.worstDifference.toExponential(1)} | ${r.storeMb.toFixed(0)} | ${r.bytesPerRow.toFixed(0)} |`,
  )

// Reports on the 1M stores: every window is the whole year the store holds, or its last 30 days.
const reportStores = (reportsOnly ? shapes.map(storedResult) : results).filter(
  (r) => r.shape === 'sample-1m' || r.shape === 'sample-1m-tagged',
)
// A first, untimed report per store: it applies any migration a store from an older build still needs.
for (const r of reportStores) {
  const m = await measure(process.execPath, [cli, 'cost', 'report', '--group-by', 'service', '--db', r.db])
  if (m.code !== 0) throw new Error(`cost report failed: ${m.stderr}`)
}
if (reportStores.length > 0) {
  console.log(`\ncost report vs finops --version (median of ${reportRuns}, interleaved; CPU = user + system)`)
  console.log(
    '| store | report | window | report ms | --version ms | ratio | report CPU ms | --version CPU ms | CPU ratio | target |',
  )
  console.log('|---|---|---|---:|---:|---:|---:|---:|---:|---:|')
}
for (const r of reportStores) {
  const last = r.days.last
  const monthAgo = new Date(Date.parse(`${last}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10)
  const reports = [
    [['--group-by', 'service'], 2],
    [['--group-by', 'region'], 2],
    [['--group-by', 'service,region'], 2],
    [['--group-by', 'service', '--filter', 'provider=AWS'], 2],
    [['--group-by', 'account', '--granularity', 'month'], 2],
    [['--group-by', 'tag:application'], 3],
    [['--group-by', 'tag:environment', '--filter', 'provider=AWS'], 3],
  ]
  for (const [window, from] of [
    ['year', r.days.first],
    ['30 days', monthAgo],
  ])
    for (const [reportArgs, target] of reports) {
      if (reportFilters.length > 0 && !reportFilters.some((text) => reportArgs.join(' ').includes(text))) continue
      const report = []
      const version = []
      for (let i = 0; i < reportRuns; i++) {
        const m = await measure(process.execPath, [
          cli,
          'cost',
          'report',
          ...reportArgs,
          '--from',
          from,
          '--to',
          last,
          '--db',
          r.db,
        ])
        if (m.code !== 0) throw new Error(`cost report failed: ${m.stderr}`)
        report.push(m)
        version.push(await measure(process.execPath, [cli, '--version']))
      }
      const reportMs = median(report.map((m) => m.wallMs))
      const versionMs = median(version.map((m) => m.wallMs))
      const reportCpu = median(report.map((m) => m.cpuS * 1000))
      const versionCpu = median(version.map((m) => m.cpuS * 1000))
      console.log(
        `| ${r.shape} (${r.rollupRows.toLocaleString('en-US')} rows) | ${reportArgs.join(' ')} | ${window} ` +
          `| ${reportMs.toFixed(0)} | ${versionMs.toFixed(0)} | **${(reportMs / versionMs).toFixed(2)}** ` +
          `| ${reportCpu.toFixed(0)} | ${versionCpu.toFixed(0)} | **${(reportCpu / versionCpu).toFixed(2)}** | <= ${target} |`,
      )
    }
}
if (!reportsOnly) fs.writeFileSync(path.join(dataDir, 'ingest.json'), JSON.stringify(results, null, 2))
