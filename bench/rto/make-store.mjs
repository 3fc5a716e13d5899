// Builds the RTO benchmark's store of real shape and about the size asked for: the store that
// bench/ingest made by importing a 1M-row tagged FOCUS file through `finops collect focus`
// (~380 MB: 13 months of a FOCUS bill with a tag per resource), migrated to this build, then given
// earlier years of history: the last 12 months of every day-keyed table copied one, two, ... years
// back (billing periods stay month starts; 29 February folds into 1 March), until the file reaches
// the size. Tags, accounts and keys are shared, as they are across years of one organization's bill.
// Usage: node bench/rto/make-store.mjs SOURCE.db OUT.db [--mb 1024]
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

/** Columns holding a day number, an hour number or a YYYY-MM-DD date, per table; the first one filters. */
const SHIFTED = {
  cost_rollup: {day: ['day', 'billing_period']},
  cost_summary: {day: ['day', 'billing_period']},
  cost_day_keys: {day: ['day', 'billing_period']},
  cost_by_key: {day: ['day']},
  cost_details: {day: ['day', 'billing_period']},
  cost_service_days: {day: ['day']},
  commitment_usage: {hour: ['hour'], day: ['billing_period']},
  cost_resource_daily: {date: ['day', 'billing_period_start']},
}

const dayBack = (col, years) =>
  `CAST(julianday(date(${col} * 86400, 'unixepoch', '-${years} years')) - 2440587.5 AS INTEGER)`
const hourBack = (col, years) =>
  `(CAST(julianday(date((${col} / 24) * 86400, 'unixepoch', '-${years} years')) - 2440587.5 AS INTEGER) * 24 + ${col} % 24)`
const isoOf = (dayNumber) => new Date(dayNumber * 86_400_000).toISOString().slice(0, 10)

export async function makeStore(source, out, {mb = 1024} = {}) {
  const {openStore} = await import(path.join(root, 'dist', 'src', 'store', 'open.js'))
  fs.mkdirSync(path.dirname(out), {recursive: true})
  const tmp = `${out}.building`
  fs.rmSync(tmp, {force: true})
  fs.copyFileSync(source, tmp)
  // Opening for write applies this build's migrations, as the first run after an upgrade does.
  const db = openStore(tmp, {intent: 'write'})
  const size = () => {
    db.pragma('wal_checkpoint(TRUNCATE)')
    return fs.statSync(tmp).size / 2 ** 20
  }
  // The last 12 months the store holds: (last day - 1 year, last day].
  const last = db.prepare('SELECT max(day) FROM cost_rollup').pluck().get()
  const first = db
    .prepare(`SELECT ${dayBack('?', 1)} + 1`)
    .pluck()
    .get(last)
  const inWindow = (kinds) =>
    kinds.date
      ? `${kinds.date[0]} BETWEEN '${isoOf(first)}' AND '${isoOf(last)}'`
      : kinds.hour
        ? `${kinds.hour[0]} / 24 BETWEEN ${first} AND ${last}`
        : `${kinds.day[0]} BETWEEN ${first} AND ${last}`
  let years = 0
  while (size() < mb && years < 20) {
    years++
    db.transaction(() => {
      for (const [table, kinds] of Object.entries(SHIFTED)) {
        const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table)
        if (columns.length === 0) continue
        const select = columns.map((c) =>
          kinds.day?.includes(c)
            ? dayBack(c, years)
            : kinds.hour?.includes(c)
              ? hourBack(c, years)
              : kinds.date?.includes(c)
                ? `date(${c}, '-${years} years')`
                : c,
        )
        db.prepare(
          `INSERT OR IGNORE INTO ${table} (${columns.join(', ')}) SELECT ${select.join(', ')} FROM ${table} WHERE ${inWindow(kinds)}`,
        ).run()
      }
    })()
  }
  const facts = {
    mb: Math.round(size()),
    yearsAdded: years,
    firstDay: isoOf(db.prepare('SELECT min(day) FROM cost_rollup').pluck().get()),
    lastDay: isoOf(last),
    rollupRows: db.prepare('SELECT count(*) FROM cost_rollup').pluck().get(),
  }
  db.close()
  fs.renameSync(tmp, out)
  return facts
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [source, out] = process.argv.slice(2)
  const at = process.argv.indexOf('--mb')
  console.log(JSON.stringify(await makeStore(source, out, {mb: at > 0 ? Number(process.argv[at + 1]) : 1024})))
}
