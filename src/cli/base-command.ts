import {Command, Errors, Flags, type Interfaces} from '@oclif/core'

import type {LoadedConfig} from '../config/index.js'
import {locateConfig} from '../config/locate.js'
import {type InputNamer, isFinopsError, redact, usageError} from '../errors.js'
import {pinnedNow} from '../dates.js'
import {ExitCode} from '../exit-codes.js'
import {formatsFor, type OutputFormatName, outputFormats} from '../output/registry.js'
import type {ResultData, ResultKind, ResultOptions} from '../output/result-kinds.js'
import {checkOutputTarget, writeRenderedFile} from '../output-file.js'
import {openStore, type Db, type StoreIntent} from '../store/open.js'
import {resolveStorePath} from '../store/paths.js'
import {rejectBlankValues} from './arguments.js'
import {describeCliError} from './parse-errors.js'

// oclif's own parser types (not re-exported by name).
type FlagOutput = {[name: string]: unknown}
type ArgOutput = {[name: string]: unknown}

/** The format named by `--output X` / `--output=X` on a command line (before any `--`). */
function outputNamedIn(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') return undefined
    if (arg === '--output') return argv[i + 1]
    if (arg.startsWith('--output=')) return arg.slice('--output='.length)
  }
  return undefined
}

/**
 * Every finops command: `--json` returns the typed result, `--db`/FINOPS_DB picks the store, and
 * errors print as one line (what is wrong; what to do) with the exit code from the one table.
 */
/**
 * Node ends the process on a rejection nobody awaited (an SDK's background promise, say) and
 * prints the whole error object, options and URLs included. finops ends it too, with the same one
 * redacted line as any other internal error.
 */
function reportStrayRejectionsAsOneLine(): void {
  if (process.listenerCount('unhandledRejection') > 0) return
  process.on('unhandledRejection', (reason: unknown) => {
    const message = reason instanceof Error ? (reason.message.split('\n')[0] ?? '') : String(reason)
    process.stderr.write(
      `Error: ${redact(message)} (internal error: please report it; set FINOPS_DEBUG=1 to see the stack trace)\n`,
    )
    if (process.env.FINOPS_DEBUG && reason instanceof Error) process.stderr.write(`${redact(reason.stack ?? '')}\n`)
    process.exit(ExitCode.internal)
  })
}

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

  /**
   * What the command does with the store: only `create` commands (collect, budget set, run) may
   * make a new one; `read` commands open it query-only and fail on a missing path, creating nothing.
   */
  static storeIntent: StoreIntent = 'read'

  private store?: Db
  private loadedConfig?: LoadedConfig
  private configModule?: typeof import('../config/index.js')
  /** The output flags as parsed (commands with outputFlags). */
  private output?: {format: OutputFormatName; out?: string}
  /** Set once the result went to --out, so oclif does not print it on stdout as well. */
  private wroteOutputFile = false

  override async init(): Promise<void> {
    await super.init()
    reportStrayRejectionsAsOneLine()
    const storeNamed = Boolean(process.env.FINOPS_DB) || this.argv.some((a) => a === '--db' || a.startsWith('--db='))
    const {loadsConfig} = this.constructor as typeof FinopsCommand
    const needed = typeof loadsConfig === 'function' ? loadsConfig(this.argv) : loadsConfig
    if (needed || !storeNamed) this.configModule = await import('../config/index.js')
  }

  /** `--json` and `--output json` are the same: JSON on stdout, errors as a JSON `{error}`. */
  override jsonEnabled(): boolean {
    if (super.jsonEnabled()) return true
    return this.ctor.enableJsonFlag && this.ctor.flags?.output !== undefined && outputNamedIn(this.argv) === 'json'
  }

  /**
   * Parses as oclif does, then applies the rules every command line obeys before any store or
   * cluster access (no blank values; --out is a file finops may replace), and remembers which
   * output format and file the flags chose.
   */
  protected override async parse<F extends FlagOutput, B extends FlagOutput, A extends ArgOutput>(
    options?: Interfaces.Input<F, B, A>,
    argv?: string[],
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    const parsed = await super.parse(options, argv)
    rejectBlankValues(parsed)
    // A FINOPS_NOW that cannot be read is refused before anything is read or written, by every command.
    pinnedNow()
    const flags = parsed.flags as {output?: string; csv?: boolean; markdown?: boolean; out?: string; config?: string}
    await this.checkConfig(flags.config)
    if (flags.out !== undefined) checkOutputTarget(flags.out)
    if (flags.output !== undefined) {
      const format = (
        this.jsonEnabled() ? 'json' : flags.csv ? 'csv' : flags.markdown ? 'markdown' : flags.output
      ) as OutputFormatName
      if (outputFormats[format].writes === 'binary' && !flags.out)
        throw usageError(`--output ${format} writes a binary file`, 'name it with --out FILE')
      this.output = {format, out: flags.out}
    }
    return parsed
  }

  /**
   * Hands a result to the chosen output format: rendered on stdout, or written to --out. JSON on
   * stdout is left to oclif, which prints the value run() returns (and errors as `{error}`).
   */
  protected async present<K extends ResultKind>(
    kind: K,
    data: ResultData<K>,
    options: ResultOptions<K> = {} as ResultOptions<K>,
  ): Promise<void> {
    const name: OutputFormatName = this.jsonEnabled() ? 'json' : (this.output?.format ?? 'table')
    const out = this.output?.out
    if (name === 'json' && !out) return
    const format = outputFormats[name]
    if (!format.supports(kind))
      throw usageError(
        `--output ${name} does not apply to this result (${kind})`,
        `use --output ${formatsFor([kind]).join(', --output ')}`,
      )
    const rendered = (await format.load(kind))(data, options)
    if (out) {
      const written = await writeRenderedFile(out, rendered)
      this.wroteOutputFile = true
      this.note(`wrote ${written}`)
    } else if (typeof rendered === 'string') {
      process.stdout.write(rendered.endsWith('\n') ? rendered : `${rendered}\n`)
    } else {
      throw usageError(`--output ${name} writes a binary file`, 'name it with --out FILE')
    }
  }

  /**
   * Presents a result that may end in a non-zero exit (partial failure): the output is printed
   * either way, then `warning` and `problem` as one line each on stderr, then the command exits with `exit`
   * (returning the result when it is ok).
   */
  protected async finish<K extends ResultKind>(
    kind: K,
    data: ResultData<K>,
    end: {exit: number; warning?: string; problem?: string; options?: ResultOptions<K>},
  ): Promise<ResultData<K>> {
    await this.present(kind, data, end.options)
    if (end.warning) process.stderr.write(`Warning: ${redact(end.warning)}\n`)
    if (end.problem) process.stderr.write(`Error: ${redact(end.problem)}\n`)
    if (end.exit === ExitCode.ok) return data
    if (this.jsonEnabled() && !this.wroteOutputFile) this.logJson(data)
    return this.exit(end.exit)
  }

  protected override logJson(json: unknown): void {
    if (this.wroteOutputFile) return
    super.logJson(json)
  }

  /**
   * Every command gives finops.yaml the same verdict, whether or not it reads a setting from it: a
   * named file that is missing and a file that does not validate are invalid input (exit 3) before
   * anything else happens. When no file applies, nothing more is loaded (locate.ts needs neither
   * the YAML parser nor the schemas), which keeps start-up fast for commands that need no config.
   */
  private async checkConfig(configFlag: string | undefined): Promise<void> {
    const located = locateConfig(configFlag)
    if (!located) return
    this.configModule ??= await import('../config/index.js')
    this.loadedConfig = {config: this.configModule.parseConfigText(located.text, located.file), file: located.file}
  }

  /** The validated finops.yaml (or defaults), loaded once per command. */
  protected finopsConfig(configFlag: string | undefined): LoadedConfig {
    if (!this.configModule) throw new Error(`${this.id} reads finops.yaml but declares loadsConfig = false`)
    this.loadedConfig ??= this.configModule.loadConfig(configFlag)
    return this.loadedConfig
  }

  /** Opens the store named by --db / FINOPS_DB / the XDG default; closed when the command ends. */
  protected openStore(dbFlag: string | undefined, configFlag?: string): Db {
    const file = resolveStorePath(dbFlag, process.env, () => this.finopsConfig(configFlag).config.store)
    this.store ??= openStore(file, {
      intent: (this.constructor as typeof FinopsCommand).storeIntent,
    })
    return this.store
  }

  protected override async finally(error: Error | undefined): Promise<unknown> {
    this.store?.close()
    return super.finally(error)
  }

  /** Progress and notes go to stderr so stdout stays clean for --json/--csv; redacted like every message. */
  protected note(message: string): void {
    if (!this.jsonEnabled()) process.stderr.write(`${redact(message)}\n`)
  }

  override warn(input: string | Error): string | Error {
    return super.warn(typeof input === 'string' ? redact(input) : new Error(redact(input.message)))
  }

  /** Names a user input a domain error refers to as this command's flag, when it has one. */
  private flagNamer(): InputNamer {
    const {flags = {}, baseFlags = {}} = this.constructor as typeof Command
    return (input) => (input.key in flags || input.key in baseFlags ? `--${input.key}` : input.label)
  }

  protected override async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    if (error instanceof Errors.ExitError) throw error
    // An error is printed even when the result already went to --out.
    this.wroteOutputFile = false
    if (isFinopsError(error)) {
      const named = error.naming(this.flagNamer())
      const message = redact(named.message)
      const suggestion = named.suggestion ? redact(named.suggestion) : undefined
      if (this.jsonEnabled()) this.logJson({error: {code: error.code, message, suggestion, exit: error.exit}})
      else process.stderr.write(`Error: ${message}${suggestion ? ` (${suggestion})` : ''}\n`)
      if (process.env.FINOPS_DEBUG && error.cause instanceof Error) process.stderr.write(`${error.cause.stack}\n`)
      return this.exit(error.exit)
    }
    // oclif's own flag/argument errors and this.error(): one redacted line (or JSON {error}), never its parse context.
    if (error.oclif?.exit !== undefined || error instanceof Errors.CLIError) {
      const line = describeCliError(error as Errors.CLIError, this.id)
      if (this.jsonEnabled()) this.logJson({error: line})
      else process.stderr.write(`Error: ${line.message}\n`)
      return this.exit(line.exit)
    }
    const message = redact(error.message ?? String(error))
    process.stderr.write(
      `Error: ${message} (internal error: please report it; set FINOPS_DEBUG=1 to see the stack trace)\n`,
    )
    if (process.env.FINOPS_DEBUG) process.stderr.write(`${redact(error.stack ?? '')}\n`)
    return this.exit(ExitCode.internal)
  }
}
