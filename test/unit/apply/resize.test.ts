import {describe, expect, it} from 'vitest'

import {
  hourlyRequest,
  hourStart,
  planPodResize,
  type PodView,
  podView,
  qosOf,
  scheduleProblem,
} from '../../../src/apply/resize.js'
import type {ContainerResources} from '../../../src/model/action.js'
import {clusterRoleRules} from '../../../src/run/manifests.js'

const pod = (
  requests: Record<string, string>,
  limits: Record<string, string> = {},
  over: Partial<PodView> = {},
): PodView => ({
  name: 'p1',
  namespace: 'shop',
  labels: {},
  deleting: false,
  containers: [{name: 'app', requests, limits, cpuRestart: false}],
  ...over,
})

const plan = (p: PodView, cores: number, options: {allowRestart?: boolean; resizedAt?: string} = {}) =>
  planPodResize(p, 'app', cores, {allowRestart: false, hour: 2, ...options})

describe('hour-of-day schedule: which value, and whether it can be trusted', () => {
  it('takes the value of the UTC hour, whatever the local zone', () => {
    const values = Array.from({length: 24}, (_, h) => h / 10 + 0.1)
    expect(hourlyRequest(values, new Date('2026-12-01T02:59:59Z'))).toBeCloseTo(0.3)
    expect(hourlyRequest(values, new Date('2026-12-01T23:00:00+01:00'))).toBeCloseTo(2.3)
    expect(hourStart(new Date('2026-12-01T02:59:59.999Z')).toISOString()).toBe('2026-12-01T02:00:00.000Z')
  })

  it.each([
    [Array(24).fill(0.2), undefined],
    [Array(23).fill(0.2), 'cpuRequestByHour has 23 values, not 24 (one per UTC hour)'],
    [Array(25).fill(0.2), 'cpuRequestByHour has 25 values, not 24 (one per UTC hour)'],
    [[...Array(23).fill(0.2), -1], 'cpuRequestByHour[23] -1 is outside the sane range 1m to 2048'],
    [[1e6, ...Array(23).fill(0.2)], 'cpuRequestByHour[0] 1000000 is outside the sane range 1m to 2048'],
    [[Number.NaN, ...Array(23).fill(0.2)], 'cpuRequestByHour[0] NaN is outside the sane range 1m to 2048'],
    [[0, ...Array(23).fill(0.2)], 'cpuRequestByHour[0] 0 is outside the sane range 1m to 2048'],
    ['0.2', 'cpuRequestByHour is not a list'],
  ])('%j -> %s', (values, problem) => {
    expect(scheduleProblem(values)).toBe(problem)
  })
})

describe('planPodResize', () => {
  it('resizes only the cpu request, keeping everything else the container has', () => {
    expect(plan(pod({cpu: '2', memory: '1Gi'}, {memory: '2Gi'}), 1.9)).toEqual({
      type: 'resize',
      before: {name: 'app', requests: {cpu: '2', memory: '1Gi'}, limits: {memory: '2Gi'}},
      after: {name: 'app', requests: {cpu: '1900m', memory: '1Gi'}, limits: {memory: '2Gi'}},
      reason: "cpu request 2 -> 1900m (the schedule's 02h UTC value)",
    })
  })

  it('sends nothing for a pod already at the value (2 and 2000m are the same), even a RestartContainer one', () => {
    const restart = pod(
      {cpu: '2000m'},
      {},
      {containers: [{name: 'app', requests: {cpu: '2000m'}, limits: {}, cpuRestart: true}]},
    )
    expect(plan(restart, 2)).toMatchObject({type: 'skip', code: 'noop'})
  })

  it('resizes a pod at most once an hour', () => {
    expect(plan(pod({cpu: '3'}), 0.2, {resizedAt: '2026-12-01T02:10:00.000Z'})).toMatchObject({
      type: 'skip',
      code: 'hourly',
    })
  })

  it('does not send again what the node called Infeasible, nor more; a smaller value is tried', () => {
    const stuck = pod(
      {cpu: '1900m'},
      {},
      {pending: {reason: 'Infeasible', message: 'cpu, requested: 1900, capacity: 1500'}},
    )
    expect(plan(stuck, 1.9)).toMatchObject({type: 'skip', code: 'infeasible'})
    expect(plan(stuck, 2.5)).toMatchObject({type: 'skip', code: 'infeasible'})
    expect(plan(stuck, 0.2)).toMatchObject({type: 'resize'})
    // Deferred: the kubelet retries it, nothing to send.
    const deferred = pod({cpu: '1900m'}, {}, {pending: {reason: 'Deferred', message: 'used: 15'}})
    expect(plan(deferred, 1.9)).toMatchObject({type: 'skip', code: 'noop', reason: expect.stringContaining('deferred')})
  })

  it('skips what the API server refuses: a Guaranteed pod, a request above its limit, a QoS change', () => {
    expect(plan(pod({cpu: '1', memory: '1Gi'}, {cpu: '1', memory: '1Gi'}), 0.5)).toMatchObject({code: 'qos'})
    expect(plan(pod({cpu: '1'}, {cpu: '2'}), 3)).toMatchObject({code: 'limits'})
    // Burstable whose memory already meets its limit: cpu 2 would make every request meet its limit.
    expect(plan(pod({cpu: '1', memory: '1Gi'}, {cpu: '2', memory: '1Gi'}), 2)).toMatchObject({code: 'qos'})
    expect(plan(pod({cpu: '1', memory: '1Gi'}, {cpu: '2', memory: '1Gi'}), 1.5)).toMatchObject({type: 'resize'})
  })

  it('refuses a container that restarts on a cpu resize unless restarts are allowed', () => {
    const restart = pod(
      {cpu: '2'},
      {},
      {containers: [{name: 'app', requests: {cpu: '2'}, limits: {}, cpuRestart: true}]},
    )
    expect(plan(restart, 0.2)).toMatchObject({type: 'refuse'})
    expect(plan(restart, 0.2, {allowRestart: true})).toMatchObject({type: 'resize'})
  })

  it('names a missing container', () => {
    expect(planPodResize(pod({cpu: '1'}), 'sidecar', 0.2, {allowRestart: false, hour: 0})).toMatchObject({
      code: 'not-found',
    })
  })
})

describe('podView and qosOf', () => {
  it('reads the policy, the pending condition and numbers as quantities', () => {
    const view = podView({
      metadata: {name: 'p', namespace: 'shop', labels: {app: 'x'}, deletionTimestamp: '2026-12-01T00:00:00Z'},
      spec: {
        containers: [
          {
            name: 'app',
            resources: {requests: {cpu: 2}, limits: {memory: '1Gi'}},
            resizePolicy: [{resourceName: 'cpu', restartPolicy: 'RestartContainer'}],
          },
        ],
      },
      status: {
        phase: 'Running',
        conditions: [
          {type: 'PodResizeInProgress', status: 'True'},
          {type: 'PodResizePending', status: 'True', reason: 'Infeasible', message: 'too big'},
        ],
      },
    })
    expect(view).toMatchObject({
      deleting: true,
      phase: 'Running',
      containers: [{requests: {cpu: '2'}, cpuRestart: true}],
      pending: {reason: 'Infeasible', message: 'too big'},
    })
  })

  it.each([
    [[{name: 'a', requests: {}, limits: {}}], 'BestEffort'],
    [[{name: 'a', requests: {cpu: '1'}, limits: {}}], 'Burstable'],
    [[{name: 'a', requests: {}, limits: {cpu: '1', memory: '1Gi'}}], 'Guaranteed'],
    [[{name: 'a', requests: {cpu: '1000m', memory: '1Gi'}, limits: {cpu: '1', memory: '1024Mi'}}], 'Guaranteed'],
    [
      [
        {name: 'a', requests: {cpu: '1', memory: '1Gi'}, limits: {cpu: '1', memory: '1Gi'}},
        {name: 'b', requests: {cpu: '1'}, limits: {}},
      ],
      'Burstable',
    ],
  ] as [ContainerResources[], string][])('%j is %s', (containers, qos) => {
    expect(qosOf(containers)).toBe(qos)
  })
})

describe('the CronJob ClusterRole for pod resizes', () => {
  it('grants get pods and patch pods/resize only when apply.resize is on', () => {
    const resize = (rules: ReturnType<typeof clusterRoleRules>) =>
      rules.filter(
        (r) => r.resources.includes('pods/resize') || (r.resources.includes('pods') && r.verbs.includes('get')),
      )
    expect(resize(clusterRoleRules([], false))).toEqual([])
    expect(resize(clusterRoleRules([], true))).toEqual([
      {apiGroups: [''], resources: ['pods'], verbs: ['get']},
      {apiGroups: [''], resources: ['pods/resize'], verbs: ['patch']},
    ])
  })
})
