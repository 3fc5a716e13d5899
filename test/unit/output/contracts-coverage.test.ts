import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {commandContracts} from '../../../src/output/contracts.js'
import {repoRoot} from '../../helpers/cli.js'

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

  it("holds every command's real --json output to its contract in an end-to-end test", () => {
    // Each contract's schema module export, as the map names it, must be parsed in test/e2e/ (by that
    // name or through commandContracts['<id>']), so a new command cannot ship an unchecked contract.
    const source = fs.readFileSync(path.join(repoRoot, 'src', 'output', 'contracts.ts'), 'utf8')
    const e2eDir = path.join(repoRoot, 'test', 'e2e')
    const e2e = fs
      .readdirSync(e2eDir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => fs.readFileSync(path.join(e2eDir, f), 'utf8'))
      .join('\n')
    const unchecked = Object.keys(commandContracts).filter((id) => {
      const entry =
        new RegExp(`^  '?${id}'?:([\\s\\S]*?)\\n(?:  '?[a-z0-9-]+'?:|} as const)`, 'm').exec(source)?.[1] ?? ''
      const schemas = entry.match(/\b\w+Schema\b/g) ?? []
      const byName = schemas.some((name) => new RegExp(`\\b${name}\\.(safeParse|parse)\\(`).test(e2e))
      const byId = e2e.includes(`commandContracts['${id}'].parse(`) || e2e.includes(`commandContracts.${id}.parse(`)
      return !byName && !byId
    })
    expect(unchecked).toEqual([])
  })
})
