import {parse as parseYaml} from 'yaml'
import {z} from 'zod'

import {inputError} from '../errors.js'
import {locateConfig} from './locate.js'
import {alertsSection} from './sections/alerts.js'
import {applySection} from './sections/apply.js'
import {backupSection} from './sections/backup.js'
import {commitmentsSection} from './sections/commitments.js'
import {forecastSection} from './sections/forecast.js'
import {importSection} from './sections/import.js'
import {kubernetesSection} from './sections/kubernetes.js'
import {runSection} from './sections/run.js'
import {sourcesSection} from './sections/sources.js'

/**
 * finops.yaml: one section per concern, each schema in its own file under sections/ with its
 * defaults, so a command reads `config.apply` and never re-validates. Unknown top-level keys are an
 * error (a typo like `budget:` for `alerts:` must not be silently ignored).
 */
export const configSchema = z.strictObject({
  alerts: alertsSection,
  apply: applySection,
  backup: backupSection,
  commitments: commitmentsSection,
  forecast: forecastSection,
  import: importSection,
  kubernetes: kubernetesSection,
  run: runSection,
  sources: sourcesSection,
  /** Where the store lives when neither --db nor FINOPS_DB is given. */
  store: z.string().optional(),
})

export type FinopsConfig = z.infer<typeof configSchema>

export interface LoadedConfig {
  config: FinopsConfig
  /** The file it came from, or undefined when no file exists and defaults are used. */
  file?: string
}

export {configCandidates} from './locate.js'

/**
 * Loads and validates the configuration once: the file --config / FINOPS_CONFIG names (it must
 * exist), else the first implicit candidate that exists, else the defaults. Errors name the file
 * and the field, and are invalid input (exit 3) for every command.
 */
export function loadConfig(flag?: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LoadedConfig {
  const located = locateConfig(flag, env, cwd)
  if (!located) return {config: parseConfig({})}
  return {config: parseConfigText(located.text, located.file), file: located.file}
}

/** Parses and validates finops.yaml's text; errors name the file, line or field path. */
export function parseConfigText(text: string, file: string): FinopsConfig {
  let raw: unknown
  try {
    raw = parseYaml(text) ?? {}
  } catch (error) {
    const e = error as {message?: string; linePos?: {line: number}[]}
    const line = e.linePos?.[0]?.line
    throw inputError(
      `${file}${line ? `:${line}` : ''}: not valid YAML: ${(e.message ?? String(error)).split('\n')[0]}`,
      'fix the syntax',
      error,
    )
  }
  return parseConfig(raw, file)
}

/** Validates a parsed document; the first problem is reported as `file: field.path: message`. */
export function parseConfig(raw: unknown, file = 'finops.yaml'): FinopsConfig {
  const result = configSchema.safeParse(raw)
  if (result.success) return result.data
  const issue = result.error.issues[0]!
  const field = issue.path.length > 0 ? issue.path.join('.') : '(top level)'
  const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more)` : ''
  throw inputError(
    `${file}: ${field}: ${issue.message}${more}`,
    'see docs/configuration.md for the fields and their defaults',
  )
}
