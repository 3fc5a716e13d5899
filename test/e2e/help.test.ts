import {describe, expect, it} from 'vitest'

import {ExitCode} from '../../src/exit-codes.js'
import {runCli} from '../helpers/cli.js'

describe('--help shows the one exit-code table', () => {
  it.each([[['--help']], [['cost', 'report', '--help']], [['apply', '--help']]])('finops %j', async (args) => {
    const result = await runCli(args)
    expect(result.code).toBe(0)
    const section = result.stdout.slice(result.stdout.indexOf('EXIT CODES'))
    expect(section).not.toBe('')
    for (const [name, code] of Object.entries(ExitCode))
      expect(section).toMatch(new RegExp(`^\\s+${code}\\s+${name}\\s+\\S`, 'm'))
  })
})
