import {describe, expect, it} from 'vitest'

import {holidaysBetween, knownCountry} from '../../../src/cost/holidays.js'

describe('the forecasts holiday calendar', () => {
  it("gives a country's public holidays in the window, with the configured closure days", () => {
    const days = holidaysBetween(
      {
        country: 'US',
        dates: [
          {date: '2025-12-26', name: 'Company closure'},
          {date: '2026-06-01', name: 'Later'},
        ],
      },
      '2025-11-01',
      '2025-12-31',
    )
    expect(days).toEqual([
      {date: '2025-11-11', name: 'Veterans Day'},
      {date: '2025-11-27', name: 'Thanksgiving Day'},
      {date: '2025-12-25', name: 'Christmas Day'},
      {date: '2025-12-26', name: 'Company closure'},
    ])
  })

  it('a region adds its own holidays; no country means only the configured days', () => {
    const bavaria = holidaysBetween({country: 'DE', region: 'BY'}, '2025-01-01', '2025-01-31')
    expect(bavaria.map((h) => h.date)).toEqual(['2025-01-01', '2025-01-06'])
    expect(holidaysBetween({}, '2025-01-01', '2025-12-31')).toEqual([])
    expect(knownCountry('gb')).toBe(true)
    expect(knownCountry('XX')).toBe(false)
  })
})
