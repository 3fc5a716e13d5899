import {describe, expect, it} from 'vitest'

import {usageWindow} from '../../../src/collectors/k8s/usage-prometheus.js'

const seconds = (iso: string): number => Date.parse(iso) / 1000

describe('the window collect usage reads from Prometheus', () => {
  it('starts at the UTC midnight `days` days back and ends at the last whole step before now', () => {
    expect(usageWindow(Date.parse('2026-12-01T09:00:30Z'), 14, 60)).toEqual({
      start: seconds('2026-11-17T00:00:00Z'),
      end: seconds('2026-12-01T09:00:00Z'),
    })
    expect(usageWindow(Date.parse('2026-12-01T09:00:00Z'), 14, 300).end).toBe(seconds('2026-12-01T08:55:00Z'))
  })

  it('does not open a new day at midnight: the window ends in the day before', () => {
    const window = usageWindow(Date.parse('2026-12-01T00:00:00Z'), 7, 60)
    expect(window.end).toBe(seconds('2026-11-30T23:59:00Z'))
    expect(window.start).toBe(seconds('2026-11-24T00:00:00Z'))
  })
})
