import {type Command, Help} from '@oclif/core'

import {ExitCode, exitCodeDescriptions, type ExitCodeName} from '../exit-codes.js'

/** The exit-code table, as a help section: scripts and Kubernetes read the code, people read this. */
export function exitCodesSection(): string {
  const names = Object.keys(ExitCode) as ExitCodeName[]
  const width = Math.max(...names.map((n) => n.length))
  return [
    'EXIT CODES',
    ...names.map((n) => `  ${String(ExitCode[n]).padStart(2)}  ${n.padEnd(width)}  ${exitCodeDescriptions[n]}`),
  ].join('\n')
}

/** oclif's help with the exit-code table appended to the root help and to every command's help. */
export default class FinopsHelp extends Help {
  override formatRoot(): string {
    return `${super.formatRoot()}\n\n${exitCodesSection()}`
  }

  protected override formatCommand(command: Command.Loadable): string {
    return `${super.formatCommand(command)}\n\n${exitCodesSection()}`
  }
}
