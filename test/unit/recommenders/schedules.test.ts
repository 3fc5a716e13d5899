import {describe, expect, it} from 'vitest'

import {isFinopsError} from '../../../src/errors.js'
import {
  buildSchedule,
  downtimeShare,
  globMatches,
  isInDowntime,
  localTime,
  matchesTimeSpec,
  parseScheduleText,
  parseTimeSpec,
  resolveSchedule,
  type ScheduledWorkload,
} from '../../../recommenders/schedules.js'

const defaults = {holidays: [] as string[], timeZone: 'UTC'}
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
    ['Mon-Fri 07:30-20:30', 'is not'],
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

describe('isInDowntime', () => {
  it('is down outside uptime and inside downtime', () => {
    const byUptime = buildSchedule('Mon-Fri 08:00-18:00 UTC', undefined, 0, 'test', defaults)
    expect(isInDowntime(byUptime, at('2024-03-04T12:00:00Z'))).toBe(false)
    expect(isInDowntime(byUptime, at('2024-03-04T19:00:00Z'))).toBe(true)
    expect(isInDowntime(byUptime, at('2024-03-10T12:00:00Z'))).toBe(true)
    const byDowntime = buildSchedule(undefined, 'Sat-Sun 00:00-24:00 UTC', 1, 'test', defaults)
    expect(isInDowntime(byDowntime, at('2024-03-09T12:00:00Z'))).toBe(true)
    expect(isInDowntime(byDowntime, at('2024-03-08T23:59:00Z'))).toBe(false)
    const both = buildSchedule('Mon-Fri 08:00-18:00 UTC', 'Mon-Fri 12:00-13:00 UTC', 0, 'test', defaults)
    expect(isInDowntime(both, at('2024-03-04T12:30:00Z'))).toBe(true)
    expect(isInDowntime(both, at('2024-03-04T11:30:00Z'))).toBe(false)
  })

  it('treats holidays as downtime all day in the schedule time zone', () => {
    const schedule = buildSchedule('Mon-Fri 07:00-19:00 Europe/Berlin', undefined, 0, 'test', {
      holidays: ['2024-12-25'],
      timeZone: 'UTC',
    })
    expect(schedule.holidayTimeZone).toBe('Europe/Berlin')
    expect(isInDowntime(schedule, at('2024-12-25T10:00:00Z'))).toBe(true) // Wednesday, holiday
    expect(isInDowntime(schedule, at('2024-12-24T10:00:00Z'))).toBe(false)
    expect(isInDowntime(schedule, at('2024-12-26T10:00:00Z'))).toBe(false)
    // 2024-12-24T23:30Z is already the 25th in Berlin.
    expect(
      isInDowntime(
        buildSchedule('always', undefined, 0, 'test', {holidays: ['2024-12-25'], timeZone: 'Europe/Berlin'}),
        at('2024-12-24T23:30:00Z'),
      ),
    ).toBe(true)
  })
})

describe('downtimeShare', () => {
  it('measures the share of the week spent down', () => {
    // Up 08:00-18:00 on weekdays: 50 of 168 hours.
    const office = buildSchedule('Mon-Fri 08:00-18:00 UTC', undefined, 0, 'test', defaults)
    expect(downtimeShare(office, at('2024-03-04T00:00:00Z'), 7)).toBeCloseTo(1 - 50 / 168, 6)
    const weekend = buildSchedule(undefined, 'Sat-Sun 00:00-24:00 UTC', 0, 'test', defaults)
    expect(downtimeShare(weekend, at('2024-03-04T00:00:00Z'), 14)).toBeCloseTo(2 / 7, 6)
    expect(downtimeShare(buildSchedule('always', 'never', 0, 'test', defaults), at('2024-03-04T00:00:00Z'), 7)).toBe(0)
  })
})

describe('resolveSchedule', () => {
  const workload = (over: Partial<ScheduledWorkload> = {}): ScheduledWorkload => ({
    namespace: 'dev-team-a',
    annotations: {},
    labels: {},
    namespaceAnnotations: {},
    ...over,
  })
  const now = at('2024-03-04T12:00:00Z')

  it('prefers workload annotations over namespace annotations over finops.yaml', () => {
    const configured = [{namespaces: ['dev-*'], uptime: 'Mon-Fri 06:00-22:00 UTC'}]
    const fromConfig = resolveSchedule(workload(), configured, defaults, now)
    expect(fromConfig.kind === 'schedule' && fromConfig.schedule.source).toBe('finops.yaml schedules[0]')
    const fromNamespace = resolveSchedule(
      workload({namespaceAnnotations: {'downscaler/uptime': 'Mon-Fri 07:00-19:00 UTC'}}),
      configured,
      defaults,
      now,
    )
    expect(fromNamespace.kind === 'schedule' && fromNamespace.schedule.text).toBe('uptime Mon-Fri 07:00-19:00 UTC')
    const fromWorkload = resolveSchedule(
      workload({
        annotations: {'downscaler/downtime': 'Sat-Sun 00:00-24:00 UTC', 'downscaler/downtime-replicas': '1'},
        namespaceAnnotations: {'downscaler/uptime': 'Mon-Fri 07:00-19:00 UTC'},
      }),
      configured,
      defaults,
      now,
    )
    expect(fromWorkload).toMatchObject({
      kind: 'schedule',
      schedule: {source: 'workload annotation', downtimeReplicas: 1, text: 'downtime Sat-Sun 00:00-24:00 UTC'},
    })
    expect(resolveSchedule(workload({namespace: 'prod'}), configured, defaults, now)).toEqual({kind: 'none'})
  })

  it('honours exclusions on the workload or namespace, and exclude-until dates', () => {
    const configured = [{uptime: 'Mon-Fri 06:00-22:00 UTC'}]
    expect(resolveSchedule(workload({annotations: {'downscaler/exclude': 'true'}}), configured, defaults, now)).toEqual(
      {kind: 'excluded', reason: 'workload annotation downscaler/exclude=true'},
    )
    expect(
      resolveSchedule(workload({namespaceAnnotations: {'downscaler/exclude': 'True'}}), configured, defaults, now).kind,
    ).toBe('excluded')
    expect(
      resolveSchedule(workload({annotations: {'downscaler/exclude-until': '2024-03-05'}}), configured, defaults, now)
        .kind,
    ).toBe('excluded')
    expect(
      resolveSchedule(workload({annotations: {'downscaler/exclude-until': '2024-03-01'}}), configured, defaults, now)
        .kind,
    ).toBe('schedule')
  })

  it("reads exclude-until times without an offset as UTC, as kube-downscaler does, whatever the machine's zone", () => {
    const zone = process.env.TZ
    process.env.TZ = 'America/New_York'
    try {
      // 12:00 UTC is 07:00 in New York: an until of 10:00 has passed in UTC but not in local time.
      for (const until of ['2024-03-04T10:00', '2024-03-04 10:00', '2024-03-04T10:00:00Z']) {
        expect(
          resolveSchedule(
            workload({annotations: {'downscaler/exclude-until': until}}),
            [{uptime: 'always'}],
            defaults,
            now,
          ).kind,
          until,
        ).toBe('schedule')
      }
      expect(
        resolveSchedule(
          workload({annotations: {'downscaler/exclude-until': '2024-03-04T13:00'}}),
          [{uptime: 'always'}],
          defaults,
          now,
        ).kind,
      ).toBe('excluded')
      expect(
        resolveSchedule(
          workload({annotations: {'downscaler/exclude-until': '2024-03-04T13:00:00+02:00'}}),
          [{uptime: 'always'}],
          defaults,
          now,
        ).kind,
      ).toBe('schedule')
    } finally {
      if (zone === undefined) delete process.env.TZ
      else process.env.TZ = zone
    }
  })

  it('matches finops.yaml schedules by labels', () => {
    const configured = [{labels: {env: 'staging'}, downtime: 'Mon-Sun 20:00-07:00 UTC'}]
    expect(resolveSchedule(workload({labels: {env: 'staging'}}), configured, defaults, now).kind).toBe('schedule')
    expect(resolveSchedule(workload({labels: {env: 'prod'}}), configured, defaults, now).kind).toBe('none')
  })

  it('rejects bad downtime-replicas with the annotation name', () => {
    expect(() =>
      resolveSchedule(
        workload({annotations: {'downscaler/uptime': 'always', 'downscaler/downtime-replicas': 'two'}}),
        [],
        defaults,
        now,
      ),
    ).toThrow(/downscaler\/downtime-replicas 'two'/)
  })
})

describe('globMatches', () => {
  it.each([
    ['dev-*', 'dev-a', true],
    ['dev-*', 'prod', false],
    ['*', 'x', true],
    ['a.b', 'axb', false],
    ['team-*-dev', 'team-x-dev', true],
  ])('%s ~ %s -> %s', (glob, value, expected) => expect(globMatches(glob, value)).toBe(expected))
})

describe('parseScheduleText', () => {
  it('reads back the text recommendations carry, with holidays', () => {
    const original = buildSchedule(
      'Mon-Fri 08:00-18:00 Europe/Berlin',
      'Mon-Fri 12:00-13:00 Europe/Berlin',
      1,
      'test',
      defaults,
    )
    const back = parseScheduleText(original.text, {holidays: ['2024-03-06'], timeZone: 'UTC'}, 1)
    expect(back.text).toBe(original.text)
    expect(back.holidayTimeZone).toBe('Europe/Berlin')
    for (const iso of [
      '2024-03-04T08:00:00Z',
      '2024-03-04T11:30:00Z',
      '2024-03-04T20:00:00Z',
      '2024-03-09T10:00:00Z',
    ]) {
      expect(isInDowntime(back, at(iso))).toBe(isInDowntime(original, at(iso)))
    }
    expect(isInDowntime(back, at('2024-03-06T10:00:00Z'))).toBe(true) // the holiday
    expect(isInDowntime(original, at('2024-03-06T10:00:00Z'))).toBe(false)
    expect(() => parseScheduleText('uptime Mon-Fry 08:00-18:00 UTC', defaults)).toThrow(/unknown day 'Fry'/)
  })
})
