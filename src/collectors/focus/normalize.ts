import {CHARGE_CATEGORIES, CHARGE_FREQUENCIES, SERVICE_CATEGORIES} from '../../model/cost.js'

const canonicalMap = (values: readonly string[]): Map<string, string> =>
  new Map(values.map((v) => [v.toLowerCase().replace(/[\s_-]+/g, ''), v]))

const CATEGORY = canonicalMap(CHARGE_CATEGORIES)
const FREQUENCY = canonicalMap(CHARGE_FREQUENCIES)
const SERVICE_CATEGORY = canonicalMap(SERVICE_CATEGORIES)

const canonical = (map: Map<string, string>, value: string | null | undefined): string => {
  if (!value) return ''
  const trimmed = value.trim()
  return map.get(trimmed.toLowerCase().replace(/[\s_-]+/g, '')) ?? trimmed
}

/** `Usage-based`, `USAGE_BASED`, `usage based` -> `Usage-Based`; unknown values are kept as written. */
export const canonicalChargeFrequency = (value: string | null | undefined): string => canonical(FREQUENCY, value)
export const canonicalChargeCategory = (value: string | null | undefined): string => canonical(CATEGORY, value)
export const canonicalServiceCategory = (value: string | null | undefined): string => canonical(SERVICE_CATEGORY, value)

/**
 * Parses the FOCUS Tags column (a JSON object string) into a flat string map. Non-string values are
 * kept as their JSON text. Returns undefined for text that is not a JSON object.
 */
export function parseTags(value: string | null | undefined): Record<string, string> | undefined {
  if (value === null || value === undefined) return {}
  const text = value.trim()
  if (text === '' || text === '{}') return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return undefined
  }
  if (parsed === null) return {}
  if (typeof parsed !== 'object' || Array.isArray(parsed)) return undefined
  const tags: Record<string, string> = {}
  for (const [key, raw] of Object.entries(parsed as Record<string, unknown>)) {
    if (raw === null || raw === undefined) continue
    tags[key] = typeof raw === 'string' ? raw : JSON.stringify(raw)
  }
  return tags
}
