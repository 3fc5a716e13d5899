import os from 'node:os'
import path from 'node:path'

/** The XDG data directory for finops: $XDG_DATA_HOME/finops or ~/.local/share/finops. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME)
      ? env.XDG_DATA_HOME
      : path.join(os.homedir(), '.local', 'share')
  return path.join(base, 'finops')
}

/** Where the store lives: --db, then FINOPS_DB, then the XDG default. */
export function resolveStorePath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return path.resolve(flag)
  if (env.FINOPS_DB) return path.resolve(env.FINOPS_DB)
  return path.join(dataDir(env), 'finops.db')
}
