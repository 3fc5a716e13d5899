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

  it('takes a holiday calendar: a country (and region) and closure days', () => {
    const {forecast} = parseConfig({
      forecast: {holidays: {country: 'de', region: 'BY', dates: [{date: '2025-12-31', name: 'Company closure'}]}},
    })
    expect(forecast.holidays).toEqual({
      country: 'de',
      region: 'BY',
      dates: [{date: '2025-12-31', name: 'Company closure'}],
      yearEnd: true,
    })
    expect(parseConfig({}).forecast.holidays).toEqual({dates: [], yearEnd: true})
  })

  it.each([
    [{forecast: {levle: 90}}, /forecast: .*levle/],
    [{forecast: {level: 100}}, /forecast\.level/],
    [{forecast: {models: ['prophet']}}, /forecast\.models\.0/],
    [{forecast: {horizonDays: 0}}, /forecast\.horizonDays/],
    [{forecast: {holidays: {country: 'XX'}}}, /forecast\.holidays\.country: unknown country code/],
    [{forecast: {holidays: {country: 'US', region: 'ZZ'}}}, /forecast\.holidays\.region/],
    [{forecast: {holidays: {dates: [{date: '2025-13-01', name: 'x'}]}}}, /forecast\.holidays\.dates\.0\.date/],
  ])('names the field that is wrong: %j', (raw, pattern) => {
    expect(() => parseConfig(raw, 'finops.yaml')).toThrow(pattern)
  })
})
