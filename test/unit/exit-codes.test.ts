import {describe, expect, it} from 'vitest'

import {ExitCode, outcomeExitCode, partsExitCode, partsOutcome} from '../../src/exit-codes.js'

describe('the ok/partial rule for work made of parts (src/exit-codes.ts)', () => {
  it.each([
    [{succeeded: 3, failed: 0}, 'ok', ExitCode.ok],
    [{succeeded: 0, failed: 0}, 'ok', ExitCode.ok],
    [{succeeded: 2, failed: 1}, 'partial', ExitCode.partial],
    [{succeeded: 2, failed: 0, incomplete: 1}, 'partial', ExitCode.partial],
    [{succeeded: 0, failed: 0, incomplete: 2}, 'partial', ExitCode.partial],
    [{succeeded: 0, failed: 2}, 'failed', ExitCode.remote],
    [{succeeded: 0, failed: 2, incomplete: 1}, 'failed', ExitCode.remote],
  ] as const)('%o is %s (exit %i)', (parts, outcome, code) => {
    expect(partsOutcome(parts)).toBe(outcome)
    expect(outcomeExitCode(outcome)).toBe(code)
    expect(partsExitCode(parts)).toBe(code)
  })
})
