// bench/pushdown: `finops collect athena` (the rollup pushed down to Athena) against `finops collect
// focus` (the same FOCUS file pulled and rolled up locally), in the same run, on a multi-month export:
//   1. bytes Athena scanned for a window of 1, 3 and 12 months, with the query pruned to the window's
//      billing_period partitions (what collect athena sends) and without (the same query minus the
//      partition predicate, sent through the same SDK), from Statistics.DataScannedInBytes;
//   2. wall time of collect athena (12-month window) against collect focus of the file, interleaved,
//      and that both store the same totals.
// Athena is the wire-level stand-in of the tests (test/servers/athena.ts, compiled here with tsc): it
// runs the received SQL with DuckDB over the Parquet files of a Data Exports table and reports the
// size of the partition files it read (exact for CSV exports, an upper bound for Parquet).
// The file: bench/ingest/generate.mjs's hourly AWS rows for September 2024 (ROWS_PER_MONTH, 30 tag
// keys), repeated over MONTHS months (each copy moved by whole months, costs scaled per month).
// Usage: nice node bench/pushdown/run.mjs [--rows-per-month 20000] [--months 13] [--runs 3] [--data-dir DIR]
// Needs `npm run build` first (it runs bin/run.js and imports dist/).
import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {interleaved, measure} from '../lib/measure.mjs'
import {generateFocusCsv} from '../ingest/generate.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const args = process.argv.slice(2)
const flag = (name, fallback) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : fallback
}
const rowsPerMonth = Number(flag('--rows-per-month', '20000'))
const months = Number(flag('--months', '13'))
const runs = Number(flag('--runs', '3'))
const dataDir = path.resolve(flag('--data-dir', path.join(root, 'bench', '.work', 'pushdown')))
const cli = path.join(root, 'bin', 'run.js')
const PAYER = '100000000001'
const KEY = 'AKIDATHENALOCAL'
fs.mkdirSync(dataDir, {recursive: true})

// The stand-in and the table writer are the tests' TypeScript: compile them next to the data.
const compiled = path.join(dataDir, 'servers')
execFileSync(
  path.join(root, 'node_modules', '.bin', 'tsc'),
  [
    ...['--outDir', compiled, '--rootDir', root, '--module', 'nodenext', '--moduleResolution', 'nodenext'],
    ...['--target', 'es2022', '--skipLibCheck', '--types', 'node', '--strict', 'false', '--ignoreConfig'],
    path.join(root, 'test', 'servers', 'athena.ts'),
    path.join(root, 'test', 'servers', 'athena-tables.ts'),
  ],
  {stdio: 'inherit'},
)
fs.writeFileSync(path.join(compiled, 'package.json'), '{"type": "module"}')
const {startAthenaServer} = await import(path.join(compiled, 'test', 'servers', 'athena.js'))
const {writeFocusExportTable, writeMonthlyFocusCsv, partitionBytes} = await import(
  path.join(compiled, 'test', 'servers', 'athena-tables.js')
)
const {rollupQuery} = await import(path.join(root, 'dist', 'src', 'collectors', 'athena', 'rollup-sql.js'))
const {AthenaClient, StartQueryExecutionCommand, GetQueryExecutionCommand} = await import('@aws-sdk/client-athena')

const month = path.join(dataDir, `generated-${rowsPerMonth}.csv`)
const csv = path.join(dataDir, `generated-${rowsPerMonth}x${months}.csv`)
const table = path.join(dataDir, `table-${rowsPerMonth}x${months}`)
if (!fs.existsSync(csv)) {
  if (!fs.existsSync(month)) await generateFocusCsv(rowsPerMonth, month, {tagKeys: 30})
  await writeMonthlyFocusCsv(month, months, csv)
}
if (!fs.existsSync(table)) await writeFocusExportTable(csv, table)
const parts = partitionBytes(table)
const periods = Object.keys(parts).sort()
const mb = (bytes) => (bytes / 1e6).toFixed(2)
console.log(
  `file: ${csv} (${mb(fs.statSync(csv).size)} MB CSV, ${periods.length} billing periods ${periods[0]}..${periods.at(-1)}; ` +
    `Parquet table ${mb(Object.values(parts).reduce((a, b) => a + b, 0))} MB)`,
)

const athena = await startAthenaServer({
  tables: [{database: 'cid_data_export', name: 'focus', directory: table}],
  runningPolls: 0,
})
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
const client = new AthenaClient({
  region: 'us-east-1',
  endpoint: athena.url,
  credentials: {accessKeyId: KEY, secretAccessKey: 'bench-secret'},
})
const env = {
  FINOPS_NOW: `${nextMonth(periods.at(-1))}-01`,
  AWS_ENDPOINT_URL_ATHENA: athena.url,
  AWS_ACCESS_KEY_ID: KEY,
  AWS_SECRET_ACCESS_KEY: 'bench-secret',
  AWS_REGION: 'us-east-1',
  AWS_CONFIG_FILE: path.join(dataDir, 'no-aws-config'),
  AWS_SHARED_CREDENTIALS_FILE: path.join(dataDir, 'no-aws-credentials'),
  AWS_EC2_METADATA_DISABLED: 'true',
}

function nextMonth(period) {
  const [y, m] = period.split('-').map(Number)
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`
}
const lastDay = (period) => {
  const [y, m] = period.split('-').map(Number)
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10)
}

/** Runs one query as the SDK sends it and returns Athena's DataScannedInBytes. */
async function scanned(sql) {
  const {QueryExecutionId} = await client.send(
    new StartQueryExecutionCommand({QueryString: sql, QueryExecutionContext: {Database: 'cid_data_export'}}),
  )
  for (;;) {
    const {QueryExecution} = await client.send(new GetQueryExecutionCommand({QueryExecutionId}))
    const state = QueryExecution.Status.State
    if (state === 'SUCCEEDED') return QueryExecution.Statistics.DataScannedInBytes
    if (state === 'FAILED' || state === 'CANCELLED')
      throw new Error(`${state}: ${QueryExecution.Status.StateChangeReason}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

const collectAthena = (db, from, to) =>
  measure(
    process.execPath,
    [
      cli,
      'collect',
      'athena',
      '--table',
      'cid_data_export.focus',
      '--billing-account',
      PAYER,
      '--from',
      from,
      '--to',
      to,
      '--db',
      db,
      '--json',
    ],
    {env},
  )

console.log(
  '\nbytes Athena scanned (DataScannedInBytes), pruned to the window vs the same query without the partition predicate',
)
console.log(
  'window     | periods read | pruned (collect athena) | unpruned      | unpruned/pruned | USD at $5/TB pruned vs unpruned',
)
const to = lastDay(periods.at(-1))
for (const width of [1, 3, 12]) {
  const first = periods[periods.length - width]
  const from = `${first}-01`
  const db = path.join(dataDir, `athena-${width}.db`)
  fs.rmSync(db, {force: true})
  const run = await collectAthena(db, from, to)
  if (run.code !== 0) throw new Error(`collect athena failed: ${run.stdout} ${run.stderr}`)
  const pruned = JSON.parse(run.stdout).sources[0].scan
  const unpruned = await scanned(
    rollupQuery({format: 'focus', table: 'cid_data_export.focus', billingAccountId: PAYER, from, to, prune: false}),
  )
  const usd = (b) => ((Math.max(10 * 2 ** 20, Math.ceil(b / 2 ** 20) * 2 ** 20) / 2 ** 40) * 5).toFixed(6)
  console.log(
    `${String(width).padStart(2)} month${width === 1 ? ' ' : 's'}  | ${String(pruned.billingPeriods.length).padStart(12)} | ` +
      `${mb(pruned.bytesScanned).padStart(20)} MB | ${mb(unpruned).padStart(10)} MB | ` +
      `${(unpruned / pruned.bytesScanned).toFixed(2).padStart(14)}x | ${usd(pruned.bytesScanned)} vs ${usd(unpruned)}`,
  )
}

console.log(
  `\ntime: collect athena (12 months, pushed down) vs collect focus (the whole file), ${runs} runs interleaved, medians`,
)
const from12 = `${periods[periods.length - 12]}-01`
const athenaDb = path.join(dataDir, 'athena-time.db')
const focusDb = path.join(dataDir, 'focus-time.db')
let lastAthena
let lastFocus
const [a, b] = await interleaved(
  runs,
  async () => {
    fs.rmSync(athenaDb, {force: true})
    lastAthena = await collectAthena(athenaDb, from12, to)
    if (lastAthena.code !== 0) throw new Error(lastAthena.stderr)
    return lastAthena.wallMs
  },
  async () => {
    fs.rmSync(focusDb, {force: true})
    lastFocus = await measure(process.execPath, [cli, 'collect', 'focus', csv, '--db', focusDb, '--json'], {env})
    if (lastFocus.code !== 0) throw new Error(lastFocus.stderr)
    return lastFocus.wallMs
  },
)
console.log(
  `collect athena: ${(a / 1000).toFixed(2)} s, peak RSS ${lastAthena.maxRssMb.toFixed(0)} MB (the CLI; Athena's work is in the stand-in)`,
)
console.log(`collect focus:  ${(b / 1000).toFixed(2)} s, peak RSS ${lastFocus.maxRssMb.toFixed(0)} MB`)
console.log(`ratio athena/focus: ${(a / b).toFixed(2)}x`)

// Same money in both stores over the 12 months (collect focus has the 13th too), read as the reports read it.
const {openStore} = await import(path.join(root, 'dist', 'src', 'store', 'open.js'))
const {queryDailyCosts} = await import(path.join(root, 'dist', 'src', 'store', 'costs.js'))
const total = (file, metric) => {
  const db = openStore(file, {readonly: true})
  try {
    const points = queryDailyCosts(db, {from: from12, to, groupBy: [], filters: [], metric})
    return points.reduce((sum, p) => sum + p.cost, 0).toFixed(2)
  } finally {
    db.close()
  }
}
console.log(
  `totals ${from12}..${to}: athena billed ${total(athenaDb, 'billed')} effective ${total(athenaDb, 'effective')}; ` +
    `focus billed ${total(focusDb, 'billed')} effective ${total(focusDb, 'effective')}`,
)

client.destroy()
await athena.close()
