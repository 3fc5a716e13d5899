import {type CostFilter, DIMENSIONS, type GroupKey, NONE_LABEL, UNTAGGED_LABEL} from '../model/cost.js'

/** What a cost query's SELECT/JOIN/WHERE need for the given group keys and filters. */
export interface CostSqlParts {
  joins: string[]
  /** One SQL expression per group key, in order. */
  groupExprs: string[]
  where: string[]
  /** Parameters of the JOIN clauses, then of the WHERE conditions, in text order. */
  joinParams: unknown[]
  whereParams: unknown[]
}

/**
 * Builds the SQL fragments for grouping and filtering `cost_daily c`. Tag keys join `tag_values`
 * once per distinct key; a missing tag groups as "(untagged)" and can be filtered on by that label.
 */
export function buildCostSql(groupBy: readonly GroupKey[], filters: readonly CostFilter[]): CostSqlParts {
  const joins: string[] = []
  const joinParams: unknown[] = []
  const tagAlias = new Map<string, string>()
  const exprFor = (key: GroupKey): string => {
    if (key.kind === 'dimension') return `c.${DIMENSIONS[key.name].column}`
    let alias = tagAlias.get(key.key)
    if (!alias) {
      alias = `t${tagAlias.size}`
      tagAlias.set(key.key, alias)
      joins.push(`LEFT JOIN tag_values ${alias} ON ${alias}.tag_set_id = c.tag_set_id AND ${alias}.key = ?`)
      joinParams.push(key.key)
    }
    return `COALESCE(${alias}.value, '${UNTAGGED_LABEL}')`
  }

  const groupExprs = groupBy.map(exprFor)
  const where: string[] = []
  const whereParams: unknown[] = []
  for (const filter of filters) {
    const expr = exprFor(filter.key)
    const values = filter.values.map((v) => (filter.key.kind === 'dimension' && v === NONE_LABEL ? '' : v))
    where.push(`${expr} IN (${values.map(() => '?').join(', ')})`)
    whereParams.push(...values)
  }
  return {joins, groupExprs, where, joinParams, whereParams}
}
