import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {parse as parseYaml} from 'yaml'
import {z} from 'zod'

import {inputError, notFoundError, type UserInput} from '../errors.js'
import {alertsSection} from './sections/alerts.js'
import {applySection} from './sections/apply.js'
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

/** The config file a command names (`--config`). */
const CONFIG_INPUT: UserInput = {key: 'config', label: 'config file'}

/** Candidate files in precedence order: --config, FINOPS_CONFIG, ./finops.yaml, $XDG_CONFIG_HOME/finops/finops.yaml. */
export function configCandidates(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): {explicit?: string; implicit: string[]} {
  const explicit = flag ?? env.FINOPS_CONFIG
  const xdg =
    env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME)
      ? env.XDG_CONFIG_HOME
      : path.join(os.homedir(), '.config')
  return {
    explicit: explicit ? path.resolve(cwd, explicit) : undefined,
    implicit: [path.join(cwd, 'finops.yaml'), path.join(cwd, 'finops.yml'), path.join(xdg, 'finops', 'finops.yaml')],
  }
}

/**
 * Loads and validates the configuration once. An explicitly named file must exist; otherwise the
 * first implicit candidate that exists is used, or the defaults. Errors name the file and field.
 */
export function loadConfig(flag?: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LoadedConfig {
  const {explicit, implicit} = configCandidates(flag, env, cwd)
  let file: string | undefined
  if (explicit) {
    if (!fs.existsSync(explicit))
      throw notFoundError(
        `config file ${explicit} does not exist`,
        (n) => `check the ${n(CONFIG_INPUT)} / FINOPS_CONFIG`,
      )
    file = explicit
  } else {
    file = implicit.find((candidate) => fs.existsSync(candidate))
  }
  if (!file) return {config: parseConfig({})}
  let raw: unknown
  try {
    raw = parseYaml(fs.readFileSync(file, 'utf8')) ?? {}
  } catch (error) {
    const e = error as {message?: string; linePos?: {line: number}[]}
    const line = e.linePos?.[0]?.line
    throw inputError(
      `${file}${line ? `:${line}` : ''}: not valid YAML: ${(e.message ?? String(error)).split('\n')[0]}`,
      'fix the syntax',
      error,
    )
  }
  return {config: parseConfig(raw, file), file}
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
