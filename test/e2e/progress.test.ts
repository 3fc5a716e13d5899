import {spawnSync} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {repoRoot, runCli, tempDir} from '../helpers/cli.js'

/** `collect focus` draws a progress bar on a terminal for large files and stays quiet otherwise. */
describe('collect focus progress', () => {
  let tmp: ReturnType<typeof tempDir>
  let file: string
  beforeAll(async () => {
    tmp = tempDir()
    file = path.join(tmp.dir, 'large.csv')
    // The benchmark's generator (it imports the built dist/): ~25 MB, over the 20 MB threshold.
    const {generateFocusCsv} = (await import(path.join(repoRoot, 'bench', 'ingest', 'generate.mjs'))) as {
      generateFocusCsv: (rows: number, out: string) => Promise<number>
    }
    expect(await generateFocusCsv(30_000, file)).toBeGreaterThan(20_000_000)
  })
  afterAll(() => tmp.cleanup())

  it('draws a bar that ends at 100% on a terminal (script(1) provides the pty)', () => {
    const log = path.join(tmp.dir, 'tty.log')
    const command = `${process.execPath} ${path.join(repoRoot, 'bin', 'run.js')} collect focus ${file} --db ${path.join(tmp.dir, 'tty.db')}`
    const result = spawnSync('script', ['-qec', command, log], {
      encoding: 'utf8',
      env: {...process.env, FINOPS_DB: undefined},
    })
    expect(result.error, 'script(1) from util-linux is needed for this test').toBeUndefined()
    expect(result.status).toBe(0)
    const screen = fs.readFileSync(log, 'utf8')
    expect(screen).toMatch(/large\.csv \[[█░]+\] \d+%/)
    expect(screen).toContain('] 100%')
    expect(screen).toContain('Imported 30,000 rows')
  })

  it('prints no bar when stderr is not a terminal', async () => {
    const result = await runCli(['collect', 'focus', file, '--db', path.join(tmp.dir, 'pipe.db')])
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('')
    expect(result.stdout).not.toMatch(/[█░]/)
  })
})
