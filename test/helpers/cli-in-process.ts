import {Config} from '@oclif/core'

import type {CliResult} from './cli.js'
import {repoRoot} from './cli.js'

let config: Config | undefined

/**
 * Runs one command of the built CLI (dist/ and its oclif manifest) inside the test process, for
 * sweeps over hundreds of command lines where a process per case would take minutes. Only for
 * command lines that fail before doing any work: output is captured by swapping the process's
 * stdout/stderr writers, and the exit code is the one the CLI would exit with.
 */
export async function runBuiltInProcess(argv: readonly string[]): Promise<CliResult> {
  config ??= await Config.load(repoRoot)
  // The longest leading run of words that names a command (topics like `cost` are not commands).
  let taken = 0
  for (let n = 1; n <= Math.min(argv.length, 3); n++) if (config.findCommand(argv.slice(0, n).join(':'))) taken = n
  if (taken === 0) throw new Error(`no command in ${argv.join(' ')}`)
  const id = argv.slice(0, taken).join(':')
  const words = argv.slice(taken)
  let stdout = ''
  let stderr = ''
  const out = process.stdout.write.bind(process.stdout)
  const err = process.stderr.write.bind(process.stderr)
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof out
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof err
  let code = 0
  try {
    await config.runCommand(id, words)
  } catch (error) {
    code = (error as {oclif?: {exit?: number}}).oclif?.exit ?? 1
  } finally {
    process.stdout.write = out
    process.stderr.write = err
  }
  return {code, stdout, stderr}
}
