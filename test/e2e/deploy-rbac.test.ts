import fs from 'node:fs'
import path from 'node:path'
import {parseAllDocuments} from 'yaml'
import {beforeAll, describe, expect, it} from 'vitest'

import {repoRoot, runCli, tempDir} from '../helpers/cli.js'
import {ARGO_ROLLOUTS, type KubeApiServer, type LoggedRequest} from '../servers/kube-api.js'
import {cronJob, deployment, rollout, scheduledHpa} from '../helpers/cluster-fixture.js'
import {parseConfig} from '../../src/config/index.js'
import {SCHEDULABLE_KINDS} from '../../src/k8s/downscaler.js'
import {DEFAULT_FINOPS_YAML, renderManifests} from '../../src/run/manifests.js'
import {startFixtureKubeApi} from '../servers/kube-fixture.js'

interface Rule {
  apiGroups: string[]
  resources: string[]
  verbs: string[]
}

/** What RBAC checks for a request: API group, resource (with /subresource) and verb. */
export function rbacAttributes(request: Pick<LoggedRequest, 'method' | 'path'>): {
  group: string
  resource: string
  verb: string
} {
  const parts = request.path.split('/').filter(Boolean)
  const [group, rest] = parts[0] === 'api' ? ['', parts.slice(2)] : [parts[1]!, parts.slice(3)]
  const [plural, name, sub] =
    rest[0] === 'namespaces' && rest.length >= 3 ? [rest[2]!, rest[3], rest[4]] : [rest[0]!, rest[1], rest[2]]
  const verbs: Record<string, string> = {
    GET: name ? 'get' : 'list',
    PATCH: 'patch',
    PUT: 'update',
    POST: 'create',
    DELETE: 'delete',
  }
  return {
    group,
    resource: sub ? `${plural}/${sub}` : plural,
    verb: verbs[request.method] ?? request.method.toLowerCase(),
  }
}

const allows = (rules: readonly Rule[], a: {group: string; resource: string; verb: string}): boolean =>
  rules.some((r) => r.apiGroups.includes(a.group) && r.resources.includes(a.resource) && r.verbs.includes(a.verb))

const cacheStatefulSet = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: {name: 'cache', namespace: 'staging', labels: {app: 'cache'}},
  spec: {
    replicas: 2,
    selector: {matchLabels: {app: 'cache'}},
    serviceName: 'cache',
    template: {
      metadata: {labels: {app: 'cache'}},
      spec: {
        containers: [{name: 'redis', image: 'redis:7', resources: {requests: {cpu: '250m', memory: '256Mi'}}}],
      },
    },
  },
}

/** Runs `finops run` at night and in the morning against the fixture cluster; returns every API request. */
async function nightAndMorning(configYaml: string, extra: (server: KubeApiServer) => void): Promise<LoggedRequest[]> {
  const {dir, cleanup} = tempDir()
  const {server} = await startFixtureKubeApi()
  try {
    // A StatefulSet under staging's off-hours schedule, so the run scales and annotates both workload kinds.
    server.put(cacheStatefulSet)
    extra(server)
    const kubeconfig = path.join(dir, 'kubeconfig')
    fs.writeFileSync(kubeconfig, server.kubeconfig({context: 'eks-demo'}))
    const config = path.join(dir, 'finops.yaml')
    fs.writeFileSync(config, configYaml)
    const env = {FINOPS_CONFIG: config, KUBECONFIG: kubeconfig, HOME: dir}
    const db = path.join(dir, 'finops.db')
    // The night run scales down (patch + scale), the morning run restores: together every code path that calls the API.
    for (const now of ['2024-09-04T22:00:00Z', '2024-09-05T08:00:00Z']) {
      const result = await runCli(['run', '--db', db], {env: {...env, FINOPS_NOW: now}})
      expect(result.code, result.stdout + result.stderr).toBe(0)
    }
    return [...server.requests]
  } finally {
    await server.close()
    cleanup()
  }
}

const usedAttributes = (requests: LoggedRequest[]) =>
  new Set(requests.map(rbacAttributes).map((a) => `${a.group}|${a.resource}|${a.verb}`))
const granted = (rules: readonly Rule[]) =>
  rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g}|${res}|${v}`))))

describe('the ClusterRole in deploy/base/rbac.yaml against the API calls of finops run', () => {
  let requests: LoggedRequest[]
  let rules: Rule[]

  beforeAll(async () => {
    requests = await nightAndMorning('apply:\n  mode: enforce\n', () => {})
    const docs = parseAllDocuments(fs.readFileSync(path.join(repoRoot, 'deploy', 'base', 'rbac.yaml'), 'utf8')).map(
      (d) => d.toJSON() as {kind: string; rules?: Rule[]},
    )
    rules = docs.find((d) => d.kind === 'ClusterRole')!.rules!
  })

  it('the run made writes of both kinds (so the check covers apply, not only collection)', () => {
    const attributes = requests.map(rbacAttributes)
    expect(
      attributes
        .filter((a) => a.verb === 'update')
        .map((a) => a.resource)
        .sort(),
    ).toEqual(expect.arrayContaining(['deployments/scale', 'statefulsets/scale']))
    expect(attributes.some((a) => a.verb === 'patch' && a.resource === 'statefulsets')).toBe(true)
  })

  it('allows every request the run made', () => {
    const denied = requests.map(rbacAttributes).filter((a) => !allows(rules, a))
    expect(denied).toEqual([])
  })

  it('grants nothing the run did not use (least privilege)', () => {
    const used = usedAttributes(requests)
    expect(granted(rules).filter((k) => !used.has(k))).toEqual([])
  })

  it('never writes anything but workloads and their scale subresource', () => {
    const writes = requests.map(rbacAttributes).filter((a) => !['get', 'list'].includes(a.verb))
    expect(new Set(writes.map((a) => `${a.verb} ${a.resource}`))).toEqual(
      new Set(['patch deployments', 'patch statefulsets', 'update deployments/scale', 'update statefulsets/scale']),
    )
  })
})

describe('the ClusterRole `cronjob manifest` renders when schedules also scale CronJobs, Jobs, DaemonSets, HPAs and Argo Rollouts', () => {
  it('allows every request of such a run and grants nothing it did not use', async () => {
    const requests = await nightAndMorning(
      'apply:\n  mode: enforce\n  schedules:\n    kinds: [Deployment, StatefulSet, CronJob, HorizontalPodAutoscaler, Rollout, DaemonSet, Job]\n',
      (server) => {
        server.defineResource(ARGO_ROLLOUTS)
        server.put(
          cronJob('staging', 'digest'),
          scheduledHpa('staging', 'api', {minReplicas: 2, annotations: {'downscaler/downtime-replicas': '1'}}),
          rollout('staging', 'canary', {replicas: 2}),
          {...deployment('staging', 'log-agent'), kind: 'DaemonSet'},
          {
            apiVersion: 'batch/v1',
            kind: 'Job',
            metadata: {name: 'backfill', namespace: 'staging'},
            spec: {
              suspend: false,
              template: {spec: {restartPolicy: 'Never', containers: [{name: 'run', image: 'busybox'}]}},
            },
          },
        )
      },
    )
    const rules = renderManifests(parseConfig({}).run, DEFAULT_FINOPS_YAML, [...SCHEDULABLE_KINDS]).find(
      (m) => m.kind === 'ClusterRole',
    )!.rules as Rule[]
    expect(requests.map(rbacAttributes).filter((a) => !allows(rules, a))).toEqual([])
    const used = usedAttributes(requests)
    expect(granted(rules).filter((k) => !used.has(k))).toEqual([])
    const writes = requests.map(rbacAttributes).filter((a) => !['get', 'list'].includes(a.verb))
    expect(new Set(writes.map((a) => `${a.verb} ${a.resource}`))).toEqual(
      new Set([
        'patch deployments',
        'patch statefulsets',
        'patch cronjobs',
        'patch daemonsets',
        'patch jobs',
        'patch horizontalpodautoscalers',
        'patch rollouts',
        'update deployments/scale',
        'update statefulsets/scale',
        'update rollouts/scale',
      ]),
    )
  })
})
