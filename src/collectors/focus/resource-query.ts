import {AMOUNT_SQL_COLUMNS} from '../../store/amounts.js'
import {DETAIL_VALUES_KEPT} from '../../store/cost-details.js'
import type {ColumnMapping} from './columns.js'
import {GRAIN_DIMENSIONS, raw, rowProjection} from './focus-query.js'

/**
 * The import's second query, over the same staged rows (stagingQuery): cost by resource (ResourceId). It runs on its own
 * rather than as one more grouping set of the main query because its groups are about as many as the
 * rows of a per-resource bill: a set of its own there made DuckDB hold both hash tables at once
 * (docs/benchmarks.md). Here DuckDB ranks each grain key's resources per day and sums all but the
 * largest in the engine, so only the kept resources reach JavaScript, and Compute and Storage
 * resources (what Kubernetes allocation prices one by one: instances, disks) come out per unit.
 */

/** Service categories whose resources are kept one by one, lower-case (as compared). */
const PRICED_CATEGORIES = ['compute', 'storage']

/** Text as the import treats it: trimmed, with '' and the literal NULL as null. */
const cleanSql = (sql: string): string => `nullif(nullif(trim(${sql}), ''), 'NULL')`

/**
 * One row per kept resource (the DETAIL_VALUES_KEPT largest of a grain key's day by effective cost)
 * and per Compute/Storage resource and unit; the rest of a key's day in one row with resource ''.
 * `top` says whether the resource is one of the kept ones; `unit` is null outside Compute/Storage.
 * With `partition`, only the grain key days hashing to it (ranks stay whole).
 */
export function resourceQuery(
  source: string,
  mapping: ColumnMapping,
  partition: {index: number; count: number} = {index: 0, count: 1},
): string {
  const grain = [...GRAIN_DIMENSIONS, 'bp_text', 'day'].join(', ')
  const priced = `lower(trim(category)) IN (${PRICED_CATEGORIES.map((c) => `'${c}'`).join(', ')})`
  // Quantity and unit from the same pair: PricingUnit/PricingQuantity, else the consumed ones.
  const pricingUnit = cleanSql(raw(mapping, 'PricingUnit'))
  const quantityOf = (column: 'PricingQuantity' | 'ConsumedQuantity'): string =>
    `TRY_CAST(${raw(mapping, column)} AS DOUBLE)`
  const quantity = `CASE WHEN ${pricingUnit} IS NOT NULL THEN ${quantityOf('PricingQuantity')} ELSE ${quantityOf('ConsumedQuantity')} END`
  const unit = `coalesce(${pricingUnit}, ${cleanSql(raw(mapping, 'ConsumedUnit'))}, '')`
  const sums = AMOUNT_SQL_COLUMNS.map((c) => `sum(${c}) AS ${c}`).join(', ')
  return `
    WITH per_unit AS (
      SELECT ${grain}, resource, CASE WHEN ${priced} THEN unit END AS unit, max(resource_name) AS label,
        -- NaN and absurd quantities count as none (a sum with NaN would be NaN).
        sum(CASE WHEN abs(quantity) <= 1e15 THEN quantity ELSE 0 END) AS quantity, ${sums}
      FROM (
        SELECT ${rowProjection(mapping)}, ${cleanSql(raw(mapping, 'ResourceId'))} AS resource,
          ${cleanSql(raw(mapping, 'ResourceName'))} AS resource_name, ${unit} AS unit, ${quantity} AS quantity
        FROM (${source})
      )
      WHERE problem = 0 AND resource IS NOT NULL
        ${partition.count > 1 ? `AND hash(${grain}) % ${partition.count} = ${partition.index}` : ''}
      GROUP BY ALL
    ),
    ranked AS (
      SELECT *, dense_rank() OVER (PARTITION BY ${grain} ORDER BY abs(resource_cost) DESC, resource) <= ${DETAIL_VALUES_KEPT} AS top
      FROM (
        SELECT *, sum(effective_units + effective_nanos / 1e9) OVER (PARTITION BY ${grain}, resource) AS resource_cost
        FROM per_unit
      )
    )
    SELECT to_json([${GRAIN_DIMENSIONS.join(', ')}])::VARCHAR AS dims,
      CAST(CAST(TRY_CAST(bp_text AS TIMESTAMPTZ) AS DATE) - DATE '1970-01-01' AS INTEGER) AS bp, day,
      CASE WHEN top OR unit IS NOT NULL THEN resource ELSE '' END AS resource,
      CASE WHEN top THEN max(label) ELSE '' END AS label, top, unit, sum(quantity)::DOUBLE AS quantity,
      ${AMOUNT_SQL_COLUMNS.map((c) => `sum(${c})::DOUBLE AS ${c}`).join(', ')}
    FROM ranked
    GROUP BY ${grain}, 4, top, unit`
}
