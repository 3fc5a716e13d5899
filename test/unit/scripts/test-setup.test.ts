import {describe, expect, it} from 'vitest'

// @ts-expect-error: a plain ES module script without type declarations
import {missingPackages, setupPlan, TEST_REQUIREMENTS} from '../../../scripts/test-setup.mjs'

describe('npm test sets itself up', () => {
  const requirements = [
    {pkg: 'prometheus', file: '/usr/bin/prometheus'},
    {pkg: 'prometheus', file: '/usr/bin/promtool'},
    {pkg: 'chromium', file: '/usr/bin/chromium'},
  ]

  it('lists each missing package once, from the files that are absent', () => {
    expect(missingPackages(requirements, () => true)).toEqual([])
    expect(missingPackages(requirements, (f: string) => f !== '/usr/bin/promtool')).toEqual(['prometheus'])
    expect(missingPackages(requirements, () => false)).toEqual(['prometheus', 'chromium'])
  })

  it('does nothing when everything is there', () => {
    expect(setupPlan([], {isRoot: false, hasApt: false})).toEqual({action: 'none'})
  })

  it('installs with apt-get as root on Debian', () => {
    const plan = setupPlan(['prometheus', 'chromium'], {isRoot: true, hasApt: true})
    expect(plan.action).toBe('install')
    expect(plan.commands.at(-1)).toEqual([
      'apt-get',
      'install',
      '-y',
      '--no-install-recommends',
      'prometheus',
      'chromium',
    ])
  })

  it('otherwise stops with the one command to run', () => {
    const plan = setupPlan(['chromium'], {isRoot: false, hasApt: true})
    expect(plan.action).toBe('fail')
    expect(plan.message).toContain('sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium')
    expect(setupPlan(['chromium'], {isRoot: true, hasApt: false}).message).toContain('install chromium')
  })

  it('covers every program the test servers start', () => {
    const packages = new Set(TEST_REQUIREMENTS.map((r: {pkg: string}) => r.pkg))
    for (const pkg of ['prometheus', 'prometheus-pushgateway', 'openssl', 'chromium', 'fonts-dejavu-core'])
      expect(packages.has(pkg), pkg).toBe(true)
  })
})
