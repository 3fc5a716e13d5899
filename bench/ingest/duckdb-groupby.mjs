// The peer: DuckDB (@duckdb/node-api, default settings) running the equivalent daily GROUP BY over
// the same FOCUS CSV, materializing the grouped rows in the process as our import does.
import {DuckDBInstance} from '@duckdb/node-api'

const file = process.argv[2]
const instance = await DuckDBInstance.create(':memory:')
const connection = await instance.connect()
await connection.run("SET TimeZone = 'UTC'")
const result = await connection.runAndReadAll(`
  SELECT CAST(CAST(ChargePeriodStart AS TIMESTAMPTZ) AS DATE) AS day, BillingPeriodStart, ProviderName, BillingAccountId,
    SubAccountId, ServiceName, ServiceCategory, RegionId, ChargeCategory, ChargeFrequency, BillingCurrency, Tags,
    sum(TRY_CAST(BilledCost AS DOUBLE)), sum(TRY_CAST(EffectiveCost AS DOUBLE)), sum(TRY_CAST(ListCost AS DOUBLE)), sum(TRY_CAST(ContractedCost AS DOUBLE))
  FROM read_csv('${file.replaceAll("'", "''")}', all_varchar = true, header = true)
  GROUP BY ALL`)
console.log(JSON.stringify({groups: result.getRows().length}))
