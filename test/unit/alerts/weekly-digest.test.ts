import {describe, expect, it} from 'vitest'

import {
  digestMessage,
  digestText,
  MAX_BLOCKS,
  SECTION_TEXT_MAX,
  topMovers,
  type WeeklyDigest,
} from '../../../src/alerts/weekly-digest.js'
import {isoWeek} from '../../../src/dates.js'
import {blockKitProblems} from '../../servers/slack-receiver.js'

const digest = (over: Partial<WeeklyDigest> = {}): WeeklyDigest => ({
  week: '2026-W44',
  from: '2026-10-25',
  to: '2026-10-31',
  previousFrom: '2026-10-18',
  previousTo: '2026-10-24',
  spend: [{currency: 'USD', total: 7477.91, previousTotal: 7396.77}],
  movers: [],
  budgets: [],
  savings: {available: [], realized: {tracked: false, monthly: 0, actions: 0}},
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

  it('says when savings are not tracked, and says realized savings when they are', () => {
    expect(digestText(digest())).toMatch(/realized: not tracked/)
    expect(digestText(digest())).toMatch(/available: no open recommendations/)
    const tracked = digest({
      savings: {
        available: [{currency: 'USD', monthly: 428.84, recommendations: 23}],
        realized: {tracked: true, currency: 'USD', monthly: 6.11, actions: 2},
      },
    })
    expect(digestText(tracked)).toMatch(/available: \$428\.84\/month from 23 open recommendations/)
    expect(digestText(tracked)).toMatch(/realized: \$6\.11\/month from 2 applied actions/)
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
