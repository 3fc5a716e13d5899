import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import * as k8s from '@kubernetes/client-node'

import {KubernetesCluster} from '../../../src/apply/cluster.js'
import {applyRecommendations, type ApplyOptions} from '../../../src/apply/execute.js'
import {rollbackActions} from '../../../src/apply/rollback.js'
import {parseConfig} from '../../../src/config/index.js'
import {listActions} from '../../../src/store/actions.js'
import {type Db, openStore} from '../../../src/store/open.js'
import {tempDir} from '../../helpers/cli.js'
import {ARGO_ROLLOUTS, type KubeApiServer, type KubeObject, startKubeApi} from '../../servers/kube-api.js'
import {cronJob, deployment, hpa, namespace, rollout, scheduledHpa} from '../../helpers/cluster-fixture.js'
import {kubeDownscalerScan} from '../../helpers/kube-downscaler-stand-in.js'
import {scaleDownRec} from '../../helpers/recommendations.js'

const OFFICE = 'Mon-Fri 08:00-18:00 UTC'
// Wednesday 2024-09-04.
const NIGHT = new Date('2024-09-04T22:00:00Z')
const MORNING = new Date('2024-09-05T09:00:00Z')
const ALL_KINDS = ['Deployment', 'StatefulSet', 'CronJob', 'HorizontalPodAutoscaler', 'Rollout']

let server: KubeApiServer
let db: Db
let cleanup: () => void

const clusterFor = (): KubernetesCluster => {
  const kc = new k8s.KubeConfig()
  kc.loadFromString(server.kubeconfig())
  return new KubernetesCluster(kc)
}

function options(overrides: Partial<ApplyOptions> & {config?: Record<string, unknown>} = {}): ApplyOptions {
  const settings = parseConfig({apply: {schedules: {kinds: ALL_KINDS}, ...overrides.config}}).apply
  return {
    settings,
    kinds: ['scale-down'],
    maxActions: 50,
    enforce: true,
    runId: 'run-test',
    identity: 'tester@test',
    now: NIGHT,
    ...overrides,
  }
}

const writes = () => server.requests.filter((r) => r.method !== 'GET')

/** The fields a schedule touches, for comparing cluster states. */
function state(apiVersion: string, kind: string, name: string, ns = 'dev') {
  const o = server.get(apiVersion, kind, name, ns)!
  const spec = o.spec as {replicas?: number; suspend?: boolean; minReplicas?: number}
  return {
    annotations: o.metadata.annotations ?? {},
    replicas: spec.replicas,
    suspend: spec.suspend,
    minReplicas: spec.minReplicas,
  }
}
const web = () => state('apps/v1', 'Deployment', 'web')
const db0 = () => state('apps/v1', 'StatefulSet', 'db')
const report = () => state('batch/v1', 'CronJob', 'report')
const apiHpa = () => state('autoscaling/v2', 'HorizontalPodAutoscaler', 'api')
const canary = () => state('argoproj.io/v1alpha1', 'Rollout', 'canary')
const everything = () => ({web: web(), db: db0(), report: report(), api: apiHpa(), canary: canary()})

/** A dev namespace scheduled for office hours, with one object of every schedulable kind. */
function devCluster(): KubeObject[] {
  return [
    namespace('dev', {'downscaler/uptime': OFFICE}),
    deployment('dev', 'web', {replicas: 3}),
    deployment('dev', 'db', {replicas: 2, kind: 'StatefulSet'}),
    cronJob('dev', 'report'),
    deployment('dev', 'api', {replicas: 4}),
    // The HPA keeps one pod at night; the Deployment it scales is left to it.
    scheduledHpa('dev', 'api', {minReplicas: 4, annotations: {'downscaler/downtime-replicas': '1'}}),
    rollout('dev', 'canary', {replicas: 5}),
  ]
}

beforeEach(async () => {
  const tmp = tempDir()
  cleanup = tmp.cleanup
  db = openStore(path.join(tmp.dir, 'finops.db'))
  server = await startKubeApi()
  server.defineResource(ARGO_ROLLOUTS)
  // Old enough for the grace period.
  for (const o of devCluster()) server.put({...o, metadata: {...o.metadata, creationTimestamp: '2024-01-01T00:00:00Z'}})
  // The api Deployment is scaled by its HPA: excluded, as kube-downscaler's README advises.
  const api = server.get('apps/v1', 'Deployment', 'api', 'dev')!
  server.put({...api, metadata: {...api.metadata, annotations: {'downscaler/exclude': 'true'}}})
})

afterEach(async () => {
  db.close()
  await server.close()
  cleanup()
})

describe('schedules on every kind (kube-downscaler annotations, judged on the live cluster)', () => {
  it('scales each kind down at night and back up in the morning, with no recommendation and no inventory', async () => {
    const cluster = clusterFor()
    const before = everything()

    const dry = await applyRecommendations(db, cluster, [], options({enforce: false}))
    expect(writes()).toEqual([])
    expect(dry.actions.map((a) => [a.target.kind, a.target.name, a.status]).sort()).toEqual([
      ['CronJob', 'report', 'planned'],
      ['Deployment', 'web', 'planned'],
      ['HorizontalPodAutoscaler', 'api', 'planned'],
      ['Rollout', 'canary', 'planned'],
      ['StatefulSet', 'db', 'planned'],
    ])

    const night = await applyRecommendations(db, cluster, [], options())
    expect(night.summary).toMatchObject({applied: 5, failed: 0})
    expect(everything()).toEqual({
      web: {...before.web, replicas: 0, annotations: {'downscaler/original-replicas': '3'}},
      db: {...before.db, replicas: 0, annotations: {'downscaler/original-replicas': '2'}},
      report: {...before.report, suspend: true, annotations: {'downscaler/original-replicas': '1'}},
      api: {
        ...before.api,
        minReplicas: 1,
        annotations: {'downscaler/downtime-replicas': '1', 'downscaler/original-replicas': '4'},
      },
      canary: {...before.canary, replicas: 0, annotations: {'downscaler/original-replicas': '5'}},
    })
    // Replicas through the scale subresource (annotation first); CronJob and HPA in one patch each;
    // the Rollout (a custom resource) with a merge patch, which is all the API server takes for it.
    const byPath = (p: string) => writes().filter((r) => r.path.includes(p))
    expect(byPath('/deployments/web').map((r) => [r.method, r.path.endsWith('/scale')])).toEqual([
      ['PATCH', false],
      ['PUT', true],
    ])
    expect(byPath('/rollouts/canary').map((r) => [r.method, r.contentType, r.path.endsWith('/scale')])).toEqual([
      ['PATCH', 'application/merge-patch+json', false],
      ['PUT', 'application/json', true],
    ])
    expect(byPath('/cronjobs/report')).toMatchObject([
      {method: 'PATCH', body: {spec: {suspend: true}, metadata: {annotations: {'downscaler/original-replicas': '1'}}}},
    ])
    expect(byPath('/horizontalpodautoscalers/api')).toMatchObject([{method: 'PATCH', body: {spec: {minReplicas: 1}}}])
    expect(listActions(db).every((a) => a.kind === 'scale-down' && a.schedule === `uptime ${OFFICE}`)).toBe(true)

    server.clearLog()
    const again = await applyRecommendations(db, cluster, [], options({runId: 'run-2'}))
    expect(again.actions).toEqual([])
    expect(writes()).toEqual([])

    const morning = await applyRecommendations(db, cluster, [], options({now: MORNING, runId: 'run-3'}))
    expect(morning.actions.map((a) => [a.kind, a.target.name, a.status]).sort()).toEqual([
      ['restore', 'api', 'applied'],
      ['restore', 'canary', 'applied'],
      ['restore', 'db', 'applied'],
      ['restore', 'report', 'applied'],
      ['restore', 'web', 'applied'],
    ])
    expect(everything()).toEqual(before)
    // Each restore points at the scale-down it undid.
    const downs = new Map(night.actions.map((a) => [a.target.name, a.id]))
    for (const a of morning.actions) expect(a.restoresActionId).toBe(downs.get(a.target.name))
  })

  it('rolls each kind back to the exact before-state, the scale-downs and then the restores', async () => {
    const cluster = clusterFor()
    const before = everything()
    await applyRecommendations(db, cluster, [], options({runId: 'run-night'}))
    const nightState = everything()
    const rolled = await rollbackActions(db, cluster, 'run-night', {enforce: true, force: false, conflictRetries: 2})
    expect(rolled.summary).toMatchObject({rolledBack: 5, failed: 0})
    expect(everything()).toEqual(before)

    // Down again, up in the morning, and the morning rolled back: back to the night state.
    await applyRecommendations(db, cluster, [], options({runId: 'run-night-2'}))
    await applyRecommendations(db, cluster, [], options({now: MORNING, runId: 'run-morning'}))
    expect(everything()).toEqual(before)
    const undone = await rollbackActions(db, cluster, 'run-morning', {enforce: true, force: false, conflictRetries: 2})
    expect(undone.results.map((r) => r.status)).toEqual(Array(5).fill('rolled-back'))
    expect(everything()).toEqual(nightState)
  })
})

describe('switch-over between kube-downscaler and finops (the shared downscaler/original-replicas)', () => {
  it('finops restores what kube-downscaler scaled down', async () => {
    const before = everything()
    // kube-downscaler scaled the namespace down at night (it does not know Rollouts' kind here).
    expect(await kubeDownscalerScan(server.url, NIGHT)).toEqual([
      'CronJob/dev/report',
      'Deployment/dev/web',
      'HorizontalPodAutoscaler/dev/api',
      'StatefulSet/dev/db',
    ])
    expect(web()).toMatchObject({replicas: 0, annotations: {'downscaler/original-replicas': '3'}})
    // It is uninstalled; finops runs in the morning with an empty store.
    const morning = await applyRecommendations(db, clusterFor(), [], options({now: MORNING}))
    expect(morning.actions.map((a) => [a.kind, a.target.name, a.status]).sort()).toEqual([
      ['restore', 'api', 'applied'],
      ['restore', 'db', 'applied'],
      ['restore', 'report', 'applied'],
      ['restore', 'web', 'applied'],
    ])
    expect(everything()).toEqual(before)
    // Nothing of kube-downscaler's was in the journal: each restore stands alone.
    expect(morning.actions.every((a) => a.restoresActionId === undefined)).toBe(true)
  })

  it('kube-downscaler restores what finops scaled down', async () => {
    const before = everything()
    await applyRecommendations(db, clusterFor(), [], options())
    // finops is replaced by kube-downscaler before the morning.
    expect(await kubeDownscalerScan(server.url, MORNING)).toEqual([
      'CronJob/dev/report',
      'Deployment/dev/web',
      'HorizontalPodAutoscaler/dev/api',
      'StatefulSet/dev/db',
    ])
    const {canary: _canary, ...rest} = everything()
    const {canary: _c, ...expected} = before
    expect(rest).toEqual(expected)
  })

  it('finops restores a workload older finops versions scaled down (finops.io annotations)', async () => {
    const w = server.get('apps/v1', 'Deployment', 'web', 'dev')!
    server.put({
      ...w,
      metadata: {
        ...w.metadata,
        annotations: {'finops.io/original-replicas': '3', 'finops.io/downtime-schedule': `uptime ${OFFICE}`},
      },
      spec: {...(w.spec as object), replicas: 0},
    })
    const morning = await applyRecommendations(db, clusterFor(), [], options({now: MORNING}))
    expect(morning.actions.find((a) => a.target.name === 'web')).toMatchObject({
      kind: 'restore',
      status: 'applied',
      after: {
        replicas: 3,
        annotations: {
          'downscaler/original-replicas': null,
          'finops.io/original-replicas': null,
          'finops.io/downtime-schedule': null,
        },
      },
    })
    expect(web()).toMatchObject({replicas: 3, annotations: {}})
  })
})

describe('DaemonSets, suspended as kube-downscaler suspends them (a nodeSelector no node matches)', () => {
  const agent = () => {
    const o = server.get('apps/v1', 'DaemonSet', 'agent', 'dev')!
    const spec = o.spec as {template: {spec: {nodeSelector?: Record<string, string>}}}
    return {annotations: o.metadata.annotations ?? {}, nodeSelector: spec.template.spec.nodeSelector}
  }
  const withAgent = () => {
    const o = deployment('dev', 'agent', {nodeSelector: {'kubernetes.io/os': 'linux'}})
    const {replicas: _replicas, ...spec} = o.spec as {replicas?: number}
    server.put({
      ...o,
      kind: 'DaemonSet',
      metadata: {...o.metadata, creationTimestamp: '2024-01-01T00:00:00Z'},
      spec,
    })
  }
  const daemonSetOptions = (now: Date, runId: string) =>
    options({now, runId, config: {schedules: {kinds: ['DaemonSet']}}})

  it('finops suspends one at night and resumes it in the morning, and kube-downscaler resumes what finops suspended', async () => {
    withAgent()
    const before = agent()
    const night = await applyRecommendations(db, clusterFor(), [], daemonSetOptions(NIGHT, 'run-night'))
    expect(night.actions.map((a) => [a.kind, a.target.kind, a.target.name, a.status])).toEqual([
      ['scale-down', 'DaemonSet', 'agent', 'applied'],
    ])
    expect(agent()).toEqual({
      annotations: {'downscaler/original-replicas': '1'},
      nodeSelector: {'kubernetes.io/os': 'linux', 'kube-downscaler-non-existent': 'true'},
    })
    const morning = await applyRecommendations(db, clusterFor(), [], daemonSetOptions(MORNING, 'run-morning'))
    expect(morning.actions.map((a) => [a.kind, a.target.name, a.status])).toEqual([['restore', 'agent', 'applied']])
    expect(agent()).toEqual(before)

    await applyRecommendations(db, clusterFor(), [], daemonSetOptions(NIGHT, 'run-night-2'))
    expect(await kubeDownscalerScan(server.url, MORNING, {daemonSets: true})).toContain('DaemonSet/dev/agent')
    expect(agent()).toEqual(before)
  })

  it('finops resumes a DaemonSet kube-downscaler suspended, and rolls the suspension back', async () => {
    withAgent()
    const before = agent()
    expect(await kubeDownscalerScan(server.url, NIGHT, {daemonSets: true})).toContain('DaemonSet/dev/agent')
    expect(agent().nodeSelector).toMatchObject({'kube-downscaler-non-existent': 'true'})
    const morning = await applyRecommendations(db, clusterFor(), [], daemonSetOptions(MORNING, 'run-morning'))
    expect(morning.actions.map((a) => [a.kind, a.target.name, a.status])).toEqual([['restore', 'agent', 'applied']])
    expect(agent()).toEqual(before)

    await applyRecommendations(db, clusterFor(), [], daemonSetOptions(NIGHT, 'run-night'))
    const rolled = await rollbackActions(db, clusterFor(), 'run-night', {
      enforce: true,
      force: false,
      conflictRetries: 2,
    })
    expect(rolled.summary).toMatchObject({rolledBack: 1, failed: 0})
    expect(agent()).toEqual(before)
  })
})

describe("standalone Jobs, suspended as kube-downscaler suspends them (spec.suspend; a CronJob's Jobs are the CronJob's)", () => {
  const job = (name: string, ownerReferences?: KubeObject['metadata']['ownerReferences']): KubeObject => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: 'dev',
      creationTimestamp: '2024-01-01T00:00:00Z',
      ...(ownerReferences ? {ownerReferences} : {}),
    },
    spec: {suspend: false, template: {spec: {restartPolicy: 'Never', containers: [{name: 'run', image: 'busybox'}]}}},
  })
  const jobState = (name: string) => state('batch/v1', 'Job', name)
  const jobOptions = (now: Date, runId: string) => options({now, runId, config: {schedules: {kinds: ['Job']}}})

  it('each tool resumes a Job the other suspended; a Job a CronJob owns is left to the CronJob', async () => {
    server.put(
      job('backfill'),
      job('report-28710', [{apiVersion: 'batch/v1', kind: 'CronJob', name: 'report', uid: 'u1', controller: true}]),
    )
    const before = jobState('backfill')
    const night = await applyRecommendations(db, clusterFor(), [], jobOptions(NIGHT, 'run-night'))
    expect(night.actions.map((a) => [a.kind, a.target.kind, a.target.name, a.status])).toEqual([
      ['scale-down', 'Job', 'backfill', 'applied'],
    ])
    expect(jobState('backfill')).toMatchObject({suspend: true, annotations: {'downscaler/original-replicas': '1'}})
    expect(jobState('report-28710')).toMatchObject({suspend: false, annotations: {}})
    expect(await kubeDownscalerScan(server.url, MORNING, {jobs: true})).toEqual(['Job/dev/backfill'])
    expect(jobState('backfill')).toEqual(before)

    const scanned = await kubeDownscalerScan(server.url, NIGHT, {jobs: true})
    expect(scanned).toContain('Job/dev/backfill')
    expect(scanned).not.toContain('Job/dev/report-28710')
    const morning = await applyRecommendations(db, clusterFor(), [], jobOptions(MORNING, 'run-morning'))
    expect(morning.actions.map((a) => [a.kind, a.target.name, a.status])).toEqual([['restore', 'backfill', 'applied']])
    expect(jobState('backfill')).toEqual(before)
  })
})

/** A running pod annotated force-uptime: kube-downscaler's switch for the whole cluster into uptime. */
const forceUptimePod: KubeObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {name: 'debug', namespace: 'dev', annotations: {'downscaler/force-uptime': 'true'}},
  spec: {containers: [{name: 'sh', image: 'busybox'}]},
  status: {phase: 'Running'},
}

describe('schedule guardrails and scope', () => {
  it('leaves alone what a pod forcing uptime, the grace period, an HPA-owned count or an unreadable annotation protects', async () => {
    server.put(
      namespace('qa', {'downscaler/uptime': OFFICE, 'downscaler/downtime-replicas': '1'}),
      {
        ...deployment('qa', 'young', {replicas: 2}),
        metadata: {name: 'young', namespace: 'qa', creationTimestamp: '2024-09-04T21:55:00Z'},
      },
      {
        ...deployment('qa', 'scaled', {replicas: 3}),
        metadata: {name: 'scaled', namespace: 'qa', creationTimestamp: '2024-01-01T00:00:00Z'},
      },
      hpa('qa', 'scaled', 'scaled'),
      {
        ...deployment('qa', 'typo', {replicas: 2, annotations: {'downscaler/uptime': 'Mon-Fri 8-18'}}),
        metadata: {
          name: 'typo',
          namespace: 'qa',
          creationTimestamp: '2024-01-01T00:00:00Z',
          annotations: {'downscaler/uptime': 'Mon-Fri 8-18'},
        },
      },
    )
    const qa = await applyRecommendations(db, clusterFor(), [], options({filter: {namespaces: ['qa']}}))
    // The HPA's own minReplicas goes to the namespace's downtime-replicas; the Deployment it owns is not scaled.
    expect(qa.actions.map((a) => [a.target.kind, a.target.name, a.after.minReplicas])).toEqual([
      ['HorizontalPodAutoscaler', 'scaled', 1],
    ])
    expect(qa.skipped.map((s) => [s.target.name, s.code]).sort()).toEqual([
      ['scaled', 'hpa'],
      ['typo', 'schedule'],
      ['young', 'grace'],
    ])
    expect(qa.skipped.find((s) => s.target.name === 'typo')!.reason).toMatch(
      /workload annotation downscaler\/uptime 'Mon-Fri 8-18'/,
    )

    // A running pod annotated force-uptime keeps the whole scope up.
    server.put(forceUptimePod)
    const forced = await applyRecommendations(db, clusterFor(), [], options({filter: {namespaces: ['d*']}}))
    expect(forced.actions).toEqual([])
    expect(forced.notes.join('\n')).toMatch(/pod dev\/debug is annotated downscaler\/force-uptime: "true"/)
  })

  it('a running pod annotated force-uptime also brings what is scaled down back up (the whole cluster into uptime)', async () => {
    const before = everything()
    await applyRecommendations(db, clusterFor(), [], options({runId: 'run-night'}))
    expect(web()).toMatchObject({replicas: 0})
    server.put(forceUptimePod)
    const forced = await applyRecommendations(db, clusterFor(), [], options({runId: 'run-forced'}))
    expect(forced.actions.map((a) => [a.kind, a.target.name, a.status]).sort()).toEqual([
      ['restore', 'api', 'applied'],
      ['restore', 'canary', 'applied'],
      ['restore', 'db', 'applied'],
      ['restore', 'report', 'applied'],
      ['restore', 'web', 'applied'],
    ])
    expect(forced.actions[0]!.reason).toMatch(/a running pod is annotated downscaler\/force-uptime/)
    expect(everything()).toEqual(before)
  })

  it('says when the cluster serves no Argo Rollouts, and keeps to the kinds configured', async () => {
    const plain = await startKubeApi({objects: devCluster().filter((o) => o.kind !== 'Rollout')})
    try {
      const kc = new k8s.KubeConfig()
      kc.loadFromString(plain.kubeconfig())
      const result = await applyRecommendations(db, new KubernetesCluster(kc), [], options({enforce: false}))
      expect(result.notes.join('\n')).toMatch(/Rollout: not served by this cluster/)
      const defaults = await applyRecommendations(
        db,
        new KubernetesCluster(kc),
        [],
        options({enforce: false, settings: parseConfig({}).apply}),
      )
      // Deployments and StatefulSets by default; api's HPA stands still while it is at zero replicas.
      expect(defaults.actions.map((a) => `${a.target.kind}/${a.target.name}`).sort()).toEqual([
        'Deployment/api',
        'Deployment/web',
        'StatefulSet/db',
      ])
    } finally {
      await plain.close()
    }
  })

  it('with a reviewed recommendations file, scales down only what it lists, and never fewer than its downtime replicas', async () => {
    const listed = {...scaleDownRec('dev', 'web', {replicas: 1, schedule: `uptime ${OFFICE}`}), id: 'sd-0000000001'}
    const result = await applyRecommendations(
      db,
      clusterFor(),
      [listed],
      options({scheduleTargets: new Map([['dev/Deployment/web', 1]])}),
    )
    expect(result.actions.map((a) => [a.target.name, a.after.replicas, a.monthlySavings])).toEqual([['web', 1, 100]])
    expect(
      result.skipped
        .filter((s) => s.code === 'not-listed')
        .map((s) => s.target.name)
        .sort(),
    ).toEqual(['api', 'canary', 'db', 'report'])
  })
})

describe("annotations written for py-kube-downscaler's DEFAULT_TIMEZONE / DEFAULT_WEEKFRAME", () => {
  it('are left alone with a skip naming the setting when it is unset, and followed once it is', async () => {
    const ns = server.get('v1', 'Namespace', 'dev')!
    server.put({...ns, metadata: {...ns.metadata, annotations: {'downscaler/uptime': '08:00-18:00'}}})
    const before = everything()
    const unset = await applyRecommendations(db, clusterFor(), [], options())
    expect(unset.actions).toEqual([])
    const reasons = unset.skipped.filter((s) => s.target.name === 'web').map((s) => s.reason)
    expect(reasons.join('\n')).toMatch(/defaultTimeZone/)
    expect(everything()).toEqual(before)
    expect(writes()).toEqual([])

    const night = await applyRecommendations(
      db,
      clusterFor(),
      [],
      options({
        schedules: {configured: [], holidays: [], timeZone: 'UTC', defaultTimeZone: 'UTC', defaultWeekFrame: 'Mon-Fri'},
      }),
    )
    expect(night.actions.find((a) => a.target.name === 'web')?.status).toBe('applied')
    expect(web()).toMatchObject({replicas: 0, annotations: {'downscaler/original-replicas': '3'}})
  })
})
