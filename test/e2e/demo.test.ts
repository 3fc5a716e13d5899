import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {demoSteps} from '../../src/demo/registry.js'
import {runCli, tempDir} from '../helpers/cli.js'

describe('finops demo (built CLI, as the README quick start runs it)', () => {
  let tmp: ReturnType<typeof tempDir>
  beforeAll(() => {
    tmp = tempDir()
  })
  afterAll(() => tmp.cleanup())

  it('runs every section on generated data and can be run again in the same directory', async () => {
    const dir = path.join(tmp.dir, 'demo')
    const first = await runCli(['demo', '--dir', dir], {env: {FINOPS_NOW: '2026-11-01'}})
    expect(first.code, first.stderr).toBe(0)
    for (const step of demoSteps) expect(first.stdout).toContain(`== ${step.title} ==`)
    for (const provider of ['AWS', 'Microsoft', 'Google Cloud']) expect(first.stdout).toContain(provider)
    expect(first.stdout).toMatch(/Imported [\d,]+ FOCUS rows from \d+ files \(2026-05-01 to 2026-10-31\)/)
    expect(first.stdout).toContain(`Demo store: ${path.join(dir, 'finops-demo.db')}`)
    expect(fs.existsSync(path.join(dir, 'finops-demo.db'))).toBe(true)

    const again = await runCli(['demo', '--dir', dir], {env: {FINOPS_NOW: '2026-11-01'}})
    expect(again.code, again.stderr).toBe(0)
    // Deterministic: the same data and the same numbers each run (action ids and audit timestamps are unique by design).
    const masked = (text: string) =>
      text
        .replaceAll(/\b(act|run)-[0-9a-f]{6,}\b/g, '$1-<id>')
        .replaceAll(/\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}/g, '<time>')
    expect(masked(again.stdout)).toBe(masked(first.stdout))
  }, 300_000)

  it('never deletes a directory it did not create', async () => {
    const mine = path.join(tmp.dir, 'precious')
    fs.mkdirSync(mine)
    fs.writeFileSync(path.join(mine, 'notes.txt'), 'keep me')
    const result = await runCli(['demo', '--dir', mine])
    expect(result.code).toBe(2)
    expect(result.stderr.trim()).toMatch(
      /^Error: .*precious exists and was not created by finops demo \(choose an empty or new directory with --dir\)$/,
    )
    expect(fs.readFileSync(path.join(mine, 'notes.txt'), 'utf8')).toBe('keep me')
  })
})
