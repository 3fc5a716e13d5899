import * as k8s from '@kubernetes/client-node'

import {FinopsError} from '../../errors.js'
import {PROMETHEUS_INPUTS as I} from './prometheus-access.js'
import type {KubeAccess} from '../../k8s/kubeconfig.js'
import {kubeError} from './errors.js'

/** A Service that serves the Prometheus HTTP API, as found in the cluster. */
export interface DiscoveredPrometheus {
  namespace: string
  name: string
  port: number
  /** What the match was made on, for the note printed to the user. */
  reason: string
  /** The in-cluster address: http://NAME.NAMESPACE.svc:PORT */
  url: string
}

interface ServiceLike {
  metadata?: {name?: string; namespace?: string; labels?: Record<string, string>}
  spec?: {type?: string; clusterIP?: string; ports?: {name?: string; port: number; appProtocol?: string}[]}
}

// Query front-ends first (they see every replica and longer retention), then the common charts'
// Prometheus Services. Each entry: a Service name or an app.kubernetes.io/name label value.
const PREFERENCE: {name?: RegExp; app?: RegExp; reason: string}[] = [
  {name: /^thanos-quer(y|ier)(-frontend)?$/, reason: 'Thanos query Service'},
  {app: /^thanos-query(-frontend)?$/, reason: 'app.kubernetes.io/name=thanos-query'},
  {name: /^prometheus-operated$/, reason: "the Prometheus operator's Service"},
  {name: /(^|-)prometheus-k8s$/, reason: 'kube-prometheus Service'},
  {name: /-kube-prom(etheus)?-prometheus$|^kube-prometheus-stack-prometheus$/, reason: 'kube-prometheus-stack Service'},
  {name: /^prometheus-server$/, reason: 'prometheus Helm chart Service'},
  {app: /^prometheus$/, reason: 'app.kubernetes.io/name=prometheus'},
  {name: /^prometheus$/, reason: 'Service named prometheus'},
  {app: /^(vmsingle|vmselect|victoria-metrics-single)$/, reason: 'VictoriaMetrics Service'},
]

// Ports that carry the HTTP API, by name, before falling back to 9090 or the only port.
const API_PORT_NAMES = ['web', 'http-web', 'http', 'http-query', 'api']

function apiPort(service: ServiceLike): number | undefined {
  const ports = service.spec?.ports ?? []
  for (const name of API_PORT_NAMES) {
    const port = ports.find((p) => p.name === name)
    if (port) return port.port
  }
  return ports.find((p) => p.port === 9090)?.port ?? (ports.length === 1 ? ports[0]!.port : undefined)
}

/** Picks the best Prometheus-like Service of a list (pure, for tests). */
export function pickPrometheusService(services: readonly ServiceLike[]): DiscoveredPrometheus | undefined {
  for (const rule of PREFERENCE) {
    const matches = services
      .filter((s) => s.spec?.type !== 'ExternalName')
      .filter((s) =>
        rule.name
          ? rule.name.test(s.metadata?.name ?? '')
          : rule.app!.test(s.metadata?.labels?.['app.kubernetes.io/name'] ?? s.metadata?.labels?.app ?? ''),
      )
      .map((s) => ({s, port: apiPort(s)}))
      .filter((m): m is {s: ServiceLike; port: number} => m.port !== undefined)
      // A stable choice when several namespaces run one: by namespace, then name.
      .sort((a, b) =>
        `${a.s.metadata?.namespace}/${a.s.metadata?.name}`.localeCompare(
          `${b.s.metadata?.namespace}/${b.s.metadata?.name}`,
        ),
      )
    const first = matches[0]
    if (first) {
      const namespace = first.s.metadata?.namespace ?? 'default'
      const name = first.s.metadata?.name ?? ''
      return {
        namespace,
        name,
        port: first.port,
        reason: rule.reason,
        url: `http://${name}.${namespace}.svc:${first.port}`,
      }
    }
  }
  return undefined
}

/**
 * Finds Prometheus in the cluster by listing Services (RBAC: list services). Only the in-cluster
 * address can be used directly (`inCluster`: this process runs in a pod of that cluster, so
 * Service names resolve); from outside, the error says how to port-forward to what was found.
 */
export async function discoverPrometheus(access: KubeAccess, inCluster: boolean): Promise<DiscoveredPrometheus> {
  const core = access.kc.makeApiClient(k8s.CoreV1Api)
  const services: ServiceLike[] = []
  let token: string | undefined
  try {
    do {
      const page = (await core.listServiceForAllNamespaces({limit: 500, _continue: token})) as {
        items: ServiceLike[]
        metadata?: {_continue?: string}
      }
      services.push(...page.items)
      token = page.metadata?._continue || undefined
    } while (token)
  } catch (error) {
    throw kubeError(error, 'list services to find Prometheus', access.server)
  }
  const found = pickPrometheusService(services)
  if (!found)
    throw new FinopsError(`no Prometheus Service found in the cluster (${services.length} Services looked at)`, {
      code: 'PROMETHEUS_NOT_FOUND',
      exit: 'notFound',
      suggestion: (n) => `set ${n(I.url)} to Prometheus' URL`,
    })
  if (!inCluster)
    throw new FinopsError(
      `found Prometheus at ${found.namespace}/${found.name}:${found.port} (${found.reason}), but its in-cluster address cannot be reached from here`,
      {
        code: 'PROMETHEUS_NOT_REACHABLE_HERE',
        exit: 'usage',
        suggestion: (n) =>
          `run \`kubectl port-forward -n ${found.namespace} svc/${found.name} 9090:${found.port}\` and set ${n(I.url)} to http://localhost:9090`,
      },
    )
  return found
}
