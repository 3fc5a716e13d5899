import {usageError} from '../errors.js'
import {DIMENSIONS, type DimensionName, type GroupKey} from '../model/cost.js'

export const GROUP_KEY_HELP = `${Object.keys(DIMENSIONS).join(', ')}, tag:<key>`

/** Parses a user's `--group-by` value (`service`, `tag:team`); unknown keys list the valid ones. */
export function parseGroupKey(text: string): GroupKey {
  const trimmed = text.trim()
  if (trimmed.startsWith('tag:')) {
    const key = trimmed.slice(4)
    if (!key)
      throw usageError(`--group-by ${text}: a tag key is needed after "tag:"`, 'for example --group-by tag:team')
    return {kind: 'tag', key}
  }
  if (trimmed in DIMENSIONS) return {kind: 'dimension', name: trimmed as DimensionName}
  throw usageError(`unknown group-by key "${text}"; valid keys: ${GROUP_KEY_HELP}`)
}

/** Splits comma-separated and repeated flag values: `--group-by service,region --group-by tag:env`. */
export function parseGroupKeys(values: readonly string[] | undefined): GroupKey[] {
  const items = (values ?? []).flatMap((v) => v.split(','))
  // A blank item would vanish and change the grouping the user asked for.
  if (items.some((v) => v.trim() === ''))
    throw usageError(
      `--group-by ${(values ?? []).join(',')}: an item is empty`,
      'for example --group-by provider,service',
    )
  const keys = items.map(parseGroupKey)
  const seen = new Set<string>()
  return keys.filter((k) => {
    const id = groupKeyLabel(k)
    if (seen.has(id)) return false
    seen.add(id)
    return true
  })
}

export function groupKeyLabel(key: GroupKey): string {
  return key.kind === 'tag' ? `tag:${key.key}` : key.name
}

/** A `--filter key=value` condition; several values for one key mean "any of". */
export interface CostFilter {
  key: GroupKey
  values: string[]
}

export function parseFilters(values: readonly string[] | undefined): CostFilter[] {
  const byKey = new Map<string, CostFilter>()
  for (const raw of values ?? []) {
    const eq = raw.indexOf('=')
    if (eq <= 0)
      throw usageError(
        `--filter ${raw}: expected key=value`,
        `for example --filter service="Amazon Elastic Compute Cloud" or --filter tag:env=prod; keys: ${GROUP_KEY_HELP}`,
      )
    const key = parseFilterKey(raw.slice(0, eq), raw)
    const value = raw.slice(eq + 1)
    if (value.trim() === '')
      throw usageError(
        `--filter ${raw}: the value is empty`,
        `an empty value never means "all"; rows without a value are ${raw.slice(0, eq)}=${key.kind === 'tag' ? UNTAGGED_LABEL : NONE_LABEL}`,
      )
    const id = groupKeyLabel(key)
    const existing = byKey.get(id)
    if (existing) existing.values.push(value)
    else byKey.set(id, {key, values: [value]})
  }
  return [...byKey.values()]
}

function parseFilterKey(text: string, raw: string): GroupKey {
  try {
    return parseGroupKey(text)
  } catch {
    throw usageError(`unknown filter key "${text}" in --filter ${raw}; valid keys: ${GROUP_KEY_HELP}`)
  }
}

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

/** Label shown for an empty grain value ('' in the store). */
export const NONE_LABEL = '(none)'
/** Label shown for rows that do not carry the grouped tag key. */
export const UNTAGGED_LABEL = '(untagged)'

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
