import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {now, pinnedNow, today} from '../../src/dates.js'
import {isFinopsError} from '../../src/errors.js'
import {repoRoot} from '../helpers/cli.js'

const pin = (value: string | undefined) => pinnedNow({FINOPS_NOW: value})

describe('FINOPS_NOW', () => {
  it('takes ISO dates and times, a date as UTC midnight and a time without an offset as UTC', () => {
    expect(pin(undefined)).toBeUndefined()
    expect(pin('')).toBeUndefined()
    expect(pin('2026-12-01')?.toISOString()).toBe('2026-12-01T00:00:00.000Z')
    expect(pin('2026-12-01T09:30')?.toISOString()).toBe('2026-12-01T09:30:00.000Z')
    expect(pin('2026-12-01T09:30:15')?.toISOString()).toBe('2026-12-01T09:30:15.000Z')
    expect(pin('2026-12-01T09:30:15.250Z')?.toISOString()).toBe('2026-12-01T09:30:15.250Z')
    expect(pin(' 2026-12-01T09:30:00+02:00 ')?.toISOString()).toBe('2026-12-01T07:30:00.000Z')
    expect(today({FINOPS_NOW: '2026-12-01T23:30:00-02:00'})).toBe('2026-12-02')
  })

  it('refuses what is not an ISO date or time instead of falling back to the real clock', () => {
    // JavaScript's Date.parse reads '1' as 2001-01-01 and rolls 2026-02-30 over to March 2.
    for (const bad of [
      '1',
      'yesterday',
      'now',
      '2026-02-30',
      '2026-13-01',
      '12/01/2026',
      '2026-12-01 09:00',
      'Tue Dec 01 2026',
    ]) {
      let error: unknown
      try {
        now({FINOPS_NOW: bad})
      } catch (e) {
        error = e
      }
      expect(isFinopsError(error), bad).toBe(true)
      expect((error as Error).message, bad).toContain(`FINOPS_NOW '${bad}'`)
    }
  })
})

/**
 * Commands that read the clock only through the modules they call (the window of a report, budget
 * periods, the journal); commands that import `now`/`today` themselves are found below.
 */
const READ_THROUGH_MODULES = [
  'collect/aws',
  'collect/azure',
  'collect/gcp',
  'collect/all',
  'collect/k8s',
  'cost/allocation',
  'cost/report',
  'report',
  'demo',
  'alert/check',
  'alert/digest',
  'run',
  'rollback',
]

const commandsDir = path.join(repoRoot, 'commands')
const commandFiles = (dir: string): string[] =>
  fs
    .readdirSync(dir, {withFileTypes: true})
    .flatMap((e) => (e.isDirectory() ? commandFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .filter((f) => f.endsWith('.ts'))

/** `npm test` builds before it runs vitest, so the manifest matches the commands' source. */
const helpManifest = (): {commands: Record<string, {description?: string}>} =>
  JSON.parse(fs.readFileSync(path.join(repoRoot, 'oclif.manifest.json'), 'utf8')) as {
    commands: Record<string, {description?: string}>
  }

describe('every command that reads the clock documents FINOPS_NOW in its help', () => {
  const readers = new Set(READ_THROUGH_MODULES)
  for (const file of commandFiles(commandsDir)) {
    const source = fs.readFileSync(file, 'utf8')
    const imported = /import\s*\{([^}]*)\}\s*from\s*'[./]*\/src\/dates\.js'/.exec(source)?.[1] ?? ''
    const names = imported.split(',').map((n) => n.trim().split(/\s+as\s+/)[0])
    if (names.some((n) => n === 'now' || n === 'today' || n === 'resolveWindow'))
      readers.add(path.relative(commandsDir, file).replace(/\.ts$/, ''))
  }

  it('finds the commands that read it', () => {
    expect(readers.size).toBeGreaterThan(20)
  })

  for (const id of [...readers].sort())
    it(`${id.replace('/', ' ')}`, () => {
      // The help text as users see it: the built manifest holds each command's description (importing every
      // command is slow, and the source may spell one description as several concatenated strings).
      const description = helpManifest().commands[id.replace('/', ':')]?.description ?? ''
      expect(description).toMatch(/FINOPS_NOW \(an ISO date or time\) pins/)
    })
})
