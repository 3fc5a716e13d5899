import {spawnSync} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {repoRoot, runCli, tempDir} from '../helpers/cli.js'

/** `collect focus` draws one progress bar for the whole import on a terminal and stays quiet otherwise. */
describe('collect focus progress', () => {
  let tmp: ReturnType<typeof tempDir>
  let file: string
  let parts: string
  beforeAll(async () => {
    tmp = tempDir()
    file = path.join(tmp.dir, 'large.csv')
    // The benchmark's generator (it imports the built dist/): ~25 MB.
    const {generateFocusCsv} = (await import(path.join(repoRoot, 'bench', 'ingest', 'generate.mjs'))) as {
      generateFocusCsv: (rows: number, out: string) => Promise<number>
    }
    expect(await generateFocusCsv(30_000, file)).toBeGreaterThan(20_000_000)
    // The same export as three parts, as AWS Data Exports writes them.
    parts = path.join(tmp.dir, 'parts')
    fs.mkdirSync(parts)
    const [header, ...lines] = fs.readFileSync(file, 'utf8').trimEnd().split('\n')
    for (let p = 0; p < 3; p++)
      fs.writeFileSync(
        path.join(parts, `part-${p}.csv`),
        [header, ...lines.filter((_, i) => i % 3 === p)].join('\n') + '\n',
      )
  })
  afterAll(() => tmp.cleanup())

  const onTerminal = (target: string, name: string): string => {
    const log = path.join(tmp.dir, `${name}.log`)
    const command = `${process.execPath} ${path.join(repoRoot, 'bin', 'run.js')} collect focus ${target} --db ${path.join(tmp.dir, `${name}.db`)}`
    const result = spawnSync('script', ['-qec', command, log], {
      encoding: 'utf8',
      env: {...process.env, FINOPS_DB: undefined},
    })
    expect(result.error, 'script(1) from util-linux is needed for this test').toBeUndefined()
    expect(result.status).toBe(0)
    return fs.readFileSync(log, 'utf8')
  }

  it('draws a bar with megabytes, rates and ETA that ends at 100% on a terminal (script(1) provides the pty)', () => {
    const screen = onTerminal(file, 'tty')
    expect(screen).toMatch(/(reading|writing) \[[█░]+\] \d+% \| \d+\/2\d MB \|/)
    expect(screen).toMatch(/\d+ MB\/s, [\d,]+ rows\/s|daily rows written/)
    expect(screen).toContain('] 100%')
    expect(screen).toContain('Imported 30,000 rows')
  })

  it('draws one bar across all the parts of a multi-part export', () => {
    const screen = onTerminal(parts, 'parts')
    const bars = screen.match(/\d+\/(\d+) MB/g) ?? []
    expect(bars.length).toBeGreaterThan(0)
    // Every update counts against the total of all three parts, never one part's size.
    expect(new Set(bars.map((b) => b.split('/')[1]))).toEqual(new Set([bars[0]!.split('/')[1]]))
    expect(screen).toContain('Imported 30,000 rows from 3 files')
  })

  it('prints no bar when stderr is not a terminal', async () => {
    const result = await runCli(['collect', 'focus', file, '--db', path.join(tmp.dir, 'pipe.db')])
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('')
    expect(result.stdout).not.toMatch(/[█░]/)
  })
})
