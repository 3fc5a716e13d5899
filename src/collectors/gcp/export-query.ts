import {type UserInput, usageError} from '../../errors.js'

/** The billing export table a GCP source reads (`--table`). */
export const TABLE_INPUT: UserInput = {key: 'table', label: 'export table'}

/** FOCUS ChargeCategory for the export's cost_type; credits are netted into EffectiveCost instead. */
export const COST_TYPES: Record<string, {category: string; frequency: string}> = {
  regular: {category: 'Usage', frequency: 'Usage-Based'},
  tax: {category: 'Tax', frequency: 'Recurring'},
  adjustment: {category: 'Adjustment', frequency: 'One-Time'},
  rounding_error: {category: 'Adjustment', frequency: 'One-Time'},
}

const TABLE = /^([a-z][a-z0-9.:-]{4,61}[a-z0-9])\.([A-Za-z0-9_]{1,1024})\.([A-Za-z0-9_$-]{1,1024})$/

/** Validates project.dataset.table (it is spliced into the SQL, so nothing else may pass). */
export function parseExportTable(table: string): {project: string; dataset: string; table: string} {
  const m = TABLE.exec(table.trim().replaceAll('`', ''))
  if (!m)
    throw usageError(
      (n) => `${n(TABLE_INPUT)} ${table}: expected project.dataset.table`,
      (n) => `for example ${n(TABLE_INPUT)} my-project.billing.gcp_billing_export_v1_01A2B3_C4D5E6_F7A8B9`,
    )
  return {project: m[1]!, dataset: m[2]!, table: m[3]!}
}

/** The billing account id in a standard or detailed export table's name (gcp_billing_export_[resource_]v1_XXXXXX_XXXXXX_XXXXXX). */
export function billingAccountFromTable(table: string): string | undefined {
  const m = /gcp_billing_export_(?:resource_)?v1_([0-9A-F]{6})_([0-9A-F]{6})_([0-9A-F]{6})$/i.exec(table)
  return m ? `${m[1]}-${m[2]}-${m[3]}`.toUpperCase() : undefined
}

/**
 * The sum of a row group's credits (of one type, or all): credits are negative amounts nested in
 * each export row, so every query that nets them must unnest them the same way.
 */
function creditSum(type?: string): string {
  return `SUM(IFNULL((SELECT SUM(c.amount) FROM UNNEST(credits) AS c${type ? ` WHERE c.type = '${type}'` : ''}), 0))`
}

/**
 * The rows of the window's usage days. The partition filter keeps the scan to the days exported since
 * the window began (export time is never before usage time; one day of slack covers the Pacific-time
 * partition boundary).
 */
const EXPORT_WINDOW = `_PARTITIONTIME >= TIMESTAMP_SUB(TIMESTAMP(@from_day), INTERVAL 1 DAY)
  AND DATE(usage_start_time) BETWEEN DATE(@from_day) AND DATE(@to_day)`

/** EffectiveCost: the billed cost net of every credit. */
const EFFECTIVE_COST = `SUM(cost) + ${creditSum()}`

/**
 * The aggregation BigQuery runs over the export: one row per usage day, invoice month, project,
 * service, region, cost type, currency (and label value), over the window's partitions only;
 * credits are netted for EffectiveCost.
 */
export function exportQuery(table: string, label?: string): string {
  const t = parseExportTable(table)
  const labelExpr = label
    ? `,\n  IFNULL((SELECT l.value FROM UNNEST(labels) AS l WHERE l.key = @label LIMIT 1), '') AS label_value`
    : ''
  return `SELECT
  FORMAT_DATE('%Y-%m-%d', DATE(usage_start_time)) AS day,
  IFNULL(invoice.month, FORMAT_DATE('%Y%m', DATE(usage_start_time))) AS invoice_month,
  IFNULL(project.id, '') AS project_id,
  ANY_VALUE(project.name) AS project_name,
  IFNULL(service.description, '') AS service,
  IFNULL(location.region, IFNULL(location.location, '')) AS region,
  IFNULL(cost_type, 'regular') AS cost_type,
  currency${labelExpr},
  SUM(cost) AS billed_cost,
  ${EFFECTIVE_COST} AS effective_cost
FROM \`${t.project}.${t.dataset}.${t.table}\`
WHERE ${EXPORT_WINDOW}
GROUP BY day, invoice_month, project_id, service, region, cost_type, currency${label ? ', label_value' : ''}`
}

/** A detailed (resource-level) export's table name; only that export has resource.name. */
export const isDetailedExport = (table: string): boolean =>
  /gcp_billing_export_resource_v1_/i.test(parseExportTable(table).table)

/** Values kept per key, day and kind by the detail query; the rest is summed under '' (as the store keeps them). */
export const DETAILS_PER_KEY = 20

/**
 * Usage below the grain, for root causes, in one scan of the same partitions: each usage row is
 * counted once per kind (SKU; and resource, where the export has resource.name) and summed per
 * project, service, region, currency, day and value; BigQuery keeps each key's 20 largest values a
 * day and sums the rest under '', so the answer grows with keys x days, not with resources.
 */
export function exportDetailQuery(table: string, withResources: boolean): string {
  const t = parseExportTable(table)
  const kinds = withResources ? "['usage-type', 'resource']" : "['usage-type']"
  const value = withResources
    ? "IF(kind = 'usage-type', IFNULL(sku.id, ''), IFNULL(resource.global_name, IFNULL(resource.name, '')))"
    : "IFNULL(sku.id, '')"
  const label = withResources ? "IF(kind = 'usage-type', sku.description, resource.name)" : 'sku.description'
  return `WITH detail AS (
  SELECT
    kind,
    FORMAT_DATE('%Y-%m-%d', DATE(usage_start_time)) AS day,
    IFNULL(project.id, '') AS project_id,
    IFNULL(service.description, '') AS service,
    IFNULL(location.region, IFNULL(location.location, '')) AS region,
    currency,
    ${value} AS detail_value,
    ANY_VALUE(${label}) AS detail_label,
    SUM(cost) AS billed_cost,
    ${EFFECTIVE_COST} AS effective_cost
  FROM \`${t.project}.${t.dataset}.${t.table}\` CROSS JOIN UNNEST(${kinds}) AS kind
  WHERE ${EXPORT_WINDOW}
    AND IFNULL(cost_type, 'regular') = 'regular'
  GROUP BY kind, day, project_id, service, region, currency, detail_value
), ranked AS (
  SELECT *, ROW_NUMBER() OVER (
    PARTITION BY kind, day, project_id, service, region, currency
    ORDER BY ABS(effective_cost) DESC, detail_value) AS detail_rank
  FROM detail
)
SELECT
  kind, day, project_id, service, region, currency,
  IF(detail_rank <= ${DETAILS_PER_KEY}, detail_value, '') AS kept_value,
  ANY_VALUE(IF(detail_rank <= ${DETAILS_PER_KEY}, detail_label, '')) AS kept_label,
  SUM(billed_cost) AS billed_cost,
  SUM(effective_cost) AS effective_cost
FROM ranked
GROUP BY kind, day, project_id, service, region, currency, kept_value`
}

/**
 * Export service.description values a committed use discount covers, with their FOCUS
 * ServiceCategory: resource-based CUDs cover Compute Engine (GKE Standard nodes bill as Compute
 * Engine); spend-based CUDs cover Cloud Run, Cloud SQL, Spanner, AlloyDB, Memorystore, Bigtable.
 */
export const CUD_SERVICES: Record<string, string> = {
  'Compute Engine': 'Compute',
  'Cloud Run': 'Compute',
  'Cloud SQL': 'Databases',
  'Cloud Spanner': 'Databases',
  'AlloyDB for PostgreSQL': 'Databases',
  'Memorystore for Redis': 'Databases',
  'Cloud Bigtable': 'Databases',
}

const sqlList = (values: readonly string[]): string => values.map((v) => `'${v.replaceAll("'", "\\'")}'`).join(', ')

/**
 * Commitment usage from the export, in one more scan of the same partitions: per day, invoice
 * month, project, service, region and currency of the CUD-eligible services, the regular rows split
 * into usage, Spot/preemptible usage and commitment fees (the SKUs named `Commitment v1: ...`
 * resource-based and `Commitment - dollar based v1: ...` spend-based), each with its cost, the
 * credits of type COMMITTED_USAGE_DISCOUNT and COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE (negative: the
 * on-demand cost a CUD covered) and all credits.
 */
export function exportCommitmentQuery(table: string): string {
  const t = parseExportTable(table)
  return `SELECT
  FORMAT_DATE('%Y-%m-%d', DATE(usage_start_time)) AS day,
  IFNULL(invoice.month, FORMAT_DATE('%Y%m', DATE(usage_start_time))) AS invoice_month,
  IFNULL(project.id, '') AS project_id,
  IFNULL(service.description, '') AS service,
  IFNULL(location.region, IFNULL(location.location, '')) AS region,
  currency,
  CASE
    WHEN STARTS_WITH(LOWER(sku.description), 'commitment')
      THEN IF(REGEXP_CONTAINS(LOWER(sku.description), r'dollar based|spend based'), 'fee-spend', 'fee-resource')
    WHEN REGEXP_CONTAINS(LOWER(sku.description), r'\\bspot\\b|preemptible') THEN 'spot'
    ELSE 'usage'
  END AS commitment_kind,
  SUM(cost) AS cost,
  ${creditSum('COMMITTED_USAGE_DISCOUNT')} AS resource_cud,
  ${creditSum('COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE')} AS spend_cud,
  ${creditSum()} AS credits
FROM \`${t.project}.${t.dataset}.${t.table}\`
WHERE ${EXPORT_WINDOW}
  AND IFNULL(cost_type, 'regular') = 'regular'
  AND service.description IN (${sqlList(Object.keys(CUD_SERVICES))})
GROUP BY day, invoice_month, project_id, service, region, currency, commitment_kind`
}
