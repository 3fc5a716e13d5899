// The peer: DuckDB (@duckdb/node-api, default settings: every core, 80% of RAM) running the daily
// GROUP BY at the store's grain over the same FOCUS CSV and handing every group to this process
// (streamed chunk by chunk, values converted to JS), as our import does before writing them.
// Prints the group count. Usage: node bench/ingest/duckdb-groupby.mjs FILE
import {DuckDBInstance} from '@duckdb/node-api'

const file = process.argv[2]
const instance = await DuckDBInstance.create(':memory:')
const connection = await instance.connect()
await connection.run("SET TimeZone = 'UTC'")
const source = `read_csv('${file.replaceAll("'", "''")}', all_varchar = true, header = true)`
const result = await connection.stream(`
  SELECT CAST(CAST(ChargePeriodStart AS TIMESTAMPTZ) AS DATE) AS day, BillingPeriodStart, ProviderName, BillingAccountId,
    SubAccountId, ServiceName, ServiceCategory, RegionId, ChargeCategory, ChargeFrequency, BillingCurrency, Tags,
    sum(TRY_CAST(BilledCost AS DOUBLE)), sum(TRY_CAST(EffectiveCost AS DOUBLE)), sum(TRY_CAST(ListCost AS DOUBLE)),
    sum(TRY_CAST(ContractedCost AS DOUBLE))
  FROM ${source}
  GROUP BY ALL`)
let groups = 0
for (;;) {
  const chunk = await result.fetchChunk()
  if (!chunk || chunk.rowCount === 0) break
  chunk.getColumns()
  groups += chunk.rowCount
}
console.log(JSON.stringify({groups}))
