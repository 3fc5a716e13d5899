import {spawn} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {checkJsonContract, recordValidated} from './json-contracts.js'

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const fixturesDir = path.join(repoRoot, 'fixtures')
const binary = path.join(repoRoot, 'bin', 'run.js')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/**
 * Runs the built CLI (`bin/run.js`, as users run it) and collects its output. FINOPS_DB is unset
 * unless given, so a test never touches the user's real store. A --json output is held to the
 * command's published contract: one that breaks it fails the test that ran it.
 */
export function runCli(
  args: readonly string[],
  options: {env?: Record<string, string | undefined>; cwd?: string; input?: string; uid?: number; gid?: number} = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      FINOPS_DB: undefined,
      FORCE_COLOR: '0',
      NO_COLOR: '1',
      ...options.env,
    }
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k]
    const child = spawn(process.execPath, [binary, ...args], {
      cwd: options.cwd ?? repoRoot,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.uid === undefined ? {} : {uid: options.uid, gid: options.gid ?? options.uid}),
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (exit) => {
      const code = exit ?? -1
      try {
        const validated = checkJsonContract(args, {code, stdout})
        if (validated) recordValidated(validated)
      } catch (error) {
        reject(error)
        return
      }
      resolve({code, stdout, stderr})
    })
    child.stdin.end(options.input ?? '')
  })
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = 'finops-test-'): {dir: string; cleanup: () => void} {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  return {dir, cleanup: () => fs.rmSync(dir, {recursive: true, force: true})}
}

/** Parses a command's --json stdout, failing the test with the output when it is not JSON. */
export function parseJson<T = unknown>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`)
  }
}
