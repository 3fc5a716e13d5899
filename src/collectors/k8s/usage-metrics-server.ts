import * as k8s from '@kubernetes/client-node'

import {DigestBuilder} from '../../k8s/digest.js'
import {guessWorkloadForPod, workloadForPod} from '../../k8s/inventory.js'
import type {KubeAccess} from '../../k8s/kubeconfig.js'
import type {K8sObject} from '../../k8s/inventory.js'
import type {ContainerKey, Inventory, WorkloadKind} from '../../model/k8s.js'
import {parseQuantity} from '../../k8s/quantity.js'
import type {UsageRow} from '../../store/usage.js'
import {apiStatus, kubeError} from './errors.js'

export interface MetricsServerOptions {
  cluster: string
  namespaces?: readonly string[]
  inventory?: Inventory
}

export interface MetricsServerSample {
  rows: UsageRow[]
  pods: number
  containers: number
  /** The scrape time metrics-server reported (the newest pod timestamp). */
  timestamp?: string
  /** OOM kills found in pod statuses since the previous run (when asked for). */
  oomKills?: number
}

/**
 * One sample per container from metrics.k8s.io (the numbers `kubectl top` shows). Meant to run on a
 * schedule (the CronJob): each run's sample is merged into the day's digest, so history builds up
 * where no Prometheus exists. OOM kills are read from the inventory's pod statuses instead.
 */
export async function sampleMetricsServer(
  access: KubeAccess,
  options: MetricsServerOptions & {oomSince?: string},
): Promise<MetricsServerSample> {
  const metrics = new k8s.Metrics(access.kc)
  const lists: k8s.PodMetric[] = []
  const namespaces = options.namespaces && options.namespaces.length > 0 ? options.namespaces : [undefined]
  for (const ns of namespaces) {
    try {
      lists.push(...(await metrics.getPodMetrics(ns)).items)
    } catch (error) {
      if (apiStatus(error)?.code === 404) {
        throw kubeError(
          error,
          'read pod metrics (metrics.k8s.io is not served: is metrics-server installed?)',
          access.server,
        )
      }
      throw kubeError(error, `read pod metrics${ns ? ` in ${ns}` : ''}`, access.server)
    }
  }
  const sample = digestPodMetrics(lists, options)
  if (options.oomSince !== undefined) {
    const pods: K8sObject[] = []
    const core = access.kc.makeApiClient(k8s.CoreV1Api)
    try {
      for (const ns of namespaces) {
        let token: string | undefined
        do {
          const page = ns
            ? await core.listNamespacedPod({namespace: ns, limit: 500, _continue: token})
            : await core.listPodForAllNamespaces({limit: 500, _continue: token})
          pods.push(...(page.items as K8sObject[]))
          token = page.metadata?._continue || undefined
        } while (token)
      }
    } catch (error) {
      throw kubeError(error, 'list pods (for OOM kills)', access.server)
    }
    const ooms = oomKillsSince(pods, options.oomSince, options)
    sample.rows.push(...ooms)
    sample.oomKills = ooms.reduce((n, r) => n + r.digest.oomKills, 0)
  }
  return sample
}

/**
 * OOM kills metrics-server cannot see, from the pods' last termination: each container whose last
 * termination is OOMKilled and finished after `since` (the previous run) counts once, on the day it
 * finished. A kill is seen again on later runs until the container terminates differently, so the
 * `since` cut-off is what keeps scheduled runs from counting it twice.
 */
export function oomKillsSince(
  pods: readonly K8sObject[],
  since: string,
  options: Omit<MetricsServerOptions, 'namespaces'>,
): UsageRow[] {
  const podToWorkload = new Map<string, {kind: WorkloadKind; name: string}>()
  for (const w of options.inventory?.workloads ?? [])
    for (const p of w.pods) podToWorkload.set(`${w.namespace}/${p.name}`, {kind: w.kind, name: w.name})
  const rows = new Map<string, UsageRow>()
  for (const pod of pods) {
    const namespace = String(pod.metadata?.namespace ?? '')
    const name = String(pod.metadata?.name ?? '')
    for (const status of (pod.status?.containerStatuses ?? []) as {
      name: string
      lastState?: {terminated?: {reason?: string; finishedAt?: Date | string}}
    }[]) {
      const terminated = status.lastState?.terminated
      const finished =
        terminated?.finishedAt instanceof Date ? terminated.finishedAt.toISOString() : terminated?.finishedAt
      if (terminated?.reason !== 'OOMKilled' || !finished || !(finished > since)) continue
      const candidates =
        options.inventory?.workloads
          .filter((w) => w.namespace === namespace)
          .map((w) => ({kind: w.kind, name: w.name})) ?? []
      const workload =
        podToWorkload.get(`${namespace}/${name}`) ?? workloadForPod(name, candidates) ?? guessWorkloadForPod(name)
      const day = finished.slice(0, 10)
      const id = `${namespace}/${workload.kind}/${workload.name}/${status.name}/${day}`
      const row = rows.get(id) ?? {
        key: {
          cluster: options.cluster,
          namespace,
          kind: workload.kind,
          workload: workload.name,
          container: status.name,
        },
        day,
        source: 'metrics-server',
        digest: {...new DigestBuilder().toDigest()},
      }
      row.digest.oomKills++
      rows.set(id, row)
    }
  }
  return [...rows.values()]
}

/** Pure: folds PodMetrics objects into one-sample day digests keyed by workload container. */
export function digestPodMetrics(
  items: readonly k8s.PodMetric[],
  options: Omit<MetricsServerOptions, 'namespaces'>,
): MetricsServerSample {
  const builders = new Map<string, {key: ContainerKey; day: string; digest: DigestBuilder}>()
  const podToWorkload = new Map<string, {kind: WorkloadKind; name: string}>()
  for (const w of options.inventory?.workloads ?? [])
    for (const p of w.pods) podToWorkload.set(`${w.namespace}/${p.name}`, {kind: w.kind, name: w.name})
  let newest: string | undefined
  for (const item of items) {
    const namespace = item.metadata.namespace ?? ''
    const pod = item.metadata.name
    const candidates =
      options.inventory?.workloads
        .filter((w) => w.namespace === namespace)
        .map((w) => ({kind: w.kind, name: w.name})) ?? []
    const workload =
      podToWorkload.get(`${namespace}/${pod}`) ?? workloadForPod(pod, candidates) ?? guessWorkloadForPod(pod)
    const stamp = String(item.timestamp ?? new Date().toISOString())
    if (!newest || stamp > newest) newest = stamp
    const day = new Date(stamp).toISOString().slice(0, 10)
    for (const c of item.containers) {
      const id = `${namespace}/${workload.kind}/${workload.name}/${c.name}/${day}`
      let b = builders.get(id)
      if (!b) {
        b = {
          key: {cluster: options.cluster, namespace, kind: workload.kind, workload: workload.name, container: c.name},
          day,
          digest: new DigestBuilder(),
        }
        builders.set(id, b)
      }
      const cpu = parseQuantity(c.usage.cpu)
      const memory = parseQuantity(c.usage.memory)
      if (cpu !== undefined) b.digest.cpu.add(cpu)
      if (memory !== undefined) b.digest.memory.add(memory)
    }
  }
  const rows = [...builders.values()].map((b) => ({
    key: b.key,
    day: b.day,
    source: 'metrics-server',
    digest: b.digest.toDigest(),
  }))
  return {rows, pods: items.length, containers: rows.length, timestamp: newest}
}
