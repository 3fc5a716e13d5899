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
  const keys = (values ?? [])
    .flatMap((v) => v.split(','))
    .filter((v) => v.trim() !== '')
    .map(parseGroupKey)
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

/** Label shown for an empty grain value ('' in the store). */
export const NONE_LABEL = '(none)'
/** Label shown for rows that do not carry the grouped tag key. */
export const UNTAGGED_LABEL = '(untagged)'
