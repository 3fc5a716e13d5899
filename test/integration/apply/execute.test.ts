import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import * as k8s from '@kubernetes/client-node'

import {KubernetesCluster} from '../../../src/apply/cluster.js'
import {applyRecommendations, type ApplyOptions} from '../../../src/apply/execute.js'
import {rollbackActions} from '../../../src/apply/rollback.js'
import {parseConfig} from '../../../src/config/index.js'
import {listActions} from '../../../src/store/actions.js'
import type {Db} from '../../../src/store/open.js'
import {tempStore} from '../../helpers/index.js'
import {type KubeApiServer, startKubeApi} from '../../servers/kube-api.js'
import {startHoldingProxy} from '../../servers/kube-api-faults.js'
import {deployment, hpa, namespace, pdb} from '../../helpers/cluster-fixture.js'
import {rightsizeRec, scaleDownRec, spotRec} from '../../helpers/recommendations.js'

let server: KubeApiServer
let db: Db
let cleanup: () => void

const clusterFor = (kubeconfig: string): KubernetesCluster => {
  const kc = new k8s.KubeConfig()
  kc.loadFromString(kubeconfig)
  return new KubernetesCluster(kc)
}

function options(overrides: Partial<ApplyOptions> & {config?: Record<string, unknown>} = {}): ApplyOptions {
  const settings = parseConfig({apply: overrides.config ?? {}}).apply
  return {
    settings,
    kinds: settings.kinds,
    maxActions: settings.maxActions,
    enforce: true,
    runId: 'run-test',
    identity: 'tester@test',
    now: new Date('2024-09-04T12:00:00Z'),
    ...overrides,
  }
}

const writes = () => server.requests.filter((r) => r.method !== 'GET')
const live = (ns: string, name: string) => server.get('apps/v1', 'Deployment', name, ns)!

beforeEach(async () => {
  ;({db, cleanup} = tempStore())
  server = await startKubeApi({objects: [namespace('shop'), namespace('dev')]})
})

afterEach(async () => {
  db.close()
  await server.close()
  cleanup()
})

describe('scale-down', () => {
  it('plans without writing in a dry run, then scales through the scale subresource with the journal first, and a second apply is a no-op', async () => {
    server.put(deployment('shop', 'idle', {replicas: 3}))
    const cluster = clusterFor(server.kubeconfig())
    const recs = [scaleDownRec('shop', 'idle', {replicas: 1})]

    const dry = await applyRecommendations(db, cluster, recs, options({enforce: false}))
    expect(dry.actions).toMatchObject([
      {kind: 'scale-down', status: 'planned', before: {replicas: 3}, after: {replicas: 1}},
    ])
    expect(writes()).toEqual([])
    expect(listActions(db)).toEqual([])

    const report = await applyRecommendations(db, cluster, recs, options())
    expect(report.summary).toMatchObject({applied: 1, failed: 0})
    const scaleWrite = writes().find((r) => r.path.endsWith('/scale'))
    expect(scaleWrite).toMatchObject({
      method: 'PUT',
      path: '/apis/apps/v1/namespaces/shop/deployments/idle/scale',
      status: 200,
    })
    // The annotation (cluster-side journal) goes out before the replica change.
    expect(writes().map((r) => r.method)).toEqual(['PATCH', 'PUT'])
    expect(writes()[0]!.contentType).toBe('application/strategic-merge-patch+json')
    const after = live('shop', 'idle')
    expect((after.spec as {replicas: number}).replicas).toBe(1)
    expect(after.metadata.annotations).toMatchObject({'finops.io/original-replicas': '3'})
    const [row] = listActions(db)
    expect(row).toMatchObject({
      status: 'applied',
      kind: 'scale-down',
      identity: 'tester@test',
      runId: 'run-test',
      before: {replicas: 3, annotations: {'finops.io/original-replicas': null}},
      after: {replicas: 1, annotations: {'finops.io/original-replicas': '3'}},
    })

    server.clearLog()
    const again = await applyRecommendations(
      db,
      cluster,
      recs,
      options({runId: 'run-2', filter: {namespaces: ['shop']}}),
    )
    expect(again.actions).toEqual([])
    expect(again.skipped).toMatchObject([{code: 'noop'}])
    expect(writes()).toEqual([])
    // --namespace keeps the restore scan to those namespaces.
    expect(server.requests.filter((r) => r.query.limit).map((r) => r.path)).toEqual([
      '/apis/apps/v1/namespaces/shop/deployments',
      '/apis/apps/v1/namespaces/shop/statefulsets',
    ])
  })
})

describe('rightsize and spot', () => {
  it('patches one container with a strategic merge patch, leaves the others, and rollback restores the exact before-state', async () => {
    server.put(
      deployment('shop', 'api', {
        containers: [
          {name: 'app', requests: {cpu: '2', memory: '4Gi'}, limits: {memory: '4Gi'}},
          {name: 'sidecar', requests: {cpu: '100m', memory: '64Mi'}},
        ],
      }),
    )
    const before = live('shop', 'api')
    const cluster = clusterFor(server.kubeconfig())
    const report = await applyRecommendations(
      db,
      cluster,
      [rightsizeRec('shop', 'api', 'app', {cpuRequest: 0.25, memoryRequest: 512 * 2 ** 20, memoryLimit: 2 ** 30})],
      options(),
    )
    expect(report.summary.applied).toBe(1)
    const patch = writes()[0]!
    expect(patch.contentType).toBe('application/strategic-merge-patch+json')
    expect(patch.body).toMatchObject({metadata: {resourceVersion: before.metadata.resourceVersion}})
    const containers = (
      live('shop', 'api').spec as {template: {spec: {containers: {name: string; resources: unknown}[]}}}
    ).template.spec.containers
    expect(containers).toEqual([
      {
        name: 'app',
        image: 'example/app:1.0',
        resources: {requests: {cpu: '250m', memory: '512Mi'}, limits: {memory: '1Gi'}},
      },
      {name: 'sidecar', image: 'example/sidecar:1.0', resources: {requests: {cpu: '100m', memory: '64Mi'}, limits: {}}},
    ])

    const rollback = await rollbackActions(db, cluster, 'run-test', {enforce: true, force: false, conflictRetries: 3})
    expect(rollback.summary).toEqual({rolledBack: 1, skipped: 0, failed: 0})
    expect(live('shop', 'api').spec).toEqual(before.spec)
    expect(listActions(db)[0]!.status).toBe('rolled-back')
  })

  it('rollback leaves a workload someone changed since the apply alone, unless forced', async () => {
    server.put(deployment('shop', 'idle', {replicas: 4}))
    const cluster = clusterFor(server.kubeconfig())
    const report = await applyRecommendations(db, cluster, [scaleDownRec('shop', 'idle', {replicas: 2})], options())
    const id = report.actions[0]!.id!
    const current = live('shop', 'idle')
    server.put({...current, spec: {...(current.spec as object), replicas: 7}})
    const careful = await rollbackActions(db, cluster, id, {enforce: true, force: false, conflictRetries: 3})
    expect(careful.results).toMatchObject([
      {status: 'skipped', reason: 'changed since apply (replicas); use --force to restore anyway'},
    ])
    expect((live('shop', 'idle').spec as {replicas: number}).replicas).toBe(7)
    expect(listActions(db)[0]!.status).toBe('applied')
    const forced = await rollbackActions(db, cluster, id, {enforce: true, force: true, conflictRetries: 3})
    expect(forced.results).toMatchObject([{status: 'rolled-back'}])
    expect((live('shop', 'idle').spec as {replicas: number}).replicas).toBe(4)
    expect(live('shop', 'idle').metadata.annotations?.['finops.io/original-replicas']).toBeUndefined()
  })

  it('adds the provider spot selector and toleration only in opted-in namespaces', async () => {
    server.put(namespace('batch', {'finops.io/spot': 'true'}), deployment('batch', 'worker'), deployment('shop', 'api'))
    const cluster = clusterFor(server.kubeconfig())
    const report = await applyRecommendations(
      db,
      cluster,
      [spotRec('batch', 'worker'), spotRec('shop', 'api')],
      options({config: {spot: {provider: 'azure'}}}),
    )
    expect(report.actions.map((a) => a.target.name)).toEqual(['worker'])
    expect(report.skipped).toMatchObject([{target: {name: 'api'}, code: 'opt-in'}])
    const spec = (live('batch', 'worker').spec as {template: {spec: Record<string, unknown>}}).template.spec
    expect(spec.nodeSelector).toEqual({'kubernetes.azure.com/scalesetpriority': 'spot'})
    expect(spec.tolerations).toEqual([
      {key: 'kubernetes.azure.com/scalesetpriority', operator: 'Equal', value: 'spot', effect: 'NoSchedule'},
    ])
    await rollbackActions(db, cluster, report.actions[0]!.id!, {enforce: true, force: false, conflictRetries: 3})
    const restored = (live('batch', 'worker').spec as {template: {spec: Record<string, unknown>}}).template.spec
    expect(restored.nodeSelector).toBeUndefined()
    expect(restored.tolerations).toBeUndefined()
  })
})

describe('guardrails', () => {
  const cases: {
    name: string
    setup: () => void
    recs: ReturnType<typeof scaleDownRec | typeof rightsizeRec>[]
    code: string
    reason: RegExp
    config?: Record<string, unknown>
  }[] = [
    {
      name: 'excluded namespace',
      setup: () => server.put(namespace('kube-system'), deployment('kube-system', 'dns')),
      recs: [scaleDownRec('kube-system', 'dns')],
      code: 'excluded',
      reason: /kube-system is excluded/,
    },
    {
      name: 'namespace exclude annotation',
      setup: () => server.put(namespace('legal', {'finops.io/exclude': 'true'}), deployment('legal', 'x')),
      recs: [scaleDownRec('legal', 'x')],
      code: 'excluded',
      reason: /namespace annotation/,
    },
    {
      name: 'workload exclude annotation',
      setup: () => server.put(deployment('shop', 'x', {annotations: {'finops.io/exclude': 'true'}})),
      recs: [scaleDownRec('shop', 'x')],
      code: 'excluded',
      reason: /workload annotation/,
    },
    {
      name: 'Argo CD label',
      setup: () => server.put(deployment('shop', 'x', {labels: {app: 'x', 'argocd.argoproj.io/instance': 'shop'}})),
      recs: [scaleDownRec('shop', 'x')],
      code: 'gitops',
      reason: /Argo CD/,
    },
    {
      name: 'Argo CD tracking annotation',
      setup: () =>
        server.put(
          deployment('shop', 'x', {annotations: {'argocd.argoproj.io/tracking-id': 'shop:apps/Deployment:shop/x'}}),
        ),
      recs: [scaleDownRec('shop', 'x')],
      code: 'gitops',
      reason: /Argo CD/,
    },
    {
      name: 'Flux label',
      setup: () =>
        server.put(deployment('shop', 'x', {labels: {app: 'x', 'kustomize.toolkit.fluxcd.io/name': 'apps'}})),
      recs: [scaleDownRec('shop', 'x')],
      code: 'gitops',
      reason: /Flux/,
    },
    {
      name: 'HPA',
      setup: () => server.put(deployment('shop', 'x'), hpa('shop', 'x-hpa', 'x')),
      recs: [scaleDownRec('shop', 'x', {replicas: 1})],
      code: 'hpa',
      reason: /HorizontalPodAutoscaler x-hpa/,
    },
    {
      name: 'PDB',
      setup: () => server.put(deployment('shop', 'x'), pdb('shop', 'x-pdb', 'x', {minAvailable: 2})),
      recs: [scaleDownRec('shop', 'x', {replicas: 1})],
      code: 'pdb',
      reason: /requires 2 available/,
    },
    {
      name: 'replica floor',
      setup: () => server.put(deployment('shop', 'x')),
      recs: [scaleDownRec('shop', 'x', {replicas: 0})],
      code: 'floor',
      reason: /below the floor of 1/,
    },
    {
      name: 'a LimitRange maximum (the API server would refuse the pods only after the rollout started)',
      setup: () =>
        server.put(deployment('shop', 'x'), {
          apiVersion: 'v1',
          kind: 'LimitRange',
          metadata: {name: 'caps', namespace: 'shop'},
          spec: {limits: [{type: 'Container', max: {memory: '1536Mi'}}]},
        }),
      recs: [rightsizeRec('shop', 'x', 'app', {memoryRequest: 3 * 2 ** 30, memoryLimit: 3 * 2 ** 30}, -5)],
      code: 'limits',
      reason: /app requests\.memory: 3Gi is above the maximum 1536Mi of LimitRange caps/,
    },
    {
      name: 'node allocatable',
      setup: () =>
        server.put(deployment('shop', 'x'), {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: {name: 'small'},
          status: {allocatable: {cpu: '1930m', memory: '7Gi'}},
        }),
      recs: [rightsizeRec('shop', 'x', 'app', {cpuRequest: 2.5}, -5)],
      code: 'limits',
      reason: /more than any node can allocate \(1930m\)/,
    },
    {
      name: 'risk',
      setup: () => server.put(deployment('shop', 'x')),
      recs: [scaleDownRec('shop', 'x', {replicas: 1, risk: 'high'})],
      code: 'risk',
      reason: /above apply.maxRisk medium/,
    },
  ]
  for (const c of cases) {
    it(`skips with a reason: ${c.name}`, async () => {
      c.setup()
      server.clearLog()
      const report = await applyRecommendations(
        db,
        clusterFor(server.kubeconfig()),
        c.recs,
        options({config: c.config}),
      )
      expect(report.actions).toEqual([])
      expect(report.skipped).toHaveLength(1)
      expect(report.skipped[0]!.code).toBe(c.code)
      expect(report.skipped[0]!.reason).toMatch(c.reason)
      expect(writes()).toEqual([])
    })
  }

  it('allows GitOps-managed workloads when configured, and caps the number of changes per run by savings', async () => {
    server.put(
      deployment('shop', 'a', {labels: {app: 'a', 'argocd.argoproj.io/instance': 'shop'}}),
      deployment('shop', 'b'),
      deployment('shop', 'c'),
    )
    const recs = [
      scaleDownRec('shop', 'a', {replicas: 1, savings: 10}),
      scaleDownRec('shop', 'b', {replicas: 1, savings: 30}),
      scaleDownRec('shop', 'c', {replicas: 1, savings: 20}),
    ]
    const report = await applyRecommendations(
      db,
      clusterFor(server.kubeconfig()),
      recs,
      options({config: {allowGitOps: true}, maxActions: 2}),
    )
    expect(report.actions.map((a) => a.target.name)).toEqual(['b', 'c'])
    expect(report.skipped).toMatchObject([{target: {name: 'a'}, code: 'cap'}])
  })

  it('does not change a request an HPA scales on (utilization is usage / request), but allows the others', async () => {
    server.put(deployment('shop', 'h'), hpa('shop', 'h-hpa', 'h', ['cpu']))
    const cluster = clusterFor(server.kubeconfig())
    const cpu = await applyRecommendations(
      db,
      cluster,
      [rightsizeRec('shop', 'h', 'app', {cpuRequest: 0.25})],
      options(),
    )
    expect(cpu.skipped).toMatchObject([
      {
        code: 'hpa',
        reason:
          'HorizontalPodAutoscaler h-hpa scales on cpu utilization of requests: changing the request would change its scaling',
      },
    ])
    const memory = await applyRecommendations(
      db,
      cluster,
      [rightsizeRec('shop', 'h', 'app', {memoryRequest: 512 * 2 ** 20})],
      options(),
    )
    expect(memory.actions).toMatchObject([
      {status: 'applied', after: {container: {requests: {cpu: '1', memory: '512Mi'}}}},
    ])
  })

  it('does not roll a Deployment with the Recreate strategy or a PDB that allows no disruption', async () => {
    server.put(
      deployment('shop', 'r', {strategy: 'Recreate'}),
      deployment('shop', 'p'),
      pdb('shop', 'p-pdb', 'p', {maxUnavailable: 0}, 0),
    )
    const recs = [
      rightsizeRec('shop', 'r', 'app', {cpuRequest: 0.5}),
      rightsizeRec('shop', 'p', 'app', {cpuRequest: 0.5}),
    ]
    const report = await applyRecommendations(db, clusterFor(server.kubeconfig()), recs, options())
    expect(report.actions).toEqual([])
    expect(report.skipped.map((s) => [s.target.name, s.code])).toEqual([
      ['p', 'pdb'],
      ['r', 'strategy'],
    ])
  })
})

describe('failures', () => {
  it('re-reads and re-plans on a resourceVersion conflict instead of overwriting a concurrent change', async () => {
    server.put(deployment('shop', 'api', {replicas: 5}))
    const proxy = await startHoldingProxy(server.url)
    try {
      const cluster = clusterFor(proxy.kubeconfig())
      const held = proxy.hold({method: 'PATCH', path: '/deployments/api'})
      const running = applyRecommendations(db, cluster, [scaleDownRec('shop', 'api', {replicas: 1})], options())
      await held
      // Someone scales the Deployment while our patch is in flight.
      const current = live('shop', 'api')
      server.put({...current, spec: {...(current.spec as object), replicas: 6}})
      proxy.release()
      const report = await running
      expect(server.requests.filter((r) => r.status === 409)).toHaveLength(1)
      expect(report.actions).toMatchObject([
        {
          status: 'applied',
          before: {replicas: 6},
          after: {replicas: 1, annotations: {'finops.io/original-replicas': '6'}},
        },
      ])
      expect(listActions(db)[0]).toMatchObject({status: 'applied', attempts: 1, before: {replicas: 6}})
      expect(live('shop', 'api').metadata.annotations?.['finops.io/original-replicas']).toBe('6')
    } finally {
      await proxy.close()
    }
  })

  it('treats a status-only update between plan and write as no conflict (controllers bump resourceVersion all the time)', async () => {
    server.put(deployment('shop', 'api', {replicas: 5}))
    const proxy = await startHoldingProxy(server.url)
    try {
      const cluster = clusterFor(proxy.kubeconfig())
      const planRead = proxy.hold({method: 'GET', path: '/deployments/api'})
      const running = applyRecommendations(db, cluster, [scaleDownRec('shop', 'api', {replicas: 2})], options())
      await planRead
      const executeRead = proxy.hold({method: 'GET', path: '/deployments/api'})
      proxy.release()
      await executeRead
      const current = live('shop', 'api')
      server.put({...current, status: {replicas: 5, readyReplicas: 4, observedGeneration: 7}})
      proxy.release()
      const report = await running
      expect(report.actions).toMatchObject([{status: 'applied', before: {replicas: 5}, after: {replicas: 2}}])
      expect(server.requests.filter((r) => r.status === 409)).toEqual([])
      const [row] = listActions(db)
      expect(row).toMatchObject({status: 'applied', attempts: 0})
      expect(row!.resourceVersion).toBe(String(Number(current.metadata.resourceVersion) + 1))
    } finally {
      await proxy.close()
    }
  })

  it('reports what was applied and what failed when one change is refused', async () => {
    server.put(deployment('shop', 'a'), deployment('shop', 'b'))
    server.failNext({method: 'PUT', path: '/deployments/b/scale', status: 500, message: 'etcd timeout'})
    const report = await applyRecommendations(
      db,
      clusterFor(server.kubeconfig()),
      [scaleDownRec('shop', 'a', {replicas: 1}), scaleDownRec('shop', 'b', {replicas: 1, savings: 5})],
      options(),
    )
    expect(report.actions.map((a) => [a.target.name, a.status])).toEqual([
      ['a', 'applied'],
      ['b', 'failed'],
    ])
    expect(report.actions[1]!.error).toMatch(/HTTP 500.*etcd timeout/)
    expect(
      listActions(db)
        .map((a) => a.status)
        .sort(),
    ).toEqual(['applied', 'failed'])
  })
})
