import {describe, expect, it} from 'vitest'

import {isFinopsError} from '../../../src/errors.js'
import {localTime, matchesTimeSpec, parseExcludeUntil, parseTimeSpec} from '../../../src/k8s/time-spec.js'
import {resolvePolicy, stateAt} from '../../../src/k8s/downscaler.js'

const at = (iso: string) => new Date(iso)

describe('parseTimeSpec', () => {
  it('reads always, never and kube-downscaler rules', () => {
    expect(parseTimeSpec('always')).toEqual({kind: 'always'})
    expect(parseTimeSpec(' Never ')).toEqual({kind: 'never'})
    const spec = parseTimeSpec('Mon-Fri 07:30-20:30 Europe/Berlin, Sat 10:00-14:00 UTC')
    expect(spec.kind).toBe('rules')
    if (spec.kind !== 'rules') return
    expect(spec.rules).toHaveLength(2)
    const [weekdays, saturday] = spec.rules
    expect(weekdays).toMatchObject({kind: 'weekly', startMinute: 450, endMinute: 1230, timeZone: 'Europe/Berlin'})
    expect(weekdays?.kind === 'weekly' ? [...weekdays.days] : []).toEqual([0, 1, 2, 3, 4])
    expect(saturday?.kind === 'weekly' ? [...saturday.days] : []).toEqual([5])
  })

  it('wraps day ranges across the week end', () => {
    const spec = parseTimeSpec('Fri-Mon 00:00-24:00 UTC')
    expect(spec.kind === 'rules' && spec.rules[0]?.kind === 'weekly' ? [...spec.rules[0].days].sort() : []).toEqual([
      0, 4, 5, 6,
    ])
  })

  it.each([
    ['Mon-Fri 07:30-20:30', 'names no time zone'],
    ['Mon-Fry 07:30-20:30 UTC', "unknown day 'Fry'"],
    ['Mon-Fri 07:30-20:30 Mars/Olympus', "unknown time zone 'Mars/Olympus'"],
    ['Mon-Fri 07:61-20:30 UTC', 'is not a time of day'],
    ['Mon-Fri 25:00-26:00 UTC', 'is not a time of day'],
    ['Mon-Fri 08:00-08:00 UTC', 'empty time range'],
    ['2024-01-02T00:00:00Z-2024-01-01T00:00:00Z', 'ends before it starts'],
    ['', 'empty'],
  ])('rejects %j with a one-line reason', (text, reason) => {
    let error: unknown
    try {
      parseTimeSpec(text, 'downscaler/uptime')
    } catch (caught) {
      error = caught
    }
    expect(isFinopsError(error)).toBe(true)
    expect((error as Error).message).toContain('downscaler/uptime')
    expect((error as Error).message).toContain(reason)
    expect((error as Error).message).not.toContain('\n')
  })
})

describe('localTime', () => {
  it('follows daylight saving time through Intl', () => {
    // 2024-03-04 is a Monday; Berlin is UTC+1 in March before the 31st, UTC+2 after.
    expect(localTime(Date.parse('2024-03-04T06:30:00Z'), 'Europe/Berlin')).toEqual({
      weekday: 0,
      minuteOfDay: 450,
      date: '2024-03-04',
    })
    expect(localTime(Date.parse('2024-04-01T06:30:00Z'), 'Europe/Berlin')).toEqual({
      weekday: 0,
      minuteOfDay: 510,
      date: '2024-04-01',
    })
    // Minutes inside a quarter hour are added exactly; Kathmandu is UTC+05:45.
    expect(localTime(Date.parse('2024-03-04T18:14:00Z'), 'Asia/Kathmandu')).toEqual({
      weekday: 0,
      minuteOfDay: 23 * 60 + 59,
      date: '2024-03-04',
    })
    expect(localTime(Date.parse('2024-03-04T18:15:00Z'), 'Asia/Kathmandu')).toEqual({
      weekday: 1,
      minuteOfDay: 0,
      date: '2024-03-05',
    })
  })
})

describe('matchesTimeSpec', () => {
  const office = parseTimeSpec('Mon-Fri 07:30-20:30 Europe/Berlin')
  it.each([
    ['2024-03-04T06:29:00Z', false], // Mon 07:29 Berlin
    ['2024-03-04T06:30:00Z', true], // Mon 07:30 Berlin: start is inclusive
    ['2024-03-04T19:29:00Z', true], // Mon 20:29
    ['2024-03-04T19:30:00Z', false], // Mon 20:30: end is exclusive
    ['2024-03-09T10:00:00Z', false], // Saturday
    ['2024-04-01T06:00:00Z', true], // Mon 08:00 CEST, would be 07:00 in CET
    ['2024-04-01T05:45:00Z', true], // Mon 07:45 CEST: the rule follows local clocks, not UTC
    ['2024-04-01T05:15:00Z', false], // Mon 07:15 CEST
  ])('office hours at %s -> %s', (iso, expected) => {
    expect(matchesTimeSpec(office, at(iso))).toBe(expected)
  })

  it('runs ranges past midnight into the next day', () => {
    const night = parseTimeSpec('Mon-Fri 22:00-06:00 UTC')
    expect(matchesTimeSpec(night, at('2024-03-04T23:00:00Z'))).toBe(true) // Mon night
    expect(matchesTimeSpec(night, at('2024-03-05T05:59:00Z'))).toBe(true) // Tue morning, from Mon
    expect(matchesTimeSpec(night, at('2024-03-05T06:00:00Z'))).toBe(false)
    expect(matchesTimeSpec(night, at('2024-03-04T05:00:00Z'))).toBe(false) // Mon morning: Sunday is not listed
    expect(matchesTimeSpec(night, at('2024-03-09T05:00:00Z'))).toBe(true) // Sat morning, from Fri
    expect(matchesTimeSpec(night, at('2024-03-09T23:00:00Z'))).toBe(false) // Sat night
  })

  it('matches absolute ranges', () => {
    const freeze = parseTimeSpec('2024-12-24T00:00:00+01:00-2024-12-27T00:00:00+01:00')
    expect(matchesTimeSpec(freeze, at('2024-12-23T22:59:00Z'))).toBe(false)
    expect(matchesTimeSpec(freeze, at('2024-12-23T23:00:00Z'))).toBe(true)
    expect(matchesTimeSpec(freeze, at('2024-12-26T22:59:00Z'))).toBe(true)
    expect(matchesTimeSpec(freeze, at('2024-12-26T23:00:00Z'))).toBe(false)
  })
})

describe('parseExcludeUntil', () => {
  it("reads times without an offset as UTC, as kube-downscaler does, whatever the machine's zone", () => {
    const zone = process.env.TZ
    process.env.TZ = 'America/New_York'
    try {
      for (const text of ['2024-03-04T10:00', '2024-03-04 10:00', '2024-03-04T10:00:00Z'])
        expect(parseExcludeUntil(text), text).toBe(Date.parse('2024-03-04T10:00:00Z'))
      expect(parseExcludeUntil('2024-03-04')).toBe(Date.parse('2024-03-04T00:00:00Z'))
      expect(parseExcludeUntil('2024-03-04T13:00:00+02:00')).toBe(Date.parse('2024-03-04T11:00:00Z'))
      expect(parseExcludeUntil('next week')).toBeNaN()
    } finally {
      if (zone === undefined) delete process.env.TZ
      else process.env.TZ = zone
    }
  })
  it('reads the one-digit month, day, hour and minute that Python strptime accepts (2024-3-4 9:05)', () => {
    expect(parseExcludeUntil('2024-3-4')).toBe(Date.parse('2024-03-04T00:00:00Z'))
    expect(parseExcludeUntil('2024-03-04 9:05')).toBe(Date.parse('2024-03-04T09:05:00Z'))
    expect(parseExcludeUntil('2024-3-04T9:5')).toBe(Date.parse('2024-03-04T09:05:00Z'))
    expect(parseExcludeUntil('2024-13-04')).toBeNaN()
    expect(parseExcludeUntil('2024-02-30')).toBeNaN()
  })
})

describe('holidays', () => {
  it('are downtime all day in the schedule time zone', () => {
    const policy = (uptime: string, timeZone: string) =>
      resolvePolicy(
        {namespace: 'x', labels: {}, annotations: {'downscaler/uptime': uptime}, namespaceAnnotations: {}},
        [],
        {holidays: ['2024-12-25'], timeZone},
        0,
      ).policy!
    const berlin = policy('Mon-Fri 07:00-19:00 Europe/Berlin', 'UTC')
    expect(berlin.holidayTimeZone).toBe('Europe/Berlin')
    expect(stateAt(berlin, at('2024-12-25T10:00:00Z'))).toBe('down') // Wednesday, holiday
    expect(stateAt(berlin, at('2024-12-24T10:00:00Z'))).toBe('up')
    expect(stateAt(berlin, at('2024-12-26T10:00:00Z'))).toBe('up')
    // 2024-12-24T23:30Z is already the 25th in Berlin.
    expect(stateAt(policy('always', 'Europe/Berlin'), at('2024-12-24T23:30:00Z'))).toBe('down')
  })
})

describe("kube-downscaler's DEFAULT_TIMEZONE and DEFAULT_WEEKFRAME", () => {
  const weekly = (spec: ReturnType<typeof parseTimeSpec>) =>
    spec.kind === 'rules' && spec.rules[0]?.kind === 'weekly' ? spec.rules[0] : undefined

  it('reads a rule without a zone in the default zone, and one without days on the default days', () => {
    const noZone = weekly(parseTimeSpec('Mon-Fri 08:00-20:00', 'uptime', {timeZone: 'Europe/Paris'}))
    expect(noZone).toMatchObject({timeZone: 'Europe/Paris', startMinute: 480, endMinute: 1200})
    expect([...(noZone?.days ?? [])]).toEqual([0, 1, 2, 3, 4])
    const noDays = weekly(parseTimeSpec('08:00-20:00 Europe/Paris', 'uptime', {weekFrame: 'Mon-Sun'}))
    expect(noDays?.timeZone).toBe('Europe/Paris')
    expect([...(noDays?.days ?? [])].sort()).toEqual([0, 1, 2, 3, 4, 5, 6])
    const neither = parseTimeSpec('08:00-20:00, Sat 10:00-12:00 UTC', 'uptime', {
      timeZone: 'Europe/Paris',
      weekFrame: 'Mon-Fri',
    })
    // 07:30 UTC on a Monday is 08:30 in Paris (winter); 07:30 UTC on a Sunday matches neither rule.
    expect(matchesTimeSpec(neither, at('2024-03-04T07:30:00Z'))).toBe(true)
    expect(matchesTimeSpec(neither, at('2024-03-03T07:30:00Z'))).toBe(false)
    expect(matchesTimeSpec(neither, at('2024-03-09T11:00:00Z'))).toBe(true)
  })

  it('refuses a rule that leaves them out when no default is set, naming the setting', () => {
    for (const [text, setting] of [
      ['Mon-Fri 08:00-20:00', 'defaultTimeZone'],
      ['08:00-20:00 Europe/Paris', 'defaultWeekFrame'],
      ['08:00-20:00', 'defaultTimeZone'],
    ] as const) {
      let error: unknown
      try {
        parseTimeSpec(text, 'workload annotation downscaler/uptime')
      } catch (e) {
        error = e
      }
      expect(isFinopsError(error), text).toBe(true)
      expect((error as Error).message, text).toContain(setting)
    }
    // A zone default does not stand in for missing days.
    expect(() => parseTimeSpec('08:00-20:00', 'uptime', {timeZone: 'UTC'})).toThrow(/defaultWeekFrame/)
  })

  it('applies them to annotations through the resolved policy', () => {
    const subject = {
      namespace: 'shop',
      labels: {},
      annotations: {'downscaler/uptime': 'Mon-Fri 08:00-20:00'},
      namespaceAnnotations: {},
    }
    const without = resolvePolicy(subject, [], {holidays: [], timeZone: 'UTC'}, at('2024-03-04T12:00:00Z'))
    expect(without.problem).toMatch(/names no time zone/)
    const withZone = resolvePolicy(
      subject,
      [],
      {holidays: [], timeZone: 'UTC', defaultTimeZone: 'Asia/Tokyo'},
      at('2024-03-04T12:00:00Z'),
    )
    expect(withZone.problem).toBeUndefined()
    // 12:00 UTC is 21:00 in Tokyo: outside 08:00-20:00 there, inside it in UTC.
    expect(stateAt(withZone.policy!, at('2024-03-04T12:00:00Z'))).toBe('down')
    expect(stateAt(withZone.policy!, at('2024-03-04T01:00:00Z'))).toBe('up')
  })
})
