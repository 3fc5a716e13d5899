// bench/ingest: `finops collect focus` on a 1M-row (and 2M-row) FOCUS 1.0 CSV against DuckDB's own
// daily GROUP BY over the same file, in the same run; then `finops cost report --group-by service`
// against `finops --version` on the resulting store. Prints ratios (targets: import <= 1.5x DuckDB,
// peak RSS < 300 MB and flat from 1M to 2M rows, report <= 2x start-up).
// Usage: node bench/ingest/run.mjs [--rows 1000000] [--runs 3] [--skip-2m]
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {interleaved, measure, median} from '../lib/measure.mjs'
import {generateFocusCsv} from './generate.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const outDir = path.join(root, 'bench', 'out')
const args = process.argv.slice(2)
const flag = (name, fallback) => {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : fallback
}
const rows = Number(flag('--rows', '1000000'))
const runs = Number(flag('--runs', '3'))
const sizes = args.includes('--skip-2m') ? [rows] : [rows, rows * 2]
const cli = path.join(root, 'bin', 'run.js')
fs.mkdirSync(outDir, {recursive: true})

async function ensureFile(n) {
  const file = path.join(outDir, `focus-${n}.csv`)
  if (!fs.existsSync(file)) {
    process.stderr.write(`generating ${file} ...\n`)
    await generateFocusCsv(n, file)
  }
  return file
}

const results = []
for (const n of sizes) {
  const file = await ensureFile(n)
  const mb = fs.statSync(file).size / 1e6
  const ours = []
  const peer = []
  let db
  for (let i = 0; i < runs; i++) {
    db = path.join(outDir, `ingest-${n}.db`)
    for (const s of ['', '-wal', '-shm']) fs.rmSync(db + s, {force: true})
    const a = await measure(process.execPath, [cli, 'collect', 'focus', file, '--db', db, '--json'])
    if (a.code !== 0) throw new Error(`collect focus failed: ${a.stderr}`)
    ours.push(a)
    const b = await measure(process.execPath, [path.join(root, 'bench', 'ingest', 'duckdb-groupby.mjs'), file])
    if (b.code !== 0) throw new Error(`duckdb failed: ${b.stderr}`)
    peer.push(b)
  }
  const summary = JSON.parse(ours.at(-1).stdout)
  results.push({
    rows: n,
    mb,
    rollupRows: summary.rollupRows,
    oursMs: median(ours.map((r) => r.wallMs)),
    duckdbMs: median(peer.map((r) => r.wallMs)),
    oursRssMb: Math.max(...ours.map((r) => r.maxRssMb)),
    duckdbRssMb: Math.max(...peer.map((r) => r.maxRssMb)),
    db,
  })
}

const first = results[0]
const [reportMs, versionMs] = await interleaved(
  10,
  async () =>
    (await measure(process.execPath, [cli, 'cost', 'report', '--group-by', 'service', '--db', first.db])).wallMs,
  async () => (await measure(process.execPath, [cli, '--version'])).wallMs,
)

console.log(`\nbench/ingest (median of ${runs} runs each, interleaved; peak RSS = max over runs)`)
console.log(
  '| rows | file MB | rollup rows | finops collect focus s | DuckDB GROUP BY s | ratio (target <= 1.5) | finops peak RSS MB (target < 300) | DuckDB peak RSS MB |',
)
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|')
for (const r of results) {
  console.log(
    `| ${r.rows.toLocaleString('en-US')} | ${r.mb.toFixed(0)} | ${r.rollupRows.toLocaleString('en-US')} | ${(r.oursMs / 1000).toFixed(2)} | ${(r.duckdbMs / 1000).toFixed(2)} | ${(r.oursMs / r.duckdbMs).toFixed(2)} | ${r.oursRssMb.toFixed(0)} | ${r.duckdbRssMb.toFixed(0)} |`,
  )
}
if (results.length > 1)
  console.log(
    `\npeak RSS growth from ${results[0].rows.toLocaleString('en-US')} to ${results[1].rows.toLocaleString('en-US')} rows: ${(results[1].oursRssMb / results[0].oursRssMb).toFixed(2)}x`,
  )
console.log(
  `\ncost report --group-by service: ${reportMs.toFixed(0)} ms vs finops --version ${versionMs.toFixed(0)} ms (median of 10, interleaved): ratio ${(reportMs / versionMs).toFixed(2)} (target <= 2)`,
)
fs.writeFileSync(path.join(outDir, 'ingest.json'), JSON.stringify({results, reportMs, versionMs}, null, 2))
