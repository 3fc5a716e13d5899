import {type UserInput, usageError} from '../errors.js'
import {type CostFilter, DIMENSIONS, type DimensionName, type GroupKey, groupKeyLabel} from '../model/cost.js'

/**
 * The text form of group keys (`service`, `tag:team`) and filters (`key=value`), shared by the
 * command line, finops.yaml and stored budgets. Errors name the input the text came from in the
 * domain's words; the command edge names its flag instead.
 */

/** The valid keys, for help texts and error messages. */
export const DIMENSION_KEYS_HELP = `${Object.keys(DIMENSIONS).join(', ')}, tag:<key>`

/** Where group keys usually come from: the command's grouping (`--group-by`). */
export const GROUP_BY_INPUT: UserInput = {key: 'group-by', label: 'grouping'}
/** Where filters usually come from (`--filter`). */
export const FILTER_INPUT: UserInput = {key: 'filter', label: 'filter'}

/** Parses one group key; unknown keys list the valid ones. */
export function parseGroupKey(text: string, input: UserInput = GROUP_BY_INPUT): GroupKey {
  const trimmed = text.trim()
  if (trimmed.startsWith('tag:')) {
    const key = trimmed.slice(4)
    if (!key) throw usageError((n) => `${n(input)} ${text}: a tag key is needed after "tag:"`, 'for example tag:team')
    return {kind: 'tag', key}
  }
  if (trimmed in DIMENSIONS) return {kind: 'dimension', name: trimmed as DimensionName}
  throw usageError(`unknown group-by key "${text}"; valid keys: ${DIMENSION_KEYS_HELP}`)
}

/** Splits comma-separated and repeated values (`service,region` and `tag:env`), without duplicates. */
export function parseGroupKeys(values: readonly string[] | undefined, input: UserInput = GROUP_BY_INPUT): GroupKey[] {
  const keys = (values ?? [])
    .flatMap((v) => v.split(','))
    .filter((v) => v.trim() !== '')
    .map((v) => parseGroupKey(v, input))
  const seen = new Set<string>()
  return keys.filter((k) => {
    const id = groupKeyLabel(k)
    if (seen.has(id)) return false
    seen.add(id)
    return true
  })
}

/** Parses `key=value` filters; several values for one key mean "any of". */
export function parseFilters(values: readonly string[] | undefined, input: UserInput = FILTER_INPUT): CostFilter[] {
  const byKey = new Map<string, CostFilter>()
  for (const raw of values ?? []) {
    const eq = raw.indexOf('=')
    if (eq <= 0)
      throw usageError(
        (n) => `${n(input)} ${raw}: expected key=value`,
        `for example service="Amazon Elastic Compute Cloud" or tag:env=prod; keys: ${DIMENSION_KEYS_HELP}`,
      )
    const key = parseFilterKey(raw.slice(0, eq), raw, input)
    const value = raw.slice(eq + 1)
    const id = groupKeyLabel(key)
    const existing = byKey.get(id)
    if (existing) existing.values.push(value)
    else byKey.set(id, {key, values: [value]})
  }
  return [...byKey.values()]
}

function parseFilterKey(text: string, raw: string, input: UserInput): GroupKey {
  try {
    return parseGroupKey(text, input)
  } catch {
    throw usageError((n) => `unknown filter key "${text}" in ${n(input)} ${raw}; valid keys: ${DIMENSION_KEYS_HELP}`)
  }
}
