import {spawn} from 'node:child_process'

import {redact} from '../errors.js'

export interface CliOutcome {
  code: number
  /** The command's --json result (or its {error} object), when stdout was JSON. */
  json?: unknown
  /** One line for the log: the error message, or the last stderr line. */
  message?: string
}

/** Runs other finops commands for `finops run`; missing commands are simply absent from this build. */
export interface CliInvoker {
  available(commandId: string): boolean
  run(argv: readonly string[]): Promise<CliOutcome>
}

/**
 * Each step runs as its own `finops <command> --json` process: a step that crashes or leaks memory
 * cannot take the run (or the lock) down with it, and its exit code and JSON are the same contract
 * users script against.
 */
export function processInvoker(
  binPath: string,
  has: (commandId: string) => boolean,
  common: readonly string[],
): CliInvoker {
  return {
    available: has,
    run: (argv) =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [binPath, ...argv, '--json', ...common], {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: process.env,
        })
        let stdout = ''
        let stderr = ''
        child.stdout.on('data', (d: Buffer) => (stdout += d))
        child.stderr.on('data', (d: Buffer) => (stderr += d))
        child.on('error', reject)
        child.on('close', (code, signal) => {
          let json: unknown
          try {
            json = stdout.trim() ? JSON.parse(stdout) : undefined
          } catch {
            json = undefined
          }
          const errorMessage = (json as {error?: {message?: string}} | undefined)?.error?.message
          const lastLine = stderr.trim().split('\n').filter(Boolean).pop()
          const message =
            errorMessage ?? (code === 0 ? undefined : (lastLine ?? (signal ? `killed by ${signal}` : undefined)))
          resolve({code: code ?? 1, json, message: message && redact(message)})
        })
      }),
  }
}
