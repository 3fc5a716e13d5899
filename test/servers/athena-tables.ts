import fs from 'node:fs'
import path from 'node:path'

/**
 * AWS Data Exports tables as they sit in S3, written from a FOCUS CSV with DuckDB: Parquet with the
 * export's column types (timestamps, doubles; no `NULL` text), one folder per billing period
 * (billing_period=YYYY-MM). The FOCUS layout keeps FOCUS's column names; the CUR 2.0 layout maps the
 * same rows to CUR 2.0's columns (product and resource_tags as maps), so both can be checked against
 * `collect focus` of the one CSV.
 */

const sqlString = (value: string): string => `'${value.replaceAll("'", "''")}'`

async function run(statements: string[]): Promise<void> {
  const {DuckDBInstance} = await import('@duckdb/node-api')
  const instance = await DuckDBInstance.create(':memory:', {threads: '1'})
  const connection = await instance.connect()
  try {
    for (const sql of statements) await connection.run(sql)
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

const csv = (file: string) => `read_csv(${sqlString(file)}, all_varchar = true, header = true, nullstr = ['NULL', ''])`
const ts = (column: string) => `CAST("${column}" AS TIMESTAMP)`
const num = (column: string) => `CAST("${column}" AS DOUBLE)`
/** A JSON-object text column as the map<string,string> Data Exports writes for FOCUS Tags: empty, never null. */
const jsonMap = (column: string) =>
  `CASE WHEN "${column}" IS NULL THEN MAP {}::MAP(VARCHAR, VARCHAR) ELSE CAST(CAST("${column}" AS JSON) AS MAP(VARCHAR, VARCHAR)) END`

/**
 * A FOCUS CSV of `months` consecutive months: the AWS rows of `sample` repeated, each month's copy
 * moved by whole months (charge and billing periods alike) and its costs scaled, so months differ.
 */
export async function writeMonthlyFocusCsv(sample: string, months: number, out: string): Promise<void> {
  const shifted = ['ChargePeriodStart', 'ChargePeriodEnd', 'BillingPeriodStart', 'BillingPeriodEnd']
  const scaled = ['BilledCost', 'EffectiveCost', 'ListCost', 'ContractedCost']
  const header = fs.readFileSync(sample, 'utf8').split('\n', 1)[0] ?? ''
  const columns = header.split(',').map((c) => c.replaceAll('"', ''))
  const select = columns.map((c) =>
    shifted.includes(c)
      ? `strftime(CAST("${c}" AS TIMESTAMP) + to_months(m), '%Y-%m-%d %H:%M:%S') AS "${c}"`
      : scaled.includes(c)
        ? `CASE WHEN "${c}" IS NULL OR "${c}" = 'NULL' THEN "${c}" ELSE CAST(round(CAST("${c}" AS DOUBLE) * (1 + m / 10), 10) AS VARCHAR) END AS "${c}"`
        : `"${c}"`,
  )
  await run([
    `COPY (SELECT ${select.join(', ')} FROM read_csv(${sqlString(sample)}, all_varchar = true, header = true), range(${months}) t(m)
       WHERE "ProviderName" = 'AWS' ORDER BY m, "ChargePeriodStart") TO ${sqlString(out)} (FORMAT csv, HEADER)`,
  ])
}

/**
 * The FOCUS 1.0 export of `csvFile` as Data Exports writes it to S3 (Parquet, by billing period):
 * Tags is a map<string,string>, as the Glue table of the export declares it, not JSON text.
 */
export async function writeFocusExportTable(csvFile: string, directory: string): Promise<void> {
  fs.mkdirSync(directory, {recursive: true})
  const header = fs.readFileSync(csvFile, 'utf8').split('\n', 1)[0] ?? ''
  const columns = header.split(',').map((c) => c.replaceAll('"', ''))
  const select = columns.map((c) =>
    /Period(Start|End)$/.test(c)
      ? `${ts(c)} AS "${c}"`
      : /(Cost|Price|Quantity)$/.test(c)
        ? `${num(c)} AS "${c}"`
        : c === 'Tags'
          ? `${jsonMap(c)} AS "${c}"`
          : `"${c}"`,
  )
  await run([
    `COPY (SELECT ${select.join(', ')}, strftime(${ts('BillingPeriodStart')}, '%Y-%m') AS billing_period FROM ${csv(csvFile)})
       TO ${sqlString(directory)} (FORMAT parquet, PARTITION_BY (billing_period), OVERWRITE_OR_IGNORE)`,
  ])
}

/**
 * The same rows as a CUR 2.0 export: usage whose EffectiveCost differs from its BilledCost becomes
 * Savings-Plan-covered usage (its effective cost the plan's rate), FOCUS tags become resource_tags
 * with CUR's user_ prefix, ServiceName becomes product['product_name'].
 */
export async function writeCurExportTable(csvFile: string, directory: string): Promise<void> {
  fs.mkdirSync(directory, {recursive: true})
  const type = `CASE WHEN "ChargeCategory" = 'Usage' AND ${num('EffectiveCost')} <> ${num('BilledCost')} THEN 'SavingsPlanCoveredUsage'
      WHEN "ChargeCategory" = 'Usage' THEN 'Usage' WHEN "ChargeCategory" = 'Credit' THEN 'Credit' WHEN "ChargeCategory" = 'Tax' THEN 'Tax'
      WHEN "ChargeCategory" = 'Purchase' THEN 'Fee' ELSE 'Usage' END`
  const tags =
    `CASE WHEN "Tags" IS NULL THEN MAP {}::MAP(VARCHAR, VARCHAR) ELSE map_from_entries(list_transform(map_entries(CAST(CAST("Tags" AS ` +
    `JSON) AS MAP(VARCHAR, VARCHAR))), e -> {'key': 'user_' || e.key, 'value': e.value})) END`
  await run([
    `COPY (SELECT
        ${ts('ChargePeriodStart')} AS line_item_usage_start_date,
        ${ts('ChargePeriodEnd')} AS line_item_usage_end_date,
        ${ts('BillingPeriodStart')} AS bill_billing_period_start_date,
        "BillingAccountId" AS bill_payer_account_id,
        "BillingAccountName" AS bill_payer_account_name,
        "SubAccountId" AS line_item_usage_account_id,
        "SubAccountName" AS line_item_usage_account_name,
        MAP {'product_name': "ServiceName", 'region': "RegionId"} AS product,
        NULL::VARCHAR AS product_servicecode,
        'Amazon' AS line_item_product_code,
        "RegionId" AS product_region_code,
        ${type} AS line_item_line_item_type,
        "BillingCurrency" AS line_item_currency_code,
        ${tags} AS resource_tags,
        ${num('BilledCost')} AS line_item_unblended_cost,
        ${num('EffectiveCost')} AS savings_plan_savings_plan_effective_cost,
        0::DOUBLE AS savings_plan_total_commitment_to_date,
        0::DOUBLE AS savings_plan_used_commitment,
        0::DOUBLE AS reservation_effective_cost,
        0::DOUBLE AS reservation_unused_amortized_upfront_fee_for_billing_period,
        0::DOUBLE AS reservation_unused_recurring_fee,
        ''::VARCHAR AS reservation_reservation_a_r_n,
        ${num('ListCost')} AS pricing_public_on_demand_cost,
        strftime(${ts('BillingPeriodStart')}, '%Y-%m') AS billing_period
      FROM ${csv(csvFile)})
      TO ${sqlString(directory)} (FORMAT parquet, PARTITION_BY (billing_period), OVERWRITE_OR_IGNORE)`,
  ])
}

/** Bytes of a table's files per partition (billing period). */
export function partitionBytes(directory: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const entry of fs.readdirSync(directory)) {
    const period = /^billing_period=(.+)$/.exec(entry)?.[1]
    if (!period) continue
    const dir = path.join(directory, entry)
    out[period] = fs.readdirSync(dir).reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0)
  }
  return out
}

/**
 * The same rows as Google's FOCUS BigQuery view holds them, as one Parquet file: typed columns, and
 * Tags as the view's array of {key, value}.
 */
export async function writeFocusViewTable(csvFile: string, file: string): Promise<void> {
  fs.mkdirSync(path.dirname(file), {recursive: true})
  const header = fs.readFileSync(csvFile, 'utf8').split('\n', 1)[0] ?? ''
  const columns = header.split(',').map((c) => c.replaceAll('"', ''))
  const select = columns.map((c) =>
    c === 'Tags'
      ? `CASE WHEN "Tags" IS NULL THEN [] ELSE list_transform(map_entries(CAST(CAST("Tags" AS JSON) AS MAP(VARCHAR, VARCHAR))), ` +
        `e -> {'key': e.key, 'value': e.value}) END AS "Tags"`
      : /Period(Start|End)$/.test(c)
        ? `${ts(c)} AS "${c}"`
        : /(Cost|Price|Quantity)$/.test(c)
          ? `${num(c)} AS "${c}"`
          : `"${c}"`,
  )
  await run([`COPY (SELECT ${select.join(', ')} FROM ${csv(csvFile)}) TO ${sqlString(file)} (FORMAT parquet)`])
}
