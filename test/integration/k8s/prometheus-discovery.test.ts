import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {discoverPrometheus, pickPrometheusService} from '../../../src/collectors/k8s/prometheus-discovery.js'
import {loadKubeAccess} from '../../../src/k8s/kubeconfig.js'
import {runCli, tempDir} from '../../helpers/cli.js'
import {type KubeApiServer, type KubeObject, startKubeApi} from '../../servers/kube-api.js'

const service = (
  namespace: string,
  name: string,
  ports: {name?: string; port: number}[],
  labels: Record<string, string> = {},
  type = 'ClusterIP',
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: {name, namespace, labels},
  spec: {type, ports},
})

describe('finding Prometheus in the cluster', () => {
  let server: KubeApiServer
  let tmp: {dir: string; cleanup: () => void}
  let kubeconfig: string

  beforeAll(async () => {
    tmp = tempDir()
    server = await startKubeApi({
      objects: [
        service('kube-system', 'kube-dns', [{name: 'dns', port: 53}]),
        service('monitoring', 'prometheus-operated', [{name: 'web', port: 9090}]),
        service('monitoring', 'alertmanager-operated', [{name: 'web', port: 9093}]),
        service('observability', 'thanos-query', [
          {name: 'grpc', port: 10901},
          {name: 'http', port: 10902},
        ]),
        // An ExternalName pointing elsewhere is never picked.
        service('other', 'thanos-query', [{name: 'http', port: 80}], {}, 'ExternalName'),
      ],
    })
    kubeconfig = path.join(tmp.dir, 'kubeconfig')
    fs.writeFileSync(kubeconfig, server.kubeconfig({context: 'prod'}))
  })
  afterAll(async () => {
    await server.close()
    tmp.cleanup()
  })

  it('prefers a Thanos query front-end, then the common charts, and picks the HTTP port by name', () => {
    const list = server.list('v1', 'Service') as Parameters<typeof pickPrometheusService>[0]
    expect(pickPrometheusService(list)).toMatchObject({
      namespace: 'observability',
      name: 'thanos-query',
      port: 10902,
      url: 'http://thanos-query.observability.svc:10902',
    })
    const withoutThanos = list.filter((s) => s.metadata?.name !== 'thanos-query')
    expect(pickPrometheusService(withoutThanos)).toMatchObject({
      url: 'http://prometheus-operated.monitoring.svc:9090',
      reason: "the Prometheus operator's Service",
    })
    expect(
      pickPrometheusService([
        {metadata: {name: 'prometheus-server', namespace: 'metrics'}, spec: {ports: [{name: 'http', port: 80}]}},
      ]),
    ).toMatchObject({url: 'http://prometheus-server.metrics.svc:80'})
    expect(pickPrometheusService(list.filter((s) => s.metadata?.namespace === 'kube-system'))).toBeUndefined()
  })

  it('lists Services through the API (paged) and uses the address only from inside the cluster', async () => {
    const access = loadKubeAccess({kubeconfig})
    server.clearLog()
    await expect(discoverPrometheus(access, true)).resolves.toMatchObject({
      url: 'http://thanos-query.observability.svc:10902',
    })
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/v1/services'])
    await expect(discoverPrometheus(access, false)).rejects.toThrow(
      /found Prometheus at observability\/thanos-query:10902 .*cannot be reached from here/,
    )
  })

  it('collect usage --prometheus auto says how to reach what it found from outside the cluster', async () => {
    const r = await runCli([
      'collect',
      'usage',
      '--prometheus',
      'auto',
      '--kubeconfig',
      kubeconfig,
      '--cluster',
      'c1',
      '--db',
      path.join(tmp.dir, 'auto.db'),
    ])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/found Prometheus at observability\/thanos-query:10902/)
    expect(r.stderr).toMatch(/kubectl port-forward -n observability svc\/thanos-query 9090:10902/)
  })

  it('inside a cluster with no URL configured, collect usage queries the discovered in-cluster address', async () => {
    const r = await runCli(
      ['collect', 'usage', '--kubeconfig', kubeconfig, '--cluster', 'c1', '--db', path.join(tmp.dir, 'in.db')],
      {env: {KUBERNETES_SERVICE_HOST: '127.0.0.1', FINOPS_PROMETHEUS_URL: undefined}},
    )
    expect(r.stderr).toMatch(/Using Prometheus at http:\/\/thanos-query\.observability\.svc:10902/)
    // Service names resolve only in the cluster's DNS: here the connection fails, naming that address.
    expect(r.code).toBe(6)
    expect(r.stderr).toMatch(/cannot reach Prometheus at http:\/\/thanos-query\.observability\.svc:10902/)
  })
})
