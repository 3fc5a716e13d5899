import fs from 'node:fs'
import path from 'node:path'
import {inject} from 'vitest'

import {type CommandContractId, commandContracts} from '../../src/output/contracts.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Folder where each command's contract id is marked once a real --json output of it validated. */
    contractLedger: string
  }
}

/** The CLI's output, as the runner collected it. */
export interface JsonRun {
  code: number
  stdout: string
}

/** The contract a command line's output is held to: the longest run of leading words the map names. */
export function contractIdOf(args: readonly string[]): CommandContractId | undefined {
  const words: string[] = []
  for (const arg of args) {
    if (arg.startsWith('-')) break
    words.push(arg)
  }
  for (let n = words.length; n > 0; n--) {
    const id = words.slice(0, n).join('-')
    if (Object.hasOwn(commandContracts, id)) return id as CommandContractId
  }
  return undefined
}

/** Whether the command line asks for JSON on stdout: `--json` or `--output json`, and no --out file. */
export function asksForJson(args: readonly string[]): boolean {
  if (writesToFile(args)) return false
  return asksForJsonAnywhere(args)
}

const asksForJsonAnywhere = (args: readonly string[]): boolean => {
  const at = args.indexOf('--output')
  return args.includes('--json') || (at >= 0 && args[at + 1] === 'json') || args.includes('--output=json')
}

const writesToFile = (args: readonly string[]): boolean =>
  args.includes('--out') || args.some((a) => a.startsWith('--out='))

/**
 * With --out, a command either writes its JSON into the file and keeps stdout empty (cost report) or
 * writes another format there and describes the file on stdout as JSON (cost export, report): the
 * second is the command's contract too.
 */
const describesFileAsJson = (args: readonly string[], stdout: string): boolean =>
  writesToFile(args) && asksForJsonAnywhere(args) && /^\s*\{/.test(stdout)

/**
 * Holds a command's --json stdout to its published contract (src/output/contracts.ts). A JSON
 * `{error}` is the error document every command shares, not the command's result, so it is left
 * alone. Returns the contract id that validated, or undefined when there was nothing to validate.
 */
export function checkJsonContract(args: readonly string[], run: JsonRun): CommandContractId | undefined {
  const id = contractIdOf(args)
  if (!id || !(asksForJson(args) || describesFileAsJson(args, run.stdout)) || run.stdout.trim() === '') return undefined
  let value: unknown
  try {
    value = JSON.parse(run.stdout)
  } catch {
    if (run.code === 0) throw new Error(`finops ${args.join(' ')} --json printed something that is not JSON`)
    return undefined
  }
  if (run.code !== 0 && isErrorDocument(value)) return undefined
  const parsed = commandContracts[id].safeParse(value)
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')
    throw new Error(`finops ${args.join(' ')}: --json output breaks the published ${id} contract: ${issues}`)
  }
  return id
}

const isErrorDocument = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && Object.keys(value).length === 1 && 'error' in value

/** Marks a contract as held by a real run, in the ledger the global setup made (outside vitest: nothing). */
export function recordValidated(id: CommandContractId): void {
  let ledger: string | undefined
  try {
    ledger = inject('contractLedger')
  } catch {
    return
  }
  if (ledger) fs.writeFileSync(path.join(ledger, id), '')
}

/** The contracts of the map no run validated, given the ids the ledger holds. */
export function unvalidatedContracts(validated: Iterable<string>): CommandContractId[] {
  const seen = new Set(validated)
  return (Object.keys(commandContracts) as CommandContractId[]).filter((id) => !seen.has(id)).sort()
}
