import {describe, expect, it} from 'vitest'

import {
  digestMessage,
  digestText,
  MAX_BLOCKS,
  SECTION_TEXT_MAX,
  topMovers,
  type DigestRealized,
  type WeeklyDigest,
} from '../../../src/alerts/weekly-digest.js'
import {isoWeek} from '../../../src/dates.js'
import {blockKitProblems} from '../../servers/slack-receiver.js'

const untracked: DigestRealized = {
  tracked: false,
  asOf: '2026-10-31',
  method: 'measured',
  totals: [],
  byKind: [],
  flagged: {notDelivered: 0, reverted: 0, fought: 0, rolledBack: 0, notMeasurableYet: 0},
  commitments: [],
  warnings: [],
}

const digest = (over: Partial<WeeklyDigest> = {}): WeeklyDigest => ({
  week: '2026-W44',
  from: '2026-10-25',
  to: '2026-10-31',
  previousFrom: '2026-10-18',
  previousTo: '2026-10-24',
  spend: [{currency: 'USD', total: 7477.91, previousTotal: 7396.77}],
  movers: [],
  budgets: [],
  savings: {available: [], realized: untracked},
  ...over,
})

describe('weekly digest message', () => {
  it('stays valid Block Kit with hostile, huge content: long names clipped, mrkdwn escaped, <= 50 blocks', () => {
    const long = `<!channel> & ${'x'.repeat(5000)}`
    const d = digest({
      spend: Array.from({length: 40}, (_, i) => ({
        currency: `C${String(i).padStart(2, '0')}`,
        total: 1e12,
        previousTotal: 0,
      })),
      movers: Array.from({length: 5}, (_, i) => ({
        provider: long,
        service: `${long}${i}`,
        currency: 'USD',
        total: 10,
        previousTotal: 1,
        change: 9,
      })),
      budgets: Array.from({length: 300}, (_, i) => ({
        name: `${long}-${i}`,
        period: '2026-10',
        currency: 'EUR',
        amount: 100,
        actual: 50,
        actualPercent: 50,
      })),
      reportUrl: 'https://finops.example.com/r.html',
    })
    const message = digestMessage(d)
    expect(blockKitProblems(message)).toEqual([])
    expect(message.blocks.length).toBeLessThanOrEqual(MAX_BLOCKS)
    for (const b of message.blocks)
      if (b.type === 'section') {
        expect(b.text!.text.length).toBeLessThanOrEqual(SECTION_TEXT_MAX)
        expect(b.text!.text).not.toContain('<!channel>')
      }
    expect(JSON.stringify(message)).toContain('&lt;!channel&gt; &amp; ')
    expect(digestText(d)).toContain('and 290 more')
  })

  it('says when nothing is applied, and shows measured realized savings next to promised, never promised as realized', () => {
    expect(digestText(digest())).toMatch(/realized: nothing applied yet/)
    expect(digestText(digest())).toMatch(/available: no open recommendations/)
    const group = (key: string, measured: number, actions: number, promised: number, realized: number) => ({
      key,
      currency: 'USD',
      actions,
      measured,
      flagged: 0,
      promisedMonthly: promised + (actions - measured) * 50,
      promisedMeasuredMonthly: promised,
      realizedMonthly: realized,
      ratio: realized / promised,
    })
    const {key: _key, ...total} = group('', 5, 7, 400, 310)
    const tracked = digest({
      savings: {
        available: [{currency: 'USD', monthly: 428.84, recommendations: 23}],
        realized: {
          ...untracked,
          tracked: true,
          totals: [total],
          byKind: [group('rightsize', 3, 4, 250, 200), group('spot', 2, 3, 150, 110)],
          flagged: {notDelivered: 1, reverted: 2, fought: 1, rolledBack: 0, notMeasurableYet: 2},
          commitments: [
            {id: 'sp-1', currency: 'USD', promisedMonthly: 900, realizedMonthly: null},
            {id: 'ri-2', currency: 'USD', promisedMonthly: null, realizedMonthly: 120.5},
          ],
        },
      },
    })
    const text = digestText(tracked)
    expect(text).toMatch(/available: \$428\.84\/month from 23 open recommendations/)
    expect(text).toContain(
      'realized: $310.00/month measured on 5 applied actions, which promised $400.00/month (78% of promised), through 2026-10-31',
    )
    expect(text).toContain('not measurable yet: 2 actions promising $100.00/month')
    expect(text).toContain('rightsize: $200.00/month realized of $250.00 promised (3 of 4 actions measured)')
    expect(text).toContain('flagged: 2 reverted, 1 fought by a controller')
    expect(text).toContain('1 below half of promised')
    expect(text).toContain('commitment sp-1: not measurable yet (promised $900.00/month)')
    expect(text).toContain('commitment ri-2: $120.50/month realized')
    expect(text).not.toContain('$500.00')
    expect(blockKitProblems(digestMessage(tracked))).toEqual([])

    const failed = digest({savings: {available: [], realized: {...untracked, error: 'no prices for m5.large'}}})
    expect(digestText(failed)).toContain('realized: not measured (no prices for m5.large)')
  })

  it('orders movers by absolute change, decreases included, ties by name; unchanged rows left out', () => {
    const row = (service: string, change: number) => ({
      provider: 'AWS',
      service,
      currency: 'USD',
      total: 0,
      previousTotal: 0,
      change,
    })
    expect(
      topMovers([row('a', 5), row('b', -50), row('c', 0), row('d', 5), row('e', 20)], 3).map((m) => m.service),
    ).toEqual(['b', 'e', 'a'])
  })
})

describe('isoWeek', () => {
  it.each([
    ['2026-11-01', '2026-W44'], // a Sunday ends its week
    ['2026-11-02', '2026-W45'],
    ['2021-01-03', '2020-W53'], // early January in the previous year's last week
    ['2024-12-30', '2025-W01'], // late December in the next year's first week
    ['2026-01-01', '2026-W01'],
  ])('%s is %s', (day, week) => expect(isoWeek(day)).toBe(week))
})
