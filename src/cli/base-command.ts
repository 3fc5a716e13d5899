import {Command, Errors, Flags, type Interfaces} from '@oclif/core'

import type {LoadedConfig} from '../config/index.js'
import {type InputNamer, isFinopsError, redact} from '../errors.js'
import {ExitCode} from '../exit-codes.js'
import {openStore, type Db} from '../store/open.js'
import {resolveStorePath} from '../store/paths.js'

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof FinopsCommand)['baseFlags'] & T['flags']
>

/**
 * Every finops command: `--json` returns the typed result, `--db`/FINOPS_DB picks the store, and
 * errors print as one line (what is wrong; what to do) with the exit code from the one table.
 */
export abstract class FinopsCommand extends Command {
  static override enableJsonFlag = true

  static override baseFlags = {
    config: Flags.string({
      description: 'finops.yaml path (default: $FINOPS_CONFIG, else ./finops.yaml, else ~/.config/finops/finops.yaml)',
      helpGroup: 'GLOBAL',
    }),
    db: Flags.string({
      description:
        'SQLite store path (default: $FINOPS_DB, else store: in finops.yaml, else ~/.local/share/finops/finops.db)',
      helpGroup: 'GLOBAL',
    }),
  }

  /**
   * Whether the command reads finops.yaml. Commands that do not (cost report/export) skip loading
   * the config schemas (zod, yaml and every section's imports) when --db or FINOPS_DB names the
   * store, which keeps their start-up close to bare CLI start-up.
   */
  static loadsConfig: boolean | ((argv: readonly string[]) => boolean) = true

  private store?: Db
  private loadedConfig?: LoadedConfig
  private configModule?: typeof import('../config/index.js')

  override async init(): Promise<void> {
    await super.init()
    const storeNamed = Boolean(process.env.FINOPS_DB) || this.argv.some((a) => a === '--db' || a.startsWith('--db='))
    const {loadsConfig} = this.constructor as typeof FinopsCommand
    const needed = typeof loadsConfig === 'function' ? loadsConfig(this.argv) : loadsConfig
    if (needed || !storeNamed) this.configModule = await import('../config/index.js')
  }

  /** The validated finops.yaml (or defaults), loaded once per command. */
  protected finopsConfig(configFlag: string | undefined): LoadedConfig {
    if (!this.configModule) throw new Error(`${this.id} reads finops.yaml but declares loadsConfig = false`)
    this.loadedConfig ??= this.configModule.loadConfig(configFlag)
    return this.loadedConfig
  }

  /** Opens the store named by --db / FINOPS_DB / the XDG default; closed when the command ends. */
  protected openStore(dbFlag: string | undefined, configFlag?: string): Db {
    const configured = dbFlag ?? (process.env.FINOPS_DB ? undefined : this.finopsConfig(configFlag).config.store)
    this.store ??= openStore(resolveStorePath(configured))
    return this.store
  }

  protected override async finally(error: Error | undefined): Promise<unknown> {
    this.store?.close()
    return super.finally(error)
  }

  /**
   * Shows a result that may end in a non-zero exit (partial failure): the table or the JSON is
   * printed either way, then the command exits with `exit` (returning the result when it is ok).
   */
  protected finishWith<T>(result: T, exit: number, render: (result: T) => string): T {
    if (exit === ExitCode.ok) {
      if (!this.jsonEnabled()) this.log(render(result))
      return result
    }
    if (this.jsonEnabled()) this.logJson(result)
    else this.log(render(result))
    return this.exit(exit)
  }

  /** Progress and notes go to stderr so stdout stays clean for --json/--csv. */
  protected note(message: string): void {
    if (!this.jsonEnabled()) process.stderr.write(`${message}\n`)
  }

  /** Names a user input a domain error refers to as this command's flag, when it has one. */
  private flagNamer(): InputNamer {
    const {flags = {}, baseFlags = {}} = this.constructor as typeof Command
    return (input) => (input.key in flags || input.key in baseFlags ? `--${input.key}` : input.label)
  }

  protected override async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    if (error instanceof Errors.ExitError) throw error
    if (isFinopsError(error)) {
      const named = error.naming(this.flagNamer())
      const message = redact(named.message)
      const suggestion = named.suggestion ? redact(named.suggestion) : undefined
      if (this.jsonEnabled()) this.logJson({error: {code: error.code, message, suggestion, exit: error.exit}})
      else process.stderr.write(`Error: ${message}${suggestion ? ` (${suggestion})` : ''}\n`)
      if (process.env.FINOPS_DEBUG && error.cause instanceof Error) process.stderr.write(`${error.cause.stack}\n`)
      return this.exit(error.exit)
    }
    // oclif's own flag/argument errors already carry a clear message and exit 2.
    if (error.oclif?.exit !== undefined || error instanceof Errors.CLIError) return super.catch(error)
    const message = redact(error.message ?? String(error))
    process.stderr.write(
      `Error: ${message} (internal error: please report it; set FINOPS_DEBUG=1 to see the stack trace)\n`,
    )
    if (process.env.FINOPS_DEBUG) process.stderr.write(`${redact(error.stack ?? '')}\n`)
    return this.exit(ExitCode.internal)
  }
}
