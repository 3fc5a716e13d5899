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

/**
 * Where the store lives: --db, then FINOPS_DB, then `store:` of finops.yaml (read only when needed:
 * `configured` loads the config), then the XDG default.
 */
export function resolveStorePath(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  configured?: () => string | undefined,
): string {
  if (flag) return path.resolve(flag)
  if (env.FINOPS_DB) return path.resolve(env.FINOPS_DB)
  const fromConfig = configured?.()
  if (fromConfig) return path.resolve(fromConfig)
  return path.join(dataDir(env), 'finops.db')
}
