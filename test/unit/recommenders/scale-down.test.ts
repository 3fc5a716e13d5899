import {describe, expect, it} from 'vitest'

import {recommendScaleDown} from '../../../recommenders/scale-down/recommend.js'
import {defaultRecommendSettings} from '../../../recommenders/settings.js'
import {days, input, MIB, usageFor, workload, DEFAULT_RATES} from '../../helpers/workload-builders.js'

const perReplica = (1 * DEFAULT_RATES.cpuCoreHour + 1 * DEFAULT_RATES.memoryGiBHour) * 730
const idleDays = days(
  8,
  () => 0.001,
  () => 50 * MIB,
)
const busyDays = days(
  8,
  () => 0.4,
  () => 300 * MIB,
)
// 2024-03-04 is a Monday: the four weeks from it hold whole weeks.
const monday = new Date('2024-03-04T00:00:00Z')

describe('recommendScaleDown', () => {
  it('proposes zero replicas for an idle workload and saves its whole cost', () => {
    const w = workload()
    const result = recommendScaleDown(input([w], [usageFor(w, 'app', idleDays)]))
    const [rec] = result.recommendations
    expect(rec).toMatchObject({kind: 'scale-down', current: {replicas: 3}, proposed: {replicas: 0}})
    expect(rec!.monthlySavings).toBeCloseTo(perReplica * 3, 1)
    expect(rec!.risk.reasons.join(' ')).toMatch(/CPU only/)
    expect(rec!.id).toMatch(/^sd-/)
  })

  it("counts a native sidecar's requests in the saving, not a plain init container's", () => {
    const w = workload({
      initContainers: [
        {name: 'proxy', restartPolicy: 'Always', requests: {cpu: 1, memory: 2 ** 30}, limits: {}},
        {name: 'migrate', requests: {cpu: 4, memory: 8 * 2 ** 30}, limits: {}},
      ],
    })
    const [rec] = recommendScaleDown(input([w], [usageFor(w, 'app', idleDays)])).recommendations
    expect(rec!.monthlySavings).toBeCloseTo(perReplica * 3 * 2, 1)
  })

  it('does not call a workload idle on too few days', () => {
    const w = workload()
    expect(recommendScaleDown(input([w], [usageFor(w, 'app', idleDays.slice(0, 3))])).recommendations).toEqual([])
  })

  it('prices a kube-downscaler uptime annotation by the hours it saves', () => {
    const w = workload({annotations: {'downscaler/uptime': 'Mon-Fri 08:00-18:00 UTC'}})
    const [rec] = recommendScaleDown(input([w], [usageFor(w, 'app', busyDays)], {now: monday})).recommendations
    expect(rec!.proposed).toEqual({replicas: 0, schedule: 'uptime Mon-Fri 08:00-18:00 UTC'})
    expect(rec!.evidence.percentiles!.downtimeShare).toBeCloseTo(118 / 168, 3)
    expect(rec!.monthlySavings).toBeCloseTo(perReplica * 3 * (118 / 168), 0)
    expect(rec!.risk.level).toBe('low')
  })

  it('reads namespace annotations and downtime-replicas', () => {
    const w = workload()
    const namespaces = [
      {
        cluster: 'c1',
        name: 'shop',
        labels: {},
        annotations: {'downscaler/downtime': 'Sat-Sun 00:00-24:00 UTC', 'downscaler/downtime-replicas': '1'},
      },
    ]
    const [rec] = recommendScaleDown(
      input([w], [usageFor(w, 'app', busyDays)], {now: monday, namespaces}),
    ).recommendations
    expect(rec!.proposed.replicas).toBe(1)
    expect(rec!.monthlySavings).toBeCloseTo(perReplica * 2 * (2 / 7), 0)
  })

  it('uses finops.yaml schedules and holidays', () => {
    const configured = defaultRecommendSettings()
    configured.scaleDown.schedules = [{namespaces: ['sh*'], uptime: 'Mon-Fri 08:00-18:00 UTC'}]
    configured.scaleDown.holidays = ['2024-03-05', '2024-03-06']
    const w = workload()
    const [rec] = recommendScaleDown(
      input([w], [usageFor(w, 'app', busyDays)], {now: monday, settings: configured}),
    ).recommendations
    // Two weekdays of 10 uptime hours become downtime: 20 of the 4 x 168 hours.
    expect(rec!.evidence.percentiles!.downtimeShare).toBeCloseTo((4 * 118 + 20) / (4 * 168), 3)
    expect(rec!.evidence.notes!.join('\n')).toMatch(/finops.yaml schedules\[0\]/)
  })

  it('reports exclusions and schedules that save nothing as skipped', () => {
    const excluded = workload({
      name: 'payments',
      annotations: {'downscaler/uptime': 'Mon-Fri 08:00-18:00 UTC', 'downscaler/exclude': 'true'},
    })
    const floor = workload({
      name: 'cache',
      annotations: {'downscaler/uptime': 'Mon-Fri 08:00-18:00 UTC', 'downscaler/downtime-replicas': '3'},
    })
    const result = recommendScaleDown(
      input([excluded, floor], [usageFor(excluded, 'app', busyDays), usageFor(floor, 'app', busyDays)], {now: monday}),
    )
    expect(result.recommendations).toEqual([])
    expect(result.skipped.map((s) => [s.target.name, s.reason])).toEqual([
      ['payments', 'excluded by workload annotation downscaler/exclude=true'],
      ['cache', 'schedule (uptime Mon-Fri 08:00-18:00 UTC) keeps 3 replica(s) in downtime: nothing to save at 3'],
    ])
  })

  it('skips a workload whose downscaler annotation cannot be read and still recommends the others', () => {
    const typo = workload({name: 'typo', annotations: {'downscaler/uptime': 'Mon-Fry 08:00-18:00 UTC'}})
    const until = workload({
      name: 'until',
      annotations: {'downscaler/exclude-until': 'next week', 'downscaler/uptime': 'Mon-Fri 08:00-18:00 UTC'},
    })
    const fine = workload({name: 'fine', annotations: {'downscaler/uptime': 'Mon-Fri 08:00-18:00 UTC'}})
    const result = recommendScaleDown(
      input(
        [typo, until, fine],
        [usageFor(typo, 'app', busyDays), usageFor(until, 'app', busyDays), usageFor(fine, 'app', busyDays)],
        {now: monday},
      ),
    )
    expect(result.recommendations.map((r) => r.target.name)).toEqual(['fine'])
    expect(result.skipped.map((s) => [s.target.name, s.reason])).toEqual([
      [
        'typo',
        expect.stringMatching(
          /^schedule cannot be read: workload annotation downscaler\/uptime 'Mon-Fry 08:00-18:00 UTC': unknown day 'Fry'/,
        ),
      ],
      [
        'until',
        expect.stringMatching(
          /^schedule cannot be read: workload annotation downscaler\/exclude-until 'next week' is not a date/,
        ),
      ],
    ])
  })

  it('leaves DaemonSets and HPA-managed idle workloads to their owners', () => {
    const ds = workload({kind: 'DaemonSet', name: 'agent'})
    const hpa = workload({name: 'web', hpa: {name: 'web', minReplicas: 2, maxReplicas: 4, targets: []}})
    const result = recommendScaleDown(input([ds, hpa], [usageFor(ds, 'app', idleDays), usageFor(hpa, 'app', idleDays)]))
    expect(result.recommendations).toEqual([])
    expect(result.skipped.map((s) => s.target.name)).toEqual(['web'])
    expect(result.skipped[0]!.reason).toMatch(/HPA web keeps minReplicas 2/)
  })
})
