import fs from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {repoRoot} from '../helpers/cli.js'

/** The "choice" column of the README's "Libraries we chose, and why" table: the backticked names in it. */
function chosenNames(): string[] {
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8')
  const section = readme.split('## Libraries we chose, and why')[1]!.split('\n## ')[0]!
  return section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| need '))
    .flatMap((line) => [...(line.split('|')[2] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!))
}

// Named in the choice column but not npm packages: Node's own modules and APIs, and a Debian package.
const NOT_PACKAGES = new Set(['fetch', 'chromium'])

describe("the README's list of chosen libraries", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>
    devDependencies: Record<string, string>
  }
  const names = chosenNames()

  it('names every runtime dependency (with why)', () => {
    expect(names.length).toBeGreaterThan(20)
    expect(Object.keys(pkg.dependencies).filter((dep) => !names.includes(dep))).toEqual([])
  })

  it('names nothing as chosen that package.json does not install', () => {
    const installed = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)])
    const unknown = names.filter((n) => !n.startsWith('node:') && !NOT_PACKAGES.has(n) && !installed.has(n))
    expect(unknown).toEqual([])
  })
})
