import * as k8s from '@kubernetes/client-node'
import {afterEach, describe, expect, it} from 'vitest'

import {nodeWithCpu as node, runningPod} from '../../helpers/cluster-fixture.js'
import {type KubeApiServer, type KubeObject, startKubeApi} from '../../servers/kube-api.js'

// The resize subresource as Kubernetes 1.33+ serves it, pinned through the real @kubernetes/client-node:
// the apply tests trust this server to refuse what a real API server refuses.
const STRATEGIC = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch)
const JSON_PATCH = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch)

const pod = (
  name: string,
  resources: {requests?: Record<string, string>; limits?: Record<string, string>},
  options: {nodeName?: string; qos?: string; cpuPolicy?: string} = {},
): KubeObject => runningPod('shop', name, resources, options)

let server: KubeApiServer
afterEach(() => server.close())

async function clientFor(objects: KubeObject[], resize?: boolean) {
  server = await startKubeApi({objects, resize})
  const kc = new k8s.KubeConfig()
  kc.loadFromString(server.kubeconfig())
  return kc.makeApiClient(k8s.CoreV1Api)
}

const cpuPatch = (cpu: string) => ({spec: {containers: [{name: 'app', resources: {requests: {cpu}}}]}})
const bodyOf = (error: unknown) => JSON.parse((error as {body: string}).body) as {reason: string; message: string}

describe('kube-api test server: pods/resize', () => {
  it('lists pods/resize in discovery, resizes through a strategic-merge patch and actuates it in the status', async () => {
    const core = await clientFor([
      node('n1', '4'),
      pod('p1', {requests: {cpu: '1', memory: '1Gi'}, limits: {memory: '2Gi'}}),
    ])
    const discovery = await core.getAPIResources()
    expect(discovery.resources.map((r) => r.name)).toContain('pods/resize')
    const written = await core.patchNamespacedPodResize(
      {name: 'p1', namespace: 'shop', body: {...cpuPatch('250m'), metadata: {labels: {dropped: 'yes'}}}},
      STRATEGIC,
    )
    expect(written.spec!.containers[0]!.resources!.requests).toEqual({cpu: '250m', memory: '1Gi'})
    // Only container resources pass through the subresource: the label change is dropped, as the real server drops it.
    expect(written.metadata!.labels).toEqual({app: 'batch'})
    const live = server.get('v1', 'Pod', 'p1', 'shop') as KubeObject & {
      status: {containerStatuses: {resources: {requests: Record<string, string>}}[]; conditions?: unknown[]}
    }
    expect(live.status.containerStatuses[0]!.resources.requests).toEqual({cpu: '250m', memory: '1Gi'})
    expect(live.status.conditions ?? []).toEqual([])
    const request = server.requests.find((r) => r.path.endsWith('/resize'))!
    expect([request.method, request.contentType]).toEqual(['PATCH', 'application/strategic-merge-patch+json'])
  })

  it('answers 404 on a cluster older than 1.33 and leaves the pod alone', async () => {
    const core = await clientFor([node('n1', '4'), pod('p1', {requests: {cpu: '1'}})], false)
    expect((await core.getAPIResources()).resources.map((r) => r.name)).not.toContain('pods/resize')
    const error = await core
      .patchNamespacedPodResize({name: 'p1', namespace: 'shop', body: cpuPatch('2')}, STRATEGIC)
      .catch((e: unknown) => e)
    expect(error).toMatchObject({code: 404})
    expect(
      (server.get('v1', 'Pod', 'p1', 'shop')!.spec as {containers: {resources: unknown}[]}).containers[0]!.resources,
    ).toEqual({
      requests: {cpu: '1'},
    })
  })

  it('refuses with 422 what the API server refuses: a QoS class change, a request above its limit, a bad quantity, another resource', async () => {
    const core = await clientFor([
      node('n1', '8'),
      pod('guaranteed', {requests: {cpu: '1', memory: '1Gi'}, limits: {cpu: '1', memory: '1Gi'}}, {qos: 'Guaranteed'}),
      pod('burstable', {requests: {cpu: '500m', memory: '1Gi'}, limits: {cpu: '2', memory: '2Gi'}}),
    ])
    const refuse = async (name: string, body: object, options = STRATEGIC) =>
      bodyOf(await core.patchNamespacedPodResize({name, namespace: 'shop', body}, options).catch((e: unknown) => e))
    expect((await refuse('guaranteed', cpuPatch('500m'))).message).toContain(
      'Pod QOS Class may not change as a result of resizing',
    )
    expect((await refuse('burstable', cpuPatch('3'))).message).toContain('must be less than or equal to cpu limit of 2')
    expect((await refuse('burstable', cpuPatch('-1'))).reason).toBe('Invalid')
    expect(
      (await refuse('burstable', {spec: {containers: [{name: 'app', resources: {requests: {'nvidia.com/gpu': '1'}}}]}}))
        .message,
    ).toContain('only cpu and memory resources are mutable')
    // A Burstable pod whose requests would all meet its limits would become Guaranteed.
    expect(
      (
        await refuse(
          'burstable',
          [
            {op: 'replace', path: '/spec/containers/0/resources/requests/cpu', value: '2'},
            {op: 'replace', path: '/spec/containers/0/resources/requests/memory', value: '2Gi'},
          ],
          JSON_PATCH,
        )
      ).message,
    ).toContain('QOS Class')
    // Guaranteed pods move requests and limits together.
    const ok = await core.patchNamespacedPodResize(
      {
        name: 'guaranteed',
        namespace: 'shop',
        body: {spec: {containers: [{name: 'app', resources: {requests: {cpu: '2'}, limits: {cpu: '2'}}}]}},
      },
      STRATEGIC,
    )
    expect(ok.spec!.containers[0]!.resources!.limits!.cpu).toBe('2')
  })

  it('writes PodResizePending Infeasible above the node and Deferred above what the other pods leave', async () => {
    const core = await clientFor([
      node('n1', '4'),
      pod('p1', {requests: {cpu: '1'}}),
      pod('p2', {requests: {cpu: '2'}}),
    ])
    await core.patchNamespacedPodResize({name: 'p1', namespace: 'shop', body: cpuPatch('6')}, STRATEGIC)
    const conditionOf = async (name: string) =>
      (await core.readNamespacedPod({name, namespace: 'shop'})).status!.conditions!.find(
        (c) => c.type === 'PodResizePending',
      )
    expect(await conditionOf('p1')).toMatchObject({reason: 'Infeasible', status: 'True'})
    await core.patchNamespacedPodResize({name: 'p1', namespace: 'shop', body: cpuPatch('3')}, STRATEGIC)
    expect(await conditionOf('p1')).toMatchObject({reason: 'Deferred'})
    const p1 = await core.readNamespacedPod({name: 'p1', namespace: 'shop'})
    // Not actuated: the running container still has what it had.
    expect(p1.status!.containerStatuses![0]!.resources!.requests).toEqual({cpu: '1'})
    await core.patchNamespacedPodResize({name: 'p1', namespace: 'shop', body: cpuPatch('2')}, STRATEGIC)
    expect(await conditionOf('p1')).toBeUndefined()
  })
})
