import {describe, expect, it} from 'vitest'

import {formatByteSize, parseByteSize, planBudget} from '../../../../src/collectors/focus/budget.js'
import {checkRestatements} from '../../../../src/collectors/focus/restatements.js'
import {isFinopsError} from '../../../../src/errors.js'
import type {ScopeRestatement} from '../../../../src/store/cost-writer.js'
import {namedAsFlags} from '../../../helpers/errors.js'

describe('import memory budget', () => {
  it('parses sizes as people and Kubernetes write them, and nothing else', () => {
    expect(parseByteSize('512MB')).toBe(512e6)
    expect(parseByteSize('512Mi')).toBe(512 * 1024 ** 2)
    expect(parseByteSize('1GiB')).toBe(1024 ** 3)
    expect(parseByteSize('1.5G')).toBe(1.5e9)
    expect(parseByteSize(' 300 mb ')).toBe(300e6)
    expect(parseByteSize('1048576')).toBe(1048576)
    for (const bad of ['', 'lots', '-1GB', '1e3MB', '1,5GB', '0x10', '512MBB', 'NaN'])
      expect(parseByteSize(bad)).toBeUndefined()
  })

  it('splits the budget so its parts never exceed it, and uses one thread when DuckDB gets little', () => {
    for (const mb of [64, 128, 256, 512, 1024, 4096]) {
      const plan = planBudget(mb * 1024 ** 2, 2)
      expect(plan.duckdbBytes + plan.sqliteCacheBytes).toBeLessThanOrEqual(Math.max(plan.bytes, 18 * 1024 ** 2))
      expect(plan.threads).toBe(plan.duckdbBytes >= 200 * 1024 ** 2 ? 2 : 1)
    }
    expect(planBudget(4096 * 1024 ** 2, 1).threads).toBe(1)
    expect(formatByteSize(512 * 1024 ** 2)).toBe('512 MB')
    expect(formatByteSize(2 * 1024 ** 3)).toBe('2 GB')
  })
})

const period = (
  before: [number, number][],
  after: [number, number][],
  removedDays: string[] = [],
): ScopeRestatement => ({
  scope: {
    kind: 'billing-period',
    source: 'focus',
    provider: 'AWS',
    billingAccountId: '111',
    billingPeriodStart: '2024-11-01',
  },
  removedDays,
  before: before.map(([units, nanos]) => ({currency: 'USD', units, nanos})),
  after: after.map(([units, nanos]) => ({currency: 'USD', units, nanos})),
})

/** The one line the CLI prints: message (suggestion). */
function refusal(restatements: ScopeRestatement[]): string {
  try {
    checkRestatements(restatements)
  } catch (error) {
    if (isFinopsError(error)) {
      const named = namedAsFlags(error)
      return `${named.message} (${named.suggestion})`
    }
    throw error
  }
  throw new Error('expected a refusal')
}

describe('restatement guard', () => {
  it('lets restatements within 5% through, and new periods', () => {
    expect(() => checkRestatements([period([[15433, 0]], [[14700, 500_000_000]])])).not.toThrow()
    expect(() => checkRestatements([period([[100, 0]], [[130, 0]])])).not.toThrow()
    expect(() => checkRestatements([period([], [[-5, 0]])])).not.toThrow()
  })

  it('refuses a period that loses days or more than 5%, with the period, both totals and the flag', () => {
    expect(refusal([period([[15433, 120_000_000]], [[2875, 400_000_000]])])).toMatch(
      /AWS 111 2024-11 billed total would fall from 15,433\.12 USD to 2,875\.40 USD.*--allow-shrink/,
    )
    expect(() =>
      checkRestatements([period([[100, 0]], [[100, 0]], ['2024-11-04', '2024-11-05', '2024-11-30'])]),
    ).toThrow(/would lose 3 days \(2024-11-04 to 2024-11-30\) it holds/)
    // Credits: a negative total that grows more negative is a fall too.
    expect(() => checkRestatements([period([[-100, 0]], [[-120, 0]])])).toThrow(
      /would fall from -100\.00 USD to -120\.00 USD/,
    )
  })
})
