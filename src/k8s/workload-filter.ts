/**
 * Which workloads a command acts on: Kubernetes label selectors (the `kubectl -l` syntax) and
 * namespace patterns (globs). Pure: parsing and matching only, so `recommend`, `apply` and
 * `cost allocation` select exactly the same workloads from the same text.
 *
 * Selector syntax, as the API server's `labelSelector` parameter reads it: requirements separated
 * by commas, all of which must hold — `key=value`, `key==value`, `key!=value`, `key in (a,b)`,
 * `key notin (a,b)`, `key` (exists), `!key` (does not exist), `key>N`, `key<N` (integer values).
 * `!=` and `notin` also match workloads without the label, as in Kubernetes.
 */
import {usageError} from '../errors.js'
import {type LabelSelector, selectorMatches} from './selector.js'

/** A parsed selector with the text it came from (for messages and notes). */
export interface ParsedSelector extends LabelSelector {
  text: string
}

/** What a command was asked to act on; an absent part selects everything (it is never empty). */
export interface WorkloadFilter {
  /** Namespace names or globs (`*` any run of characters, `?` one character). */
  namespaces?: readonly string[]
  selector?: ParsedSelector
}

const NAME = '[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?'
const LABEL_NAME = new RegExp(`^${NAME}$`)
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/

type Token =
  | {type: 'word'; value: string; at: number}
  | {type: 'op'; value: '=' | '==' | '!=' | '!' | '(' | ')' | ',' | '>' | '<'; at: number}

function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (/\s/.test(c)) {
      i++
      continue
    }
    const two = text.slice(i, i + 2)
    if (two === '==' || two === '!=') {
      tokens.push({type: 'op', value: two, at: i})
      i += 2
      continue
    }
    if ('=!(),<>'.includes(c)) {
      tokens.push({type: 'op', value: c as '=', at: i})
      i++
      continue
    }
    const start = i
    while (i < text.length && !/[\s=!(),<>]/.test(text[i]!)) i++
    tokens.push({type: 'word', value: text.slice(start, i), at: start})
  }
  return tokens
}

const selectorError = (text: string, problem: string) =>
  usageError(
    `label selector '${text}': ${problem}`,
    "write it as kubectl -l does, e.g. 'app=web,tier in (frontend,backend),!canary'",
  )

/** A label key: an optional DNS-subdomain prefix and '/', then a name of at most 63 characters. */
function checkKey(text: string, key: string): void {
  const slash = key.indexOf('/')
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined
  const name = slash >= 0 ? key.slice(slash + 1) : key
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))
    throw selectorError(text, `'${key}' has an invalid prefix (a DNS subdomain such as app.kubernetes.io)`)
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name))
    throw selectorError(
      text,
      `'${key}' is not a label key (at most 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric)`,
    )
}

function checkValue(text: string, value: string): void {
  if (value.length > 63 || (value !== '' && !LABEL_NAME.test(value)))
    throw selectorError(
      text,
      `'${value}' is not a label value (at most 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric)`,
    )
}

/**
 * Parses a label selector. Blank text is an error, never "everything": a script that forgot to set
 * the variable must not act on the whole cluster.
 */
export function parseLabelSelector(text: string): ParsedSelector {
  if (text.trim() === '') throw selectorError(text, 'it is empty (an empty selector would select everything)')
  const tokens = tokenize(text)
  const expressions: NonNullable<LabelSelector['matchExpressions']> = []
  let i = 0
  const peek = () => tokens[i]
  const next = () => tokens[i++]
  const word = (what: string): string => {
    const t = next()
    if (!t || t.type !== 'word') throw selectorError(text, `expected ${what}${t ? ` at '${text.slice(t.at)}'` : ''}`)
    return t.value
  }
  for (;;) {
    const first = peek()
    if (!first) throw selectorError(text, 'it ends with a comma')
    if (first.type === 'op' && first.value === '!') {
      next()
      const key = word('a label key after !')
      checkKey(text, key)
      expressions.push({key, operator: 'DoesNotExist'})
    } else {
      const key = word('a label key')
      checkKey(text, key)
      const op = peek()
      if (!op || (op.type === 'op' && op.value === ',')) {
        expressions.push({key, operator: 'Exists'})
      } else if (op.type === 'op' && (op.value === '=' || op.value === '==' || op.value === '!=')) {
        next()
        const after = peek()
        // `key=` selects an empty value, as in Kubernetes.
        const value = after && after.type === 'word' ? (next(), after.value) : ''
        checkValue(text, value)
        expressions.push({key, operator: op.value === '!=' ? 'NotIn' : 'In', values: [value]})
      } else if (op.type === 'op' && (op.value === '>' || op.value === '<')) {
        next()
        const value = word(`an integer after ${op.value}`)
        if (!/^-?\d+$/.test(value)) throw selectorError(text, `'${value}' after ${op.value} is not an integer`)
        expressions.push({key, operator: op.value === '>' ? 'Gt' : 'Lt', values: [value]})
      } else if (op.type === 'word' && (op.value === 'in' || op.value === 'notin')) {
        next()
        const open = next()
        if (!open || open.type !== 'op' || open.value !== '(')
          throw selectorError(text, `expected '(' after ${op.value}`)
        const values: string[] = []
        for (;;) {
          const t = next()
          if (!t) throw selectorError(text, `missing ')' after ${key} ${op.value}`)
          if (t.type === 'op' && t.value === ')') break
          if (t.type === 'op' && t.value === ',') continue
          if (t.type !== 'word') throw selectorError(text, `unexpected '${t.value}' in the value list of ${key}`)
          checkValue(text, t.value)
          values.push(t.value)
        }
        if (values.length === 0) throw selectorError(text, `${key} ${op.value} () has no values`)
        expressions.push({key, operator: op.value === 'in' ? 'In' : 'NotIn', values})
      } else {
        throw selectorError(
          text,
          `unexpected '${op.value}' after ${key} (use =, ==, !=, in (...), notin (...), >, < or a comma)`,
        )
      }
    }
    const sep = next()
    if (!sep) break
    if (sep.type !== 'op' || sep.value !== ',')
      throw selectorError(text, `expected a comma before '${text.slice(sep.at)}'`)
  }
  return {text: text.trim(), matchExpressions: expressions}
}

/** Whether a parsed selector selects these labels (every requirement holds). */
export function labelsMatch(selector: ParsedSelector, labels: Readonly<Record<string, string>>): boolean {
  return selectorMatches(selector, labels as Record<string, string>)
}

const NAMESPACE_PATTERN = /^[a-z0-9*?]([-a-z0-9*?]*[a-z0-9*?])?$/

/**
 * Validates namespace names or globs (comma-separated values are split). Blank entries are errors,
 * never "all namespaces".
 */
export function parseNamespacePatterns(values: readonly string[]): string[] {
  const out: string[] = []
  for (const value of values) {
    const parts = value.split(',').map((p) => p.trim())
    for (const part of parts) {
      if (part === '')
        throw usageError(
          `namespace '${value}': an empty name would select every namespace`,
          "name the namespaces, or a glob such as 'team-*'",
        )
      if (part.length > 63 || !NAMESPACE_PATTERN.test(part))
        throw usageError(
          `namespace '${part}' is neither a namespace name nor a glob`,
          "namespaces are lower-case letters, digits and '-'; '*' matches any run of characters, '?' one",
        )
      if (!out.includes(part)) out.push(part)
    }
  }
  return out
}

const globCache = new Map<string, RegExp>()

/** Whether a namespace matches a name or glob (`*` any run of characters, `?` exactly one). */
export function namespaceMatches(pattern: string, namespace: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === namespace
  let re = globCache.get(pattern)
  if (!re) {
    re = new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\-]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    )
    globCache.set(pattern, re)
  }
  return re.test(namespace)
}

/** Whether any of the patterns matches; no patterns means no namespace restriction. */
export const namespaceSelected = (patterns: readonly string[] | undefined, namespace: string): boolean =>
  !patterns || patterns.some((p) => namespaceMatches(p, namespace))

/** Whether a workload (its namespace and its own labels) is selected by the filter. */
export function workloadSelected(
  filter: WorkloadFilter | undefined,
  workload: {namespace: string; labels: Readonly<Record<string, string>>},
): boolean {
  if (!filter) return true
  if (!namespaceSelected(filter.namespaces, workload.namespace)) return false
  return !filter.selector || labelsMatch(filter.selector, workload.labels)
}

/** The namespaces of a list that the patterns select, in order (exact names first-class: no glob needed). */
export function selectNamespaces(patterns: readonly string[], namespaces: Iterable<string>): string[] {
  return [...new Set(namespaces)].filter((ns) => namespaceSelected(patterns, ns))
}

/** A one-line description for notes: `namespaces dev-*, staging; selector app=web`. */
export function describeFilter(filter: WorkloadFilter | undefined): string {
  const parts: string[] = []
  if (filter?.namespaces) parts.push(`namespace ${filter.namespaces.join(', ')}`)
  if (filter?.selector) parts.push(`selector ${filter.selector.text}`)
  return parts.join('; ')
}
