import {describe, expect, test} from 'vitest'

import {expectedLagDays, staleSources, staleSourceWarning} from '../../../src/alerts/freshness.js'
import {parseConfig} from '../../../src/config/index.js'

const defaults = parseConfig({}).alerts.freshness
const YESTERDAY = '2026-11-29'

describe('staleSources', () => {
  test('each provider is held to its own usual lag: AWS 2 days, Azure and GCP 3, others the default', () => {
    const lastDays = new Map([
      ['AWS', '2026-11-27'], // 2 days: on time
      ['Amazon Web Services', '2026-11-26'], // 3 days: late for AWS
      ['Microsoft', '2026-11-26'], // 3 days: on time
      ['Google Cloud', '2026-11-25'], // 4 days: late
      ['Oracle', '2026-11-26'], // 3 days: on time with the default
    ])
    expect(staleSources(lastDays, YESTERDAY, defaults)).toEqual([
      {provider: 'Google Cloud', lastDay: '2026-11-25', lagDays: 4, expectedLagDays: 3},
      {provider: 'Amazon Web Services', lastDay: '2026-11-26', lagDays: 3, expectedLagDays: 2},
    ])
  })

  test('a store whose newest day is 18 months old is stale, and the warning says what to do', () => {
    const [stale, ...rest] = staleSources(new Map([['AWS', '2025-06-02']]), YESTERDAY, defaults)
    expect(rest).toEqual([])
    expect(stale).toMatchObject({provider: 'AWS', lastDay: '2025-06-02', lagDays: 545})
    expect(staleSourceWarning(stale!)).toBe(
      'billing data from AWS stops at 2025-06-02 (545 days before yesterday; expected within 2): alerts and forecasts after that day are not judged; ' +
        'check that its export or collect still runs',
    )
  })

  test('configured lags (any case of the name), ignored providers and the switch are honoured', () => {
    const config = parseConfig({
      alerts: {freshness: {lagDays: {aws: 10}, defaultLagDays: 1, ignore: ['OLD CLOUD']}},
    }).alerts.freshness
    expect(expectedLagDays('AWS', config)).toBe(10)
    expect(expectedLagDays('Some Import', config)).toBe(1)
    const lastDays = new Map([
      ['AWS', '2026-11-20'],
      ['Old Cloud', '2020-01-01'],
      ['Some Import', '2026-11-27'],
    ])
    expect(staleSources(lastDays, YESTERDAY, config).map((s) => s.provider)).toEqual(['Some Import'])
    expect(staleSources(lastDays, YESTERDAY, {...config, enabled: false})).toEqual([])
  })

  test('bad settings are config errors, not silently "never stale"', () => {
    expect(() => parseConfig({alerts: {freshness: {lagDays: {AWS: -1}}}})).toThrow()
    expect(() => parseConfig({alerts: {freshness: {defaultLagDays: 1.5}}})).toThrow()
    expect(() => parseConfig({alerts: {freshness: {ignore: ['']}}})).toThrow()
  })
})
