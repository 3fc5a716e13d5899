import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {inputError, type UserInput} from '../errors.js'

/**
 * Which finops.yaml applies, and its text, without the schema: this module imports neither the YAML
 * parser nor zod, so every command can learn cheaply whether there is a config to check at all.
 */

/** A config file larger than this is not a finops.yaml (and reading /dev/zero must end). */
export const MAX_CONFIG_BYTES = 1_000_000

/** The config file a command names (`--config`). */
export const CONFIG_INPUT: UserInput = {key: 'config', label: 'config file'}

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

export interface LocatedConfig {
  file: string
  text: string
}

/**
 * The config file that applies and its text, or undefined when there is none (defaults apply). An
 * explicitly named file (the config file input, or FINOPS_CONFIG) must exist and be a regular file
 * of a sane size; any file that applies must be readable. Otherwise invalid input (exit 3), the same
 * for every command.
 */
export function locateConfig(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): LocatedConfig | undefined {
  const {explicit, implicit} = configCandidates(flag, env, cwd)
  const source = (n: (input: UserInput) => string): string => (flag === undefined ? 'FINOPS_CONFIG' : n(CONFIG_INPUT))
  let file: string | undefined
  if (explicit) {
    if (!fs.existsSync(explicit))
      throw inputError(
        `config file ${explicit} does not exist`,
        (n) => `check ${source(n)}, or leave it out to use the defaults`,
      )
    file = explicit
  } else {
    file = implicit.find((candidate) => fs.existsSync(candidate))
  }
  if (!file) return undefined
  const stat = fs.statSync(file)
  if (!stat.isFile())
    throw inputError(`config file ${file} is not a regular file`, (n) => `give ${source(n)} the path of a finops.yaml`)
  if (stat.size > MAX_CONFIG_BYTES)
    throw inputError(
      `config file ${file} is ${stat.size.toLocaleString('en-US')} bytes, more than a finops.yaml can be (${MAX_CONFIG_BYTES.toLocaleString('en-US')})`,
      (n) => `give ${source(n)} the path of a finops.yaml`,
    )
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    throw inputError(
      `cannot read config file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      'check its permissions',
      error,
    )
  }
  return {file, text}
}
