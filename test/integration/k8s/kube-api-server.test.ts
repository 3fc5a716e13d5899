import * as k8s from '@kubernetes/client-node'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import type {KubeApiServer} from '../../servers/kube-api.js'
import {startFixtureKubeApi} from '../../servers/kube-fixture.js'

// The test server is shared by other suites (collect, apply): these tests pin its wire behaviour
// through the real @kubernetes/client-node.
describe('kube-api test server', () => {
  let server: KubeApiServer
  let apps: k8s.AppsV1Api
  let core: k8s.CoreV1Api

  beforeAll(async () => {
    ;({server} = await startFixtureKubeApi())
    const kc = new k8s.KubeConfig()
    kc.loadFromString(server.kubeconfig())
    apps = kc.makeApiClient(k8s.AppsV1Api)
    core = kc.makeApiClient(k8s.CoreV1Api)
  })
  afterAll(() => server.close())
  beforeEach(() => {
    server.allowAll()
    server.clearLog()
  })

  it('pages a cluster-wide list with limit/continue and returns every object once', async () => {
    const names: string[] = []
    let token: string | undefined
    let pages = 0
    do {
      const page = await apps.listDeploymentForAllNamespaces({limit: 4, _continue: token})
      names.push(...page.items.map((d) => `${d.metadata!.namespace}/${d.metadata!.name}`))
      token = page.metadata?._continue
      pages++
    } while (token)
    expect(names).toHaveLength(11)
    expect(new Set(names).size).toBe(11)
    expect(pages).toBe(3)
    expect(server.requests.map((r) => r.query.limit)).toEqual(['4', '4', '4'])
  })

  it('filters namespaced lists by label selector', async () => {
    const pods = await core.listNamespacedPod({namespace: 'shop', labelSelector: 'app=api'})
    expect(pods.items.map((p) => p.metadata!.name).every((n) => n!.startsWith('api-'))).toBe(true)
    expect(pods.items).toHaveLength(3)
    const notWeb = await core.listNamespacedPod({namespace: 'shop', labelSelector: 'app!=web,app in (web,api,cart)'})
    expect(new Set(notWeb.items.map((p) => p.metadata!.labels!.app))).toEqual(new Set(['api', 'cart']))
  })

  it('answers 404 for a missing object and 403 for a forbidden resource', async () => {
    await expect(apps.readNamespacedDeployment({namespace: 'shop', name: 'nope'})).rejects.toMatchObject({code: 404})
    server.forbid('apps/statefulsets', ['list'])
    const error = (await apps.listStatefulSetForAllNamespaces().catch((e: unknown) => e)) as {
      code: number
      body: string
    }
    expect(error.code).toBe(403)
    expect(JSON.parse(error.body).reason).toBe('Forbidden')
    // get is still allowed
    await expect(apps.readNamespacedStatefulSet({namespace: 'shop', name: 'postgres'})).resolves.toMatchObject({
      spec: {replicas: 1},
    })
  })

  it('merges a strategic patch by container name and bumps resourceVersion', async () => {
    const before = await apps.readNamespacedDeployment({namespace: 'shop', name: 'web'})
    const patched = await apps.patchNamespacedDeployment(
      {
        namespace: 'shop',
        name: 'web',
        body: {
          spec: {template: {spec: {containers: [{name: 'envoy', resources: {requests: {cpu: '50m'}}}]}}},
        },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
    )
    const containers = patched.spec!.template.spec!.containers
    expect(containers.map((c) => c.name)).toEqual(['web', 'envoy'])
    expect(containers[1]!.resources!.requests).toEqual({cpu: '50m', memory: '128Mi'})
    expect(Number(patched.metadata!.resourceVersion)).toBeGreaterThan(Number(before.metadata!.resourceVersion))
    expect(server.requests.at(-1)!.contentType).toBe('application/strategic-merge-patch+json')
  })

  it('replaces lists on a merge patch and applies json-patch operations', async () => {
    const merged = await apps.patchNamespacedDeployment(
      {namespace: 'staging', name: 'worker', body: {metadata: {annotations: {'downscaler/exclude': null, x: 'y'}}}},
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    )
    expect(merged.metadata!.annotations).toMatchObject({x: 'y'})
    expect(merged.metadata!.annotations!['downscaler/exclude']).toBeUndefined()
    const jp = await apps.patchNamespacedDeployment({
      namespace: 'staging',
      name: 'worker',
      body: [
        {op: 'replace', path: '/spec/replicas', value: 0},
        {op: 'add', path: '/metadata/annotations/finops~1action', value: 'a1'},
      ],
    })
    expect(jp.spec!.replicas).toBe(0)
    expect(jp.metadata!.annotations!['finops/action']).toBe('a1')
    expect(server.requests.at(-1)!.contentType).toBe('application/json-patch+json')
  })

  it('rejects a write carrying a stale resourceVersion with 409', async () => {
    const current = await apps.readNamespacedDeployment({namespace: 'shop', name: 'cart'})
    const stale = structuredClone(current)
    await apps.replaceNamespacedDeployment({
      namespace: 'shop',
      name: 'cart',
      body: {...current, spec: {...current.spec!, replicas: 2}},
    })
    await expect(
      apps.replaceNamespacedDeployment({
        namespace: 'shop',
        name: 'cart',
        body: {...stale, spec: {...stale.spec!, replicas: 3}},
      }),
    ).rejects.toMatchObject({code: 409})
    expect(server.get('apps/v1', 'Deployment', 'cart', 'shop')!.spec).toMatchObject({replicas: 2})
  })

  it('serves the scale subresource', async () => {
    const scale = await apps.readNamespacedStatefulSetScale({namespace: 'data', name: 'kafka'})
    expect(scale.spec!.replicas).toBe(3)
    await apps.patchNamespacedStatefulSetScale(
      {namespace: 'data', name: 'kafka', body: {spec: {replicas: 2}}},
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    )
    expect(server.get('apps/v1', 'StatefulSet', 'kafka', 'data')!.spec).toMatchObject({replicas: 2})
    await expect(
      apps.replaceNamespacedDeploymentScale({
        namespace: 'shop',
        name: 'api',
        body: {metadata: {name: 'api', namespace: 'shop', resourceVersion: '1'}, spec: {replicas: 1}},
      }),
    ).rejects.toMatchObject({code: 409})
  })

  it('injects failures for matching requests only, the given number of times', async () => {
    server.failNext({method: 'GET', path: '/deployments', status: 503, times: 2})
    await expect(apps.listNamespacedDeployment({namespace: 'shop'})).rejects.toMatchObject({code: 503})
    await expect(core.listNamespacedPod({namespace: 'shop'})).resolves.toBeDefined()
    await expect(apps.listNamespacedDeployment({namespace: 'shop'})).rejects.toMatchObject({code: 503})
    await expect(apps.listNamespacedDeployment({namespace: 'shop'})).resolves.toBeDefined()
    expect(server.requests.map((r) => r.status)).toEqual([503, 200, 503, 200])
  })

  it('serves metrics.k8s.io PodMetrics through the client Metrics helper', async () => {
    const kc = new k8s.KubeConfig()
    kc.loadFromString(server.kubeconfig())
    const metrics = await new k8s.Metrics(kc).getPodMetrics('shop')
    expect(metrics.items.length).toBeGreaterThan(5)
    expect(metrics.items[0]!.containers[0]!.usage.cpu).toMatch(/n$/)
  })
})
