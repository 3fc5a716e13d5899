import type {FleetClusterConfig, KubernetesConfig} from '../config/sections/kubernetes.js'
import {CONTEXT_INPUT} from './kubeconfig.js'
import {usageError} from '../errors.js'

/**
 * One cluster a collect command reads: its kube access, and how its series are picked out of a
 * Prometheus (Thanos, Mimir, AMP) that may hold a whole fleet.
 */
export interface FleetMember {
  /** Name it is stored under; undefined when the command decides (the store's one snapshot, the context). */
  name?: string
  kubeconfig?: string
  context?: string
  /** Label matchers added to every selector: kubernetes.prometheus.extraSelector and `<clusterLabel>="<value>"`. */
  selector: string
  /** Prometheus headers of this cluster (its tenant), over kubernetes.prometheus.headers. */
  headers: Record<string, string>
  headersFromEnv: Record<string, string>
}

/** The clusters one run reads; `fleet` says whether the output is per cluster (several, or from kubernetes.clusters). */
export interface Fleet {
  members: FleetMember[]
  fleet: boolean
}

const quote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`

/** The selector of a cluster whose name was decided by the command (the store's one snapshot, the context). */
export const selectorFor = (k: KubernetesConfig, labelValue: string | undefined): string => {
  const byCluster = k.clusterLabel && labelValue !== undefined ? `${k.clusterLabel}=${quote(labelValue)}` : ''
  return [k.prometheus.extraSelector, byCluster].filter(Boolean).join(',')
}

function configured(k: KubernetesConfig, c: FleetClusterConfig): FleetMember {
  return {
    name: c.name,
    kubeconfig: c.kubeconfig ?? k.kubeconfig,
    context: c.context ?? c.name,
    selector: selectorFor(k, c.labelValue ?? c.name),
    headers: c.headers,
    headersFromEnv: c.headersFromEnv,
  }
}

const named = (k: KubernetesConfig, name: string): FleetClusterConfig => {
  const entry = k.clusters?.find((c) => c.name === name)
  if (!entry)
    throw usageError(
      `cluster ${name} is not listed in kubernetes.clusters (${k.clusters!.map((c) => c.name).join(', ')})`,
      'pass one of those names, or add the cluster to kubernetes.clusters in finops.yaml',
    )
  return entry
}

/** A single cluster as before fleets: flags over kubernetes.cluster/context, filtered by clusterLabel when set. */
function single(k: KubernetesConfig, flags: {kubeconfig?: string; context?: string; cluster?: string}): Fleet {
  const name = flags.cluster ?? k.cluster
  return {
    fleet: false,
    members: [
      {
        name,
        kubeconfig: flags.kubeconfig ?? k.kubeconfig,
        context: flags.context ?? k.context,
        selector: selectorFor(k, name),
        headers: {},
        headersFromEnv: {},
      },
    ],
  }
}

/**
 * The clusters `collect k8s` snapshots: `--context a,b,c` (each stored under its kubernetes.clusters
 * name, else the context's), else every kubernetes.clusters entry (or the one `--cluster` names),
 * else the one cluster of kubernetes.context / the current context.
 */
export function inventoryFleet(
  k: KubernetesConfig,
  flags: {kubeconfig?: string; context?: string; cluster?: string},
): Fleet {
  if (flags.context !== undefined) {
    const contexts = flags.context.split(',').map((c) => c.trim())
    if (contexts.some((c) => c === ''))
      throw usageError(
        (n) => `${n(CONTEXT_INPUT)} "${flags.context}" has an empty context name`,
        'name each context, comma-separated: --context prod-eu,prod-us',
      )
    if (new Set(contexts).size !== contexts.length)
      throw usageError((n) => `${n(CONTEXT_INPUT)} "${flags.context}" names a context twice`)
    if (contexts.length === 1) {
      const entry = k.clusters?.find((c) => (c.context ?? c.name) === contexts[0])
      if (!entry || flags.cluster !== undefined) return single(k, {...flags, cluster: flags.cluster ?? entry?.name})
      return {
        fleet: false,
        members: [{...configured(k, entry), kubeconfig: flags.kubeconfig ?? entry.kubeconfig ?? k.kubeconfig}],
      }
    }
    if (flags.cluster !== undefined)
      throw usageError(
        '--cluster names one cluster, and several contexts were given',
        'drop --cluster: each context is stored under its kubernetes.clusters name, else under the context name',
      )
    return {
      fleet: true,
      members: contexts.map((context) => {
        const entry = k.clusters?.find((c) => (c.context ?? c.name) === context)
        const member = entry ? configured(k, entry) : {...single(k, {cluster: context}).members[0]!, context}
        return {...member, kubeconfig: flags.kubeconfig ?? member.kubeconfig}
      }),
    }
  }
  return usageFleet(k, flags)
}

/**
 * The clusters `collect usage` reads: every kubernetes.clusters entry (or the one `--cluster` names),
 * each with its label value and tenant headers; without a fleet, the one cluster as before.
 */
export function usageFleet(
  k: KubernetesConfig,
  flags: {kubeconfig?: string; context?: string; cluster?: string},
): Fleet {
  if (!k.clusters) return single(k, flags)
  if (flags.cluster !== undefined) {
    const member = configured(k, named(k, flags.cluster))
    return {
      fleet: false,
      members: [
        {...member, kubeconfig: flags.kubeconfig ?? member.kubeconfig, context: flags.context ?? member.context},
      ],
    }
  }
  return {
    fleet: true,
    members: k.clusters.map((c) => {
      const member = configured(k, c)
      return {...member, kubeconfig: flags.kubeconfig ?? member.kubeconfig}
    }),
  }
}
