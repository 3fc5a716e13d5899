import {type ChildProcess, spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import {repoRoot} from './cli.js'

/** Spawns the built CLI (as users run it) without waiting for it, so a test can kill it mid-way. */
export function spawnCli(args: readonly string[], env: Record<string, string | undefined> = {}): ChildProcess {
  const merged: NodeJS.ProcessEnv = {...process.env, FINOPS_DB: undefined, NO_COLOR: '1', ...env}
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k]
  return spawn(process.execPath, [path.join(repoRoot, 'bin', 'run.js'), ...args], {env: merged, stdio: 'ignore'})
}

/**
 * SIGKILLs the process once `when` holds (polled every few ms) or after `timeoutMs`, whichever is
 * first; resolves with how it ended ('killed' or its exit code when it finished first).
 */
export function killWhen(child: ChildProcess, when: () => boolean, timeoutMs: number): Promise<'killed' | number> {
  return new Promise((resolve) => {
    let done = false
    const started = Date.now()
    child.on('exit', (code, signal) => {
      done = true
      resolve(signal === 'SIGKILL' ? 'killed' : (code ?? -1))
    })
    const poll = (): void => {
      if (done) return
      if (when() || Date.now() - started >= timeoutMs) child.kill('SIGKILL')
      else setTimeout(poll, 2)
    }
    poll()
  })
}

/** True once a file whose name matches `pattern` exists in `dir`. */
export const fileAppears = (dir: string, pattern: RegExp) => (): boolean =>
  fs.existsSync(dir) && fs.readdirSync(dir).some((name) => pattern.test(name))
