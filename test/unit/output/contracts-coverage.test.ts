import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {commandContracts} from '../../../src/output/contracts.js'
import {repoRoot} from '../../helpers/cli.js'
import {asksForJson, checkJsonContract, contractIdOf, unvalidatedContracts} from '../../helpers/json-contracts.js'

/** Command ids as the contracts map spells them: `cost report` is `cost-report`. */
function commandsWithJson(): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'oclif.manifest.json'), 'utf8')) as {
    commands: Record<string, {flags?: Record<string, unknown>}>
  }
  return Object.entries(manifest.commands)
    .filter(([, command]) => command.flags?.json !== undefined)
    .map(([id]) => id.replaceAll(':', '-'))
    .sort()
}

describe('the command-to-contract map (src/output/contracts.ts)', () => {
  it('names a published contract for every command that takes --json (the built manifest), and no other', () => {
    const commands = commandsWithJson()
    expect(commands.length).toBeGreaterThan(25)
    expect(Object.keys(commandContracts).sort()).toEqual(commands)
  })
})

// runCli (test/helpers/cli.ts) passes every command line and its output through checkJsonContract and
// marks what validated; test/helpers/contract-ledger.setup.ts fails a whole run that left a contract
// unheld. These pin the parts that decide what is checked.
describe("the check every test's --json output goes through", () => {
  it('finds the command of a command line by its leading words, as the map names it', () => {
    expect(contractIdOf(['cost', 'report', '--json', '--group-by', 'service'])).toBe('cost-report')
    expect(contractIdOf(['recommend', '--kind', 'commitment', '--json'])).toBe('recommend')
    expect(contractIdOf(['store', 'backup', '--to', 'dir', '--json'])).toBe('store-backup')
    expect(contractIdOf(['run', '--json'])).toBeUndefined()
  })

  it('looks at stdout when JSON was asked for there, not when it went to a file', () => {
    expect(asksForJson(['budget', 'list', '--json'])).toBe(true)
    expect(asksForJson(['budget', 'list', '--output', 'json'])).toBe(true)
    expect(asksForJson(['budget', 'list'])).toBe(false)
    expect(asksForJson(['budget', 'list', '--output', 'json', '--out', 'b.json'])).toBe(false)
  })

  it('holds the JSON that describes an --out file to the contract, and leaves a file that holds the JSON alone', () => {
    const exportArgs = ['cost', 'export', '--out', 'budget.csv', '--json']
    expect(() => checkJsonContract(exportArgs, {code: 0, stdout: '{"out": 3}'})).toThrow(/cost-export contract/)
    expect(checkJsonContract(['cost', 'report', '--json', '--out', 'r.json'], {code: 0, stdout: ''})).toBeUndefined()
    expect(checkJsonContract(['report', '--out', 'r.html'], {code: 0, stdout: 'written to r.html'})).toBeUndefined()
  })

  it('passes an output that keeps the contract, and fails one that breaks it', () => {
    const args = ['budget', 'remove', 'team-a', '--json']
    expect(checkJsonContract(args, {code: 0, stdout: '{"removed": "team-a"}\n'})).toBe('budget-remove')
    expect(() => checkJsonContract(args, {code: 0, stdout: '{"removed": 3}'})).toThrow(
      /breaks the published budget-remove contract: removed:/,
    )
    expect(() => checkJsonContract(args, {code: 0, stdout: '{"removed": "team-a", "extra": 1}'})).toThrow(
      /budget-remove contract/,
    )
    expect(() => checkJsonContract(args, {code: 0, stdout: 'Removed team-a'})).toThrow(/not JSON/)
  })

  it('leaves the shared {error} document of a failed command to the tests of errors', () => {
    const args = ['budget', 'remove', 'nope', '--json']
    expect(checkJsonContract(args, {code: 8, stdout: '{"error": {"code": "NOT_FOUND", "message": "x"}}'})).toBe(
      undefined,
    )
    expect(() => checkJsonContract(args, {code: 0, stdout: '{"error": "x"}'})).toThrow(/budget-remove contract/)
  })

  it('names every contract of the map that no run held, and only those', () => {
    const all = Object.keys(commandContracts)
    expect(unvalidatedContracts(all)).toEqual([])
    expect(unvalidatedContracts(all.filter((id) => id !== 'collect-usage' && id !== 'apply'))).toEqual([
      'apply',
      'collect-usage',
    ])
  })
})
