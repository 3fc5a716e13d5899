// Inflates the real FOCUS 1.0 sample (1,000 rows from AWS, Microsoft and Oracle) to N rows: copy c of
// the sample is shifted c % 365 days later (billing period and all four period columns follow), so
// the rows spread over a year and the daily rollup has ~192,000 groups at 1M rows. With
// --tag-per-resource every copy's resources are distinct resources carrying a `Name` tag (as teams
// tag EC2 instances, pods and disks), which makes the daily rollup about as large as the file.
// Usage: node bench/ingest/inflate-sample.mjs ROWS OUT.csv [--tag-per-resource]
import {parse} from 'csv-parse/sync'
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const SAMPLE = path.join(root, 'fixtures', 'focus', 'focus_sample_1000.csv')

const DAY_MS = 86_400_000

/** 'YYYY-MM-DD HH:MM:SS' (or ISO) shifted by whole days, written back in the same style. */
function shift(value, days) {
  if (value === 'NULL' || value === '') return value
  const iso = value.includes('T') ? value : `${value.replace(' ', 'T')}Z`
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return value
  const out = new Date(t + days * DAY_MS).toISOString()
  return value.includes('T') ? out : `${out.slice(0, 10)} ${out.slice(11, 19)}`
}

const monthStartOf = (stamp) => `${stamp.slice(0, 7)}-01 00:00:00`
function nextMonthStartOf(stamp) {
  const [y, m] = stamp.slice(0, 7).split('-').map(Number)
  return m === 12 ? `${y + 1}-01-01 00:00:00` : `${y}-${String(m + 1).padStart(2, '0')}-01 00:00:00`
}

const quote = (v) => (v === 'NULL' ? v : /^-?\d+(\.\d+)?$/.test(v) ? v : `"${v.replaceAll('"', '""')}"`)

export async function inflateSample(rows, out, {tagPerResource = false} = {}) {
  const records = parse(fs.readFileSync(SAMPLE), {bom: true})
  const header = records[0]
  const body = records.slice(1)
  const col = (name) => header.indexOf(name)
  const [cps, cpe, bps, bpe, tags, rid] = [
    'ChargePeriodStart',
    'ChargePeriodEnd',
    'BillingPeriodStart',
    'BillingPeriodEnd',
    'Tags',
    'ResourceId',
  ].map(col)
  // Per copy offset, precompute shifted stamps lazily: 365 offsets x 1,000 rows.
  const stream = fs.createWriteStream(out)
  const write = (text) => (stream.write(text) ? undefined : new Promise((r) => stream.once('drain', r)))
  await write(header.map((h) => `"${h}"`).join(',') + '\n')
  let chunk = ''
  for (let r = 0; r < rows; r++) {
    const copy = Math.floor(r / body.length)
    const days = copy % 365
    const row = [...body[r % body.length]]
    row[cps] = shift(row[cps], days)
    row[cpe] = shift(row[cpe], days)
    if (row[cps] !== 'NULL' && /^\d{4}-\d\d/.test(row[cps])) {
      // The charge's billing period is the month it now falls in.
      row[bps] = monthStartOf(row[cps])
      row[bpe] = nextMonthStartOf(row[cps])
    }
    if (tagPerResource) {
      const name = `${row[rid] === 'NULL' ? `row-${r % body.length}` : row[rid].slice(-24)}-${copy}`
      let parsed
      try {
        parsed = row[tags] === 'NULL' ? {} : JSON.parse(row[tags])
      } catch {
        parsed = {}
      }
      row[tags] = JSON.stringify({...parsed, Name: name})
    }
    chunk += row.map(quote).join(',') + '\n'
    if (chunk.length > 1 << 20) {
      await write(chunk)
      chunk = ''
    }
  }
  await write(chunk)
  await new Promise((resolve, reject) => stream.end((error) => (error ? reject(error) : resolve())))
  return fs.statSync(out).size
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [rows, out] = process.argv.slice(2)
  const bytes = await inflateSample(Number(rows), out, {tagPerResource: process.argv.includes('--tag-per-resource')})
  console.log(`${out}: ${rows} rows, ${(bytes / 1e6).toFixed(0)} MB`)
}
