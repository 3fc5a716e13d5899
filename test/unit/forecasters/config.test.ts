import {describe, expect, it} from 'vitest'

import {parseConfig} from '../../../src/config/index.js'

describe('forecast: section of finops.yaml', () => {
  it('has defaults', () => {
    const {forecast} = parseConfig({})
    expect(forecast).toMatchObject({
      level: 80,
      historyDays: 365,
      minHistoryDays: 21,
      metric: 'effective',
      backtestOrigins: 24,
    })
    expect(forecast.horizonDays).toBeUndefined()
    expect(forecast.models).toContain('robust-decomposition')
  })

  it('accepts its fields', () => {
    const {forecast} = parseConfig({
      forecast: {level: 90, horizonDays: 30, models: ['seasonal-naive', 'ensemble'], metric: 'billed'},
    })
    expect(forecast).toMatchObject({
      level: 90,
      horizonDays: 30,
      models: ['seasonal-naive', 'ensemble'],
      metric: 'billed',
    })
  })

  it.each([
    [{forecast: {levle: 90}}, /forecast: .*levle/],
    [{forecast: {level: 100}}, /forecast\.level/],
    [{forecast: {models: ['prophet']}}, /forecast\.models\.0/],
    [{forecast: {horizonDays: 0}}, /forecast\.horizonDays/],
  ])('names the field that is wrong: %j', (raw, pattern) => {
    expect(() => parseConfig(raw, 'finops.yaml')).toThrow(pattern)
  })
})
