import {describe, expect, it} from 'vitest'

import {buildCandidates, readSchedule} from '../../../src/apply/candidates.js'
import {buildPatch, selectorMatches} from '../../../src/apply/fields.js'
import {requiredAvailable} from '../../../src/apply/guardrails.js'
import {isInDowntime} from '../../../recommenders/schedules.js'

describe('requiredAvailable (PDB arithmetic, as the disruption controller rounds)', () => {
  it.each([
    [{minAvailable: 2}, 5, 2],
    [{minAvailable: '50%'}, 3, 2],
    [{minAvailable: '100%'}, 4, 4],
    [{maxUnavailable: 1}, 3, 2],
    [{maxUnavailable: '25%'}, 3, 2],
    [{maxUnavailable: 5}, 3, 0],
    [{}, 3, 0],
  ])('%j at %i replicas requires %i', (pdb, replicas, required) => {
    expect(requiredAvailable(pdb, replicas)).toBe(required)
  })
})

describe('selectorMatches', () => {
  const labels = {app: 'api', tier: 'backend'}
  it.each([
    [{matchLabels: {app: 'api'}}, true],
    [{matchLabels: {app: 'web'}}, false],
    [{matchExpressions: [{key: 'tier', operator: 'In', values: ['backend', 'db']}]}, true],
    [{matchExpressions: [{key: 'tier', operator: 'NotIn', values: ['backend']}]}, false],
    [{matchExpressions: [{key: 'canary', operator: 'DoesNotExist'}]}, true],
    [{matchExpressions: [{key: 'canary', operator: 'Exists'}]}, false],
    [{}, true],
    [undefined, false],
  ])('%j -> %s', (selector, expected) => {
    expect(selectorMatches(selector, labels)).toBe(expected)
  })
})

describe('buildPatch', () => {
  it('removes keys that the desired state lacks (null) and carries the resourceVersion', () => {
    const live = {container: {name: 'app', requests: {cpu: '1', memory: '1Gi'}, limits: {memory: '2Gi'}}}
    const desired = {container: {name: 'app', requests: {cpu: '250m'}, limits: {}}}
    expect(buildPatch(live, desired, '42')).toEqual({
      metadata: {resourceVersion: '42'},
      spec: {
        template: {
          spec: {
            containers: [{name: 'app', resources: {requests: {cpu: '250m', memory: null}, limits: {memory: null}}}],
          },
        },
      },
    })
  })

  it('sends nothing when live already equals desired, and deletes emptied selectors and tolerations', () => {
    expect(
      buildPatch({replicas: 3, annotations: {a: null}}, {replicas: 1, annotations: {a: null}}, '1'),
    ).toBeUndefined()
    expect(
      buildPatch({nodeSelector: {x: 'y'}, tolerations: [{key: 'k'}]}, {nodeSelector: {}, tolerations: []}, undefined),
    ).toEqual({metadata: {}, spec: {template: {spec: {nodeSelector: null, tolerations: null}}}})
  })
})

describe('readSchedule', () => {
  it("reads the recommenders' text form back into a schedule", () => {
    const schedule = readSchedule('uptime Mon-Fri 07:30-20:30 Europe/Berlin')
    if (typeof schedule === 'string') throw new Error(schedule)
    expect(isInDowntime(schedule, new Date('2024-09-04T22:00:00Z'))).toBe(true) // Wed 00:00 Berlin
    expect(isInDowntime(schedule, new Date('2024-09-04T10:00:00Z'))).toBe(false)
    const both = readSchedule('uptime always; downtime Sat-Sun 00:00-24:00 UTC')
    if (typeof both === 'string') throw new Error(both)
    expect(isInDowntime(both, new Date('2024-09-07T12:00:00Z'))).toBe(true)
    expect(isInDowntime(both, new Date('2024-09-06T12:00:00Z'))).toBe(false)
  })

  it('keeps workloads down on a configured holiday, in apply as in the recommenders', () => {
    const text = 'uptime Mon-Fri 07:30-20:30 Europe/Berlin'
    const thursdayNoon = new Date('2026-11-26T11:00:00Z')
    const plain = readSchedule(text)
    const withHoliday = readSchedule(text, {holidays: ['2026-11-26'], timeZone: 'UTC'})
    if (typeof plain === 'string' || typeof withHoliday === 'string') throw new Error('unreadable')
    expect(isInDowntime(plain, thursdayNoon)).toBe(false)
    expect(isInDowntime(withHoliday, thursdayNoon)).toBe(true)
    // So an open scheduled scale-down is not restored during the holiday.
    const target = {namespace: 'staging', kind: 'Deployment', name: 'api'}
    const open = new Map([
      [
        'staging/Deployment/api',
        {id: 'act-1', target, schedule: text, before: {replicas: 2}, after: {replicas: 0}} as never,
      ],
    ])
    const restoring = buildCandidates({recommendations: [], open, kinds: ['scale-down'], now: thursdayNoon})
    const holiday = buildCandidates({
      recommendations: [],
      open,
      kinds: ['scale-down'],
      now: thursdayNoon,
      scheduleDefaults: {holidays: ['2026-11-26'], timeZone: 'UTC'},
    })
    expect(restoring.candidates.map((c) => c.kind)).toEqual(['restore'])
    expect(holiday.candidates).toEqual([])
  })

  it('returns the problem for an unreadable schedule', () => {
    expect(readSchedule('uptime Mon-Fri 25:00-26:00 Mars/Olympus')).toMatch(/cannot be read/)
  })
})
