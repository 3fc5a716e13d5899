import {describe, expect, it} from 'vitest'

import {
  type ConfiguredSchedule,
  decideDownscale,
  downtimeShare,
  type ObjectScale,
  parseDuration,
  resolvePolicy,
  type SchedulableKind,
} from '../../../src/k8s/downscaler.js'

const OFFICE = 'Mon-Fri 08:00-18:00 UTC'
// Monday 2024-03-04.
const NOON = '2024-03-04T12:00:00Z'
const NIGHT = '2024-03-04T22:00:00Z'
const LATE = '2024-03-04T23:30:00Z'
const EARLY = '2024-03-04T07:00:00Z'

interface Row {
  name: string
  workload?: Record<string, string>
  namespace?: Record<string, string>
  configured?: ConfiguredSchedule[]
  labels?: Record<string, string>
  kind?: SchedulableKind
  replicas: number
  original?: number
  maxReplicas?: number
  createdAt?: string
  at: string
  pods?: boolean
  holidays?: string[]
  expect: Record<string, unknown>
}

// The kube-downscaler annotation matrix: each row is one object, its namespace, the clock, and the decision.
const rows: Row[] = [
  {
    name: 'no annotation anywhere: always up, nothing to do',
    replicas: 3,
    at: NIGHT,
    expect: {action: 'none', code: 'uptime'},
  },
  {
    name: 'workload uptime, outside it: down to 0',
    workload: {'downscaler/uptime': OFFICE},
    replicas: 3,
    at: NIGHT,
    expect: {action: 'down', replicas: 0, original: 3},
  },
  {
    name: 'workload uptime, inside it, scaled down: back up',
    workload: {'downscaler/uptime': OFFICE},
    replicas: 0,
    original: 3,
    at: NOON,
    expect: {action: 'up', replicas: 3},
  },
  {
    name: 'workload uptime, inside it, not scaled down: nothing',
    workload: {'downscaler/uptime': OFFICE},
    replicas: 3,
    at: NOON,
    expect: {action: 'none', code: 'uptime'},
  },
  {
    name: 'namespace uptime applies to its workloads',
    namespace: {'downscaler/uptime': OFFICE},
    replicas: 2,
    at: NIGHT,
    expect: {action: 'down', replicas: 0, original: 2},
  },
  {
    name: 'workload downtime',
    workload: {'downscaler/downtime': 'Mon-Fri 20:00-23:00 UTC'},
    replicas: 2,
    at: NIGHT,
    expect: {action: 'down'},
  },
  {
    name: 'workload downtime, outside it: up',
    workload: {'downscaler/downtime': 'Mon-Fri 20:00-23:00 UTC'},
    replicas: 0,
    original: 2,
    at: LATE,
    expect: {action: 'up', replicas: 2},
  },
  {
    name: "values combine one by one: the workload's uptime with its namespace's downtime",
    workload: {'downscaler/uptime': 'Mon-Fri 06:00-23:00 UTC'},
    namespace: {'downscaler/downtime': 'Mon-Fri 21:00-23:00 UTC'},
    replicas: 2,
    at: NIGHT,
    expect: {action: 'down'},
  },
  {
    name: "a workload's own uptime beats its namespace's",
    workload: {'downscaler/uptime': 'Mon-Sun 00:00-24:00 UTC'},
    namespace: {'downscaler/uptime': OFFICE},
    replicas: 2,
    at: NIGHT,
    expect: {action: 'none', code: 'uptime'},
  },
  {
    name: "a workload's own downtime-replicas beats its namespace's",
    workload: {'downscaler/uptime': OFFICE, 'downscaler/downtime-replicas': '2'},
    namespace: {'downscaler/downtime-replicas': '1'},
    replicas: 4,
    at: NIGHT,
    expect: {action: 'down', replicas: 2, original: 4},
  },
  {
    name: "a workload with its own schedule still takes its namespace's downtime-replicas",
    workload: {'downscaler/uptime': OFFICE},
    namespace: {'downscaler/downtime-replicas': '1'},
    replicas: 4,
    at: NIGHT,
    expect: {action: 'down', replicas: 1},
  },
  {
    name: "namespace downtime-replicas beats finops.yaml's",
    namespace: {'downscaler/downtime-replicas': '0'},
    configured: [{uptime: OFFICE, downtimeReplicas: 1}],
    replicas: 4,
    at: NIGHT,
    expect: {action: 'down', replicas: 0},
  },
  {
    name: 'finops.yaml schedule when no annotation sets one (matched by namespace glob and labels)',
    configured: [{namespaces: ['dev-*'], labels: {env: 'dev'}, uptime: OFFICE, downtimeReplicas: 1}],
    labels: {env: 'dev'},
    replicas: 3,
    at: NIGHT,
    expect: {action: 'down', replicas: 1},
  },
  {
    name: 'finops.yaml schedule for other labels does not apply',
    configured: [{namespaces: ['dev-*'], labels: {env: 'qa'}, uptime: OFFICE}],
    labels: {env: 'dev'},
    replicas: 3,
    at: NIGHT,
    expect: {action: 'none', code: 'uptime'},
  },
  {
    name: "GoKubeDownscaler's downscale-replicas spelling",
    workload: {'downscaler/uptime': OFFICE, 'downscaler/downscale-replicas': '1'},
    replicas: 3,
    at: NIGHT,
    expect: {action: 'down', replicas: 1},
  },
  {
    name: 'workload exclude',
    workload: {'downscaler/uptime': OFFICE, 'downscaler/exclude': 'true'},
    replicas: 3,
    at: NIGHT,
    expect: {action: 'none', code: 'excluded'},
  },
  {
    name: 'exclude takes any value but "false"',
    workload: {'downscaler/uptime': OFFICE, 'downscaler/exclude': 'yes'},
    replicas: 3,
    at: NIGHT,
    expect: {action: 'none', code: 'excluded'},
  },
  {
    name: 'exclude "false" does not exclude',
    workload: {'downscaler/uptime': OFFICE, 'downscaler/exclude': 'False'},
    replicas: 3,
    at: NIGHT,
    expect: {action: 'down'},
  },
  {
    name: 'namespace exclude',
    namespace: {'downscaler/uptime': OFFICE, 'downscaler/exclude': 'true'},
    replicas: 3,
    at: NIGHT,
    expect: {action: 'none', code: 'excluded'},
  },
  {
    name: 'excluded while scaled down: scaled back up, as kube-downscaler does',
    namespace: {'downscaler/uptime': OFFICE, 'downscaler/exclude': 'true'},
    replicas: 0,
    original: 3,
    at: NIGHT,
    expect: {action: 'up', replicas: 3},
  },
  {
    name: 'workload exclude-until in the future',
    workload: {'downscaler/uptime': OFFICE, 'downscaler/exclude-until': '2024-03-05'},
    replicas: 3,
    at: NIGHT,
    expect: {action: 'none', code: 'excluded'},
  },
  {
    name: 'workload exclude-until in the past',
    workload: {'downscaler/uptime': OFFICE, 'downscaler/exclude-until': '2024-03-04T21:00'},
    replicas: 3,
    at: NIGHT,
    expect: {action: 'down'},
  },
  {
    name: 'namespace exclude-until',
    namespace: {'downscaler/uptime': OFFICE, 'downscaler/exclude-until': '2024-03-04 23:00'},
    replicas: 3,
    at: NIGHT,
    expect: {action: 'none', code: 'excluded'},
  },
  {
    name: 'unreadable exclude-until: left alone and reported',
    workload: {'downscaler/uptime': OFFICE, 'downscaler/exclude-until': 'next tuesday'},
    replicas: 3,
    at: NIGHT,
    expect: {action: 'none', code: 'schedule'},
  },
  {
    name: 'unreadable uptime: left alone and reported',
    namespace: {'downscaler/uptime': 'weekdays 8-18'},
    replicas: 3,
    at: NIGHT,
    expect: {action: 'none', code: 'schedule'},
  },
  {
    name: 'unreadable downtime-replicas',
    workload: {'downscaler/uptime': OFFICE, 'downscaler/downtime-replicas': 'two'},
    replicas: 3,
    at: NIGHT,
    expect: {action: 'none', code: 'schedule'},
  },
  {
    name: 'namespace force-uptime true: up at night',
    namespace: {'downscaler/uptime': OFFICE, 'downscaler/force-uptime': 'true'},
    replicas: 0,
    original: 3,
    at: NIGHT,
    expect: {action: 'up', replicas: 3},
  },
  {
    name: 'namespace force-uptime as a time spec, inside it',
    namespace: {'downscaler/uptime': OFFICE, 'downscaler/force-uptime': 'Mon-Fri 20:00-23:00 UTC'},
    replicas: 3,
    at: NIGHT,
    expect: {action: 'none', code: 'uptime'},
  },
  {
    name: 'namespace force-uptime as a time spec, outside it',
    namespace: {'downscaler/uptime': OFFICE, 'downscaler/force-uptime': 'Mon-Fri 20:00-23:00 UTC'},
    replicas: 3,
    at: LATE,
    expect: {action: 'down'},
  },
  {
    name: 'namespace force-downtime true: down at noon',
    namespace: {'downscaler/force-downtime': 'true'},
    replicas: 3,
    at: NOON,
    expect: {action: 'down', replicas: 0},
  },
  {
    name: 'workload force-downtime (GoKubeDownscaler)',
    workload: {'downscaler/force-downtime': 'true'},
    replicas: 3,
    at: NOON,
    expect: {action: 'down'},
  },
  {
    name: "workload force-uptime false beats its namespace's true",
    workload: {'downscaler/force-uptime': 'false'},
    namespace: {'downscaler/uptime': OFFICE, 'downscaler/force-uptime': 'true'},
    replicas: 3,
    at: NIGHT,
    expect: {action: 'down'},
  },
  {
    name: 'force-uptime wins over force-downtime',
    namespace: {'downscaler/force-uptime': 'true', 'downscaler/force-downtime': 'true'},
    replicas: 0,
    original: 2,
    at: NOON,
    expect: {action: 'up'},
  },
  {
    name: 'a running pod annotated force-uptime keeps everything up',
    namespace: {'downscaler/uptime': OFFICE},
    replicas: 3,
    at: NIGHT,
    pods: true,
    expect: {action: 'none', code: 'uptime'},
  },
  {
    name: "...unless the namespace's force-uptime says false",
    namespace: {'downscaler/uptime': OFFICE, 'downscaler/force-uptime': 'false'},
    replicas: 3,
    at: NIGHT,
    pods: true,
    expect: {action: 'down'},
  },
  {
    name: 'downscale-period: down inside it',
    workload: {'downscaler/downscale-period': 'Mon-Fri 20:00-23:00 UTC'},
    replicas: 3,
    at: NIGHT,
    expect: {action: 'down'},
  },
  {
    name: 'downscale-period: nothing outside it (no upscale period)',
    workload: {'downscaler/downscale-period': 'Mon-Fri 20:00-23:00 UTC'},
    replicas: 0,
    original: 3,
    at: LATE,
    expect: {action: 'none', code: 'ignore'},
  },
  {
    name: 'upscale-period: up inside it',
    workload: {
      'downscaler/downscale-period': 'Mon-Fri 20:00-23:00 UTC',
      'downscaler/upscale-period': 'Mon-Fri 06:00-08:00 UTC',
    },
    replicas: 0,
    original: 3,
    at: EARLY,
    expect: {action: 'up', replicas: 3},
  },
  {
    name: 'periods: nothing outside both',
    workload: {
      'downscaler/downscale-period': 'Mon-Fri 20:00-23:00 UTC',
      'downscaler/upscale-period': 'Mon-Fri 06:00-08:00 UTC',
    },
    replicas: 0,
    original: 3,
    at: NOON,
    expect: {action: 'none', code: 'ignore'},
  },
  {
    name: 'periods: nothing where they overlap',
    workload: {
      'downscaler/downscale-period': 'Mon-Fri 20:00-23:00 UTC',
      'downscaler/upscale-period': 'Mon-Fri 21:00-22:30 UTC',
    },
    replicas: 3,
    at: NIGHT,
    expect: {action: 'none', code: 'ignore'},
  },
  {
    name: "a namespace's period beats the workload's uptime (periods are checked first)",
    workload: {'downscaler/uptime': 'always'},
    namespace: {'downscaler/downscale-period': 'Mon-Fri 20:00-23:00 UTC'},
    replicas: 3,
    at: NIGHT,
    expect: {action: 'down'},
  },
  {
    name: 'CronJob: suspended in downtime (original 1)',
    kind: 'CronJob',
    namespace: {'downscaler/uptime': OFFICE},
    replicas: 1,
    at: NIGHT,
    expect: {action: 'down', replicas: 0, original: 1},
  },
  {
    name: 'CronJob: resumed in uptime',
    kind: 'CronJob',
    namespace: {'downscaler/uptime': OFFICE},
    replicas: 0,
    original: 1,
    at: NOON,
    expect: {action: 'up', replicas: 1},
  },
  {
    name: 'CronJob suspended by its owner (no original): left suspended',
    kind: 'CronJob',
    namespace: {'downscaler/uptime': OFFICE},
    replicas: 0,
    at: NOON,
    expect: {action: 'none', code: 'uptime'},
  },
  {
    name: 'CronJob with downtime-replicas 1: nothing to suspend',
    kind: 'CronJob',
    namespace: {'downscaler/uptime': OFFICE, 'downscaler/downtime-replicas': '1'},
    replicas: 1,
    at: NIGHT,
    expect: {action: 'none', code: 'downtime'},
  },
  {
    name: 'HPA: minReplicas lowered to downtime-replicas',
    kind: 'HorizontalPodAutoscaler',
    workload: {'downscaler/uptime': OFFICE, 'downscaler/downtime-replicas': '1'},
    replicas: 3,
    maxReplicas: 10,
    at: NIGHT,
    expect: {action: 'down', replicas: 1, original: 3},
  },
  {
    name: 'HPA: never below 1',
    kind: 'HorizontalPodAutoscaler',
    workload: {'downscaler/uptime': OFFICE},
    replicas: 3,
    maxReplicas: 10,
    at: NIGHT,
    expect: {action: 'none', code: 'invalid'},
  },
  {
    name: 'HPA: restored to minReplicas, at most maxReplicas',
    kind: 'HorizontalPodAutoscaler',
    workload: {'downscaler/uptime': OFFICE, 'downscaler/downtime-replicas': '1'},
    replicas: 1,
    original: 5,
    maxReplicas: 4,
    at: NOON,
    expect: {action: 'up', replicas: 4},
  },
  {
    name: 'Argo Rollout: like a Deployment',
    kind: 'Rollout',
    namespace: {'downscaler/uptime': OFFICE},
    replicas: 5,
    at: NIGHT,
    expect: {action: 'down', replicas: 0, original: 5},
  },
  {
    name: 'StatefulSet: like a Deployment',
    kind: 'StatefulSet',
    namespace: {'downscaler/uptime': OFFICE},
    replicas: 0,
    original: 2,
    at: NOON,
    expect: {action: 'up', replicas: 2},
  },
  {
    name: 'within the default grace period (15 minutes): not yet',
    workload: {'downscaler/uptime': OFFICE},
    replicas: 3,
    createdAt: '2024-03-04T21:55:00Z',
    at: NIGHT,
    expect: {action: 'none', code: 'grace'},
  },
  {
    name: 'grace-period annotation in seconds',
    workload: {'downscaler/uptime': OFFICE, 'downscaler/grace-period': '60'},
    replicas: 3,
    createdAt: '2024-03-04T21:55:00Z',
    at: NIGHT,
    expect: {action: 'down'},
  },
  {
    name: 'grace-period as a duration on the namespace',
    namespace: {'downscaler/uptime': OFFICE, 'downscaler/grace-period': '2m'},
    replicas: 3,
    createdAt: '2024-03-04T21:55:00Z',
    at: NIGHT,
    expect: {action: 'down'},
  },
  {
    name: 'grace-period in seconds longer than the default: py-kube-downscaler keeps the shorter default',
    workload: {'downscaler/uptime': OFFICE, 'downscaler/grace-period': '3600'},
    replicas: 3,
    createdAt: '2024-03-04T21:40:00Z',
    at: NIGHT,
    expect: {action: 'down'},
  },
  {
    name: 'grace-period "0" in seconds is ignored, as py-kube-downscaler ignores it: the default applies',
    workload: {'downscaler/uptime': OFFICE, 'downscaler/grace-period': '0'},
    replicas: 3,
    createdAt: '2024-03-04T21:55:00Z',
    at: NIGHT,
    expect: {action: 'none', code: 'grace'},
  },
  {
    name: 'a duration longer than the default replaces it (GoKubeDownscaler)',
    workload: {'downscaler/uptime': OFFICE, 'downscaler/grace-period': '1h'},
    replicas: 3,
    createdAt: '2024-03-04T21:40:00Z',
    at: NIGHT,
    expect: {action: 'none', code: 'grace'},
  },
  {
    name: 'created exactly one grace period ago: still within it (kube-downscaler compares with <=)',
    workload: {'downscaler/uptime': OFFICE},
    replicas: 3,
    createdAt: '2024-03-04T21:45:00Z',
    at: NIGHT,
    expect: {action: 'none', code: 'grace'},
  },
  {
    name: 'already at the original count: only the annotation goes',
    workload: {'downscaler/uptime': OFFICE},
    replicas: 3,
    original: 3,
    at: NOON,
    expect: {action: 'forget', original: 3},
  },
  {
    name: 'changed by hand during downtime, below the original: brought back up to it',
    workload: {'downscaler/uptime': OFFICE},
    replicas: 1,
    original: 3,
    at: NOON,
    expect: {action: 'up', replicas: 3},
  },
  {
    name: 'a second scale-down (downtime-replicas lowered) keeps the first original count',
    workload: {'downscaler/uptime': OFFICE},
    replicas: 1,
    original: 3,
    at: NIGHT,
    expect: {action: 'down', replicas: 0, original: 3},
  },
  {
    name: 'scaled up by hand above the original during downtime: that count is kept',
    workload: {'downscaler/uptime': OFFICE},
    replicas: 5,
    original: 3,
    at: NIGHT,
    expect: {action: 'down', original: 5},
  },
  {
    name: 'already down: nothing',
    workload: {'downscaler/uptime': OFFICE},
    replicas: 0,
    original: 3,
    at: NIGHT,
    expect: {action: 'none', code: 'downtime'},
  },
  {
    name: 'a finops.yaml holiday keeps it down all day',
    workload: {'downscaler/uptime': OFFICE},
    holidays: ['2024-03-04'],
    replicas: 3,
    at: NOON,
    expect: {action: 'down'},
  },
]

describe('kube-downscaler annotation matrix', () => {
  for (const row of rows) {
    it(row.name, () => {
      const resolution = resolvePolicy(
        {
          namespace: 'dev-1',
          labels: row.labels ?? {},
          annotations: row.workload ?? {},
          namespaceAnnotations: row.namespace ?? {},
        },
        row.configured ?? [],
        {holidays: row.holidays ?? [], timeZone: 'UTC'},
        new Date(row.at),
      )
      const scale: ObjectScale = {
        kind: row.kind ?? 'Deployment',
        replicas: row.replicas,
        originalReplicas: row.original,
        maxReplicas: row.maxReplicas,
        createdAt: row.createdAt ?? '2024-01-01T00:00:00Z',
      }
      expect(decideDownscale(resolution, scale, new Date(row.at), row.pods ?? false)).toMatchObject(row.expect)
    })
  }
})

describe('resolvePolicy', () => {
  it('says where each value came from, in kube-downscaler words', () => {
    const {policy} = resolvePolicy(
      {
        namespace: 'staging',
        labels: {},
        annotations: {'downscaler/downtime-replicas': '1'},
        namespaceAnnotations: {'downscaler/uptime': 'Mon-Fri 07:30-20:30 Europe/Berlin'},
      },
      [],
      {holidays: [], timeZone: 'UTC'},
      new Date(NOON),
    )
    expect(policy).toMatchObject({
      text: 'uptime Mon-Fri 07:30-20:30 Europe/Berlin',
      downtimeReplicas: 1,
      scheduled: true,
      holidayTimeZone: 'Europe/Berlin',
      sources: ['uptime: namespace annotation', 'downtime-replicas: workload annotation'],
    })
  })

  it('names the annotation and level of an unreadable value', () => {
    expect(
      resolvePolicy(
        {
          namespace: 'x',
          labels: {},
          annotations: {},
          namespaceAnnotations: {'downscaler/downtime': 'Mon-Fri 25:00-26:00 UTC'},
        },
        [],
        {holidays: [], timeZone: 'UTC'},
        new Date(NOON),
      ).problem,
    ).toMatch(/namespace annotation downscaler\/downtime 'Mon-Fri 25:00-26:00 UTC': .*not a time of day/)
  })
})

describe('downtimeShare', () => {
  const policyOf = (annotations: Record<string, string>) =>
    resolvePolicy(
      {namespace: 'x', labels: {}, annotations, namespaceAnnotations: {}},
      [],
      {holidays: [], timeZone: 'UTC'},
      0,
    ).policy!

  it('measures uptime schedules minute by minute', () => {
    expect(downtimeShare(policyOf({'downscaler/uptime': OFFICE}), new Date('2024-03-04T00:00:00Z'), 7)).toBeCloseTo(
      1 - 50 / 168,
      6,
    )
  })

  it('keeps the last state outside both periods, as kube-downscaler leaves the object alone', () => {
    // Down from 20:00 every day, up again at 06:00: 10 of 24 hours.
    const share = downtimeShare(
      policyOf({
        'downscaler/downscale-period': 'Mon-Sun 20:00-21:00 UTC',
        'downscaler/upscale-period': 'Mon-Sun 06:00-07:00 UTC',
      }),
      new Date('2024-03-04T00:00:00Z'),
      7,
    )
    expect(share).toBeCloseTo((10 * 7 - 6) / 168, 6)
  })
})

describe('parseDuration', () => {
  it.each([
    ['900', 900],
    ['15m', 900],
    ['1h30m', 5400],
    ['90s', 90],
    ['', undefined],
    ['soon', undefined],
    ['-5', undefined],
  ])('%j -> %j', (text, seconds) => expect(parseDuration(text)).toBe(seconds))
})
