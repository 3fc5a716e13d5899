import {addDays} from '../../dates.js'
import {WAREHOUSE_COLUMNS, type WarehouseColumn} from '../warehouse-rows.js'

/**
 * The daily rollup at the store's grain as Trino SQL (Athena engine v3), over an AWS Data Exports
 * table: FOCUS 1.0 or CUR 2.0. Pure: the window in, the query text out. Athena bills the bytes a
 * query scans, so the query names only the billing-period partitions of the window (Data Exports
 * writes `BILLING_PERIOD=YYYY-MM/` folders, which Glue and the Data Exports CloudFormation template
 * expose as the string partition column `billing_period`) and only the columns the grain needs.
 */

/** The two table layouts AWS Data Exports writes. */
export const EXPORT_FORMATS = ['focus', 'cur2'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

/** The partition column Data Exports tables are partitioned by ('2026-09'). */
export const PARTITION_COLUMN = 'billing_period'

/** The columns of every rollup query's answer, in order (GetQueryResults names them so). */
export const ROLLUP_COLUMNS = WAREHOUSE_COLUMNS
export type RollupColumn = WarehouseColumn

export interface RollupQueryInput {
  format: ExportFormat
  /** database.table as Glue names it. */
  table: string
  /** The payer account whose rows are read: the replace scope of the run. */
  billingAccountId: string
  /** First and last day (YYYY-MM-DD, inclusive). */
  from: string
  to: string
  /** Off only to measure what pruning saves (the benchmark): then every partition is scanned. */
  prune?: boolean
}

export const sqlString = (value: string): string => `'${value.replaceAll("'", "''")}'`
/** Trino identifiers are case-insensitive; quoted, a column named like a keyword (day, year) still parses. */
export const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`
/** database.table -> "database"."table". */
export const tableRef = (table: string): string => table.split('.').map(ident).join('.')

/** The billing periods ('YYYY-MM') a window touches, oldest first. */
export function billingPeriods(from: string, to: string): string[] {
  const out: string[] = []
  for (let month = from.slice(0, 7); month <= to.slice(0, 7);) {
    out.push(month)
    month = addDays(`${month}-28`, 7).slice(0, 7)
  }
  return out
}

/** Money summed exactly: doubles cast to a decimal before the sum, so rows add in any order to the same cents. */
const exactSum = (expression: string): string => `CAST(sum(CAST(${expression} AS DECIMAL(38, 10))) AS VARCHAR)`

/** The day of a timestamp column, as YYYY-MM-DD text (UTC: Data Exports timestamps carry no zone). */
const dayOf = (column: string): string => `CAST(CAST(date_trunc('day', ${ident(column)}) AS DATE) AS VARCHAR)`

/** A timestamp column within the window: a range on the column itself, so it can use Parquet statistics. */
const within = (column: string, from: string, to: string): string =>
  `${ident(column)} >= TIMESTAMP ${sqlString(`${from} 00:00:00`)} AND ${ident(column)} < TIMESTAMP ${sqlString(`${addDays(to, 1)} 00:00:00`)}`

/** FOCUS 1.0 (AWS Data Exports "FOCUS 1.0 with AWS columns"): the grain is FOCUS already. */
function focusQuery(input: RollupQueryInput): string {
  const select: Record<RollupColumn, string> = {
    day: dayOf('chargeperiodstart'),
    billing_period_start: `date_format(${ident('billingperiodstart')}, '%Y-%m-%d')`,
    provider: ident('providername'),
    billing_account_id: ident('billingaccountid'),
    billing_account_name: ident('billingaccountname'),
    sub_account_id: ident('subaccountid'),
    sub_account_name: ident('subaccountname'),
    service_name: ident('servicename'),
    service_category: ident('servicecategory'),
    region_id: ident('regionid'),
    charge_category: ident('chargecategory'),
    charge_frequency: ident('chargefrequency'),
    currency: `upper(${ident('billingcurrency')})`,
    // Tags is a map<string,string> in the export's table; Athena would answer it as {k=v, ...}, so as JSON text.
    tags: `json_format(CAST(${ident('tags')} AS JSON))`,
    billed_cost: exactSum(ident('billedcost')),
    effective_cost: exactSum(ident('effectivecost')),
    list_cost: exactSum(`coalesce(${ident('listcost')}, 0)`),
    contracted_cost: exactSum(`coalesce(${ident('contractedcost')}, 0)`),
  }
  return rollup(select, input, 'chargeperiodstart', 'billingaccountid')
}

/**
 * CUR 2.0: the grain from its columns. EffectiveCost is the amortized cost as AWS's own CUR queries
 * (the Cloud Intelligence Dashboards) compute it: covered usage at its Savings Plan or reservation
 * rate, the unused part of recurring fees, upfront fees and negations as zero.
 */
function curQuery(input: RollupQueryInput): string {
  const type = ident('line_item_line_item_type')
  const unblended = ident('line_item_unblended_cost')
  const select: Record<RollupColumn, string> = {
    day: dayOf('line_item_usage_start_date'),
    billing_period_start: `date_format(${ident('bill_billing_period_start_date')}, '%Y-%m-%d')`,
    provider: `'AWS'`,
    billing_account_id: ident('bill_payer_account_id'),
    billing_account_name: ident('bill_payer_account_name'),
    sub_account_id: ident('line_item_usage_account_id'),
    sub_account_name: ident('line_item_usage_account_name'),
    // element_at, not product['product_name']: Trino's subscript fails on a missing key.
    service_name:
      `coalesce(nullif(element_at(${ident('product')}, 'product_name'), ''), ` +
      `nullif(${ident('product_servicecode')}, ''), ${ident('line_item_product_code')})`,
    service_category: `''`,
    region_id: `coalesce(${ident('product_region_code')}, '')`,
    // The line item type; mapped to ChargeCategory and ChargeFrequency after the query.
    charge_category: type,
    charge_frequency: `''`,
    currency: `upper(${ident('line_item_currency_code')})`,
    // The resource_tags map (user_team -> web) as JSON text.
    tags: `json_format(CAST(${ident('resource_tags')} AS JSON))`,
    billed_cost: exactSum(unblended),
    effective_cost: exactSum(`CASE ${type}
        WHEN 'SavingsPlanCoveredUsage' THEN ${ident('savings_plan_savings_plan_effective_cost')}
        WHEN 'SavingsPlanRecurringFee' THEN ${ident('savings_plan_total_commitment_to_date')} - ${ident('savings_plan_used_commitment')}
        WHEN 'SavingsPlanNegation' THEN 0
        WHEN 'SavingsPlanUpfrontFee' THEN 0
        WHEN 'DiscountedUsage' THEN ${ident('reservation_effective_cost')}
        WHEN 'RIFee' THEN ${ident('reservation_unused_amortized_upfront_fee_for_billing_period')} + ${ident('reservation_unused_recurring_fee')}
        ELSE CASE WHEN ${type} = 'Fee' AND coalesce(${ident('reservation_reservation_a_r_n')}, '') <> '' THEN 0 ELSE ${unblended} END
      END`),
    list_cost: exactSum(`coalesce(${ident('pricing_public_on_demand_cost')}, 0)`),
    contracted_cost: `'0'`,
  }
  return rollup(select, input, 'line_item_usage_start_date', 'bill_payer_account_id')
}

function rollup(
  select: Record<RollupColumn, string>,
  input: RollupQueryInput,
  chargeStart: string,
  payer: string,
): string {
  const periods = billingPeriods(input.from, input.to)
  const groupBy = ROLLUP_COLUMNS.flatMap((c, i) => (c.endsWith('_cost') || isConstant(select[c]) ? [] : [i + 1]))
  const where = [
    ...(input.prune === false ? [] : [`${ident(PARTITION_COLUMN)} IN (${periods.map(sqlString).join(', ')})`]),
    within(chargeStart, input.from, input.to),
    `${ident(payer)} = ${sqlString(input.billingAccountId)}`,
  ]
  return [
    'SELECT',
    ROLLUP_COLUMNS.map((c) => `  ${select[c]} AS ${ident(c)}`).join(',\n'),
    `FROM ${tableRef(input.table)}`,
    `WHERE ${where.join('\n  AND ')}`,
    `GROUP BY ${groupBy.join(', ')}`,
  ].join('\n')
}

/** A literal column is not grouped on (Trino and DuckDB both accept it, but it says nothing). */
const isConstant = (expression: string): boolean => /^'[^']*'$/.test(expression)

/** The rollup query of the window over the table, in its layout. */
export const rollupQuery = (input: RollupQueryInput): string =>
  input.format === 'cur2' ? curQuery(input) : focusQuery(input)
