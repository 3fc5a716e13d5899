import {usageError} from '../errors.js'

/**
 * The command line's grammar rules every command shares: no value may be blank, and a list flag's
 * items may not be blank either. An empty id, name, namespace or filter never means "all": it is a
 * usage error naming the argument, raised before the store or a cluster is touched.
 */

const isBlank = (value: string): boolean => value.trim() === ''

/** Throws on the first blank flag value, argument or extra argument of a parsed command line. */
export function rejectBlankValues(parsed: {
  flags: Record<string, unknown>
  args: Record<string, unknown>
  argv: readonly unknown[]
  metadata?: {flags?: Record<string, {setFromDefault?: boolean}>}
}): void {
  for (const [name, value] of Object.entries(parsed.flags)) {
    const values = Array.isArray(value) ? value : [value]
    if (values.some((v) => typeof v === 'string' && isBlank(v)))
      throw usageError(
        `--${name}: the value is empty`,
        `leave --${name} out for its default; an empty value never means "all"`,
      )
  }
  for (const [name, value] of Object.entries(parsed.args)) {
    if (typeof value === 'string' && isBlank(value))
      throw usageError(
        `the ${name.toUpperCase()} argument is empty`,
        `give the ${name}; an empty one never means "all"`,
      )
  }
  if (parsed.argv.some((v) => typeof v === 'string' && isBlank(v)))
    throw usageError('an argument is empty', 'remove the empty argument; an empty one never means "all"')
}

/**
 * The items of a comma-separated and/or repeated flag (`--namespace a,b --namespace c`), trimmed.
 * A blank item (`--namespace ","`, `a,,b`) is a usage error: it would otherwise vanish and leave an
 * empty list, which the domains read as "every namespace".
 */
export function splitListFlag(values: string | readonly string[] | undefined, flag: string): string[] | undefined {
  if (values === undefined) return undefined
  const items = (typeof values === 'string' ? [values] : values).flatMap((v) => v.split(',')).map((v) => v.trim())
  if (items.length === 0 || items.some((v) => v === ''))
    throw usageError(
      `--${flag} ${JSON.stringify(typeof values === 'string' ? values : values.join(','))}: an item is empty`,
      `list items separated by commas, for example --${flag} a,b`,
    )
  return [...new Set(items)]
}

// RFC 1123 label: what the Kubernetes API accepts as a namespace name.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

/** Namespace names go into API paths and queries: anything but an RFC 1123 label is refused up front. */
export function checkNamespaceNames(names: readonly string[] | undefined, flag: string): string[] | undefined {
  if (names === undefined) return undefined
  for (const name of names) {
    if (name.length > 63 || !DNS_LABEL.test(name))
      throw usageError(
        `--${flag} ${JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}...` : name)}: not a Kubernetes namespace name`,
        'namespace names are lower-case letters, digits and "-", at most 63 characters',
      )
  }
  return [...names]
}
