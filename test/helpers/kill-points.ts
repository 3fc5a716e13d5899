import {type ChildProcess, spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

import {repoRoot} from './cli.js'

/**
 * Spawns the built CLI (as users run it) without waiting for it, so a test can kill it mid-way. With
 * `ownGroup` it leads a process group of its own, which killGroup ends with everything it started.
 */
export function spawnCli(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
  options: {ownGroup?: boolean} = {},
): ChildProcess {
  const merged: NodeJS.ProcessEnv = {...process.env, FINOPS_DB: undefined, NO_COLOR: '1', ...env}
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k]
  return spawn(process.execPath, [path.join(repoRoot, 'bin', 'run.js'), ...args], {
    env: merged,
    stdio: 'ignore',
    detached: options.ownGroup ?? false,
  })
}

/**
 * SIGKILLs a process spawned with `ownGroup` and every process it started (`finops run`'s step
 * commands), as the end of a pod does; resolves once the leader has exited.
 */
export function killGroup(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    process.kill(-child.pid!, 'SIGKILL')
  })
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

/**
 * Spawns the CLI and SIGKILLs it once `held` resolves: a stand-in's holdNext, so the request it
 * holds is in flight. 'killed' only then; 'not held' when the request never came within a minute.
 */
export async function killWhenHeld(
  held: Promise<void>,
  args: readonly string[],
  env: Record<string, string | undefined>,
): Promise<'killed' | 'not held' | number> {
  let arrived = false
  void held.then(() => (arrived = true))
  const outcome = await killWhen(spawnCli(args, env), () => arrived, 60_000)
  return outcome === 'killed' && !arrived ? 'not held' : outcome
}

/** True once a file whose name matches `pattern` exists in `dir`. */
export const fileAppears = (dir: string, pattern: RegExp) => (): boolean =>
  fs.existsSync(dir) && fs.readdirSync(dir).some((name) => pattern.test(name))
