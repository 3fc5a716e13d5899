// The reference for "exact to the cent": each currency's BilledCost and EffectiveCost summed by
// DuckDB as DECIMAL(38, 12) (exact for the digits the file has). Usage: node bench/ingest/exact-totals.mjs FILE
import {DuckDBInstance} from '@duckdb/node-api'

export async function exactTotals(file) {
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  const rows = (
    await connection.runAndReadAll(`
      SELECT upper(trim(BillingCurrency)), sum(TRY_CAST(BilledCost AS DECIMAL(38, 12)))::VARCHAR,
        sum(TRY_CAST(EffectiveCost AS DECIMAL(38, 12)))::VARCHAR
      FROM read_csv('${file.replaceAll("'", "''")}', all_varchar = true, header = true, nullstr = ['NULL', ''])
      GROUP BY 1 ORDER BY 1`)
  ).getRows()
  connection.closeSync()
  instance.closeSync()
  return Object.fromEntries(rows.map(([currency, billed, effective]) => [currency, {billed, effective}]))
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await exactTotals(process.argv[2])))
