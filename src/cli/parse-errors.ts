import {Errors} from '@oclif/core'

import {redact} from '../errors.js'
import {ExitCode} from '../exit-codes.js'

/** What the error renderer prints for an error oclif raised itself (flag parsing, this.error). */
export interface CliErrorLine {
  code: string
  message: string
  exit: number
}

/**
 * oclif's own errors (unknown flag, bad option, missing argument, this.error) as one redacted line.
 * oclif spreads them over several lines with a usage note and "See more help with --help", and its
 * JSON form dumps the whole parse context (the raw argv included): neither may reach the user.
 */
export function describeCliError(error: Errors.CLIError, commandId: string | undefined): CliErrorLine {
  const lines = error.message
    .split('\n')
    .map((line) => line.replace(/^\s*›?\s*/, '').trim())
    .filter((line) => line !== '' && line !== 'The following error occurred:' && !/^See more help with/.test(line))
  // The "Note: ... multiple values ..." paragraph oclif adds to missing-argument errors is advice, not the error.
  const note = lines.findIndex((line) => line.startsWith('Note:'))
  const kept = note === -1 ? lines : lines.slice(0, note)
  const message = kept.join(': ').replace(/:\s*:/g, ':').replace(/\s+/g, ' ').trim()
  const exit = error.oclif?.exit ?? ExitCode.usage
  const help = commandId ? ` (see finops ${commandId.replaceAll(':', ' ')} --help)` : ''
  return {
    code: exit === ExitCode.usage ? 'USAGE' : 'ERROR',
    message: `${redact(message || 'invalid command line')}${exit === ExitCode.usage ? help : ''}`,
    exit,
  }
}
