import type {
  ResourceAmounts,
  CapacityType,
  ContainerSpec,
  HpaSpec,
  Inventory,
  NamespaceInfo,
  NodeInfo,
  OwnerRef,
  PdbSpec,
  PodInfo,
  Toleration,
  VolumeRef,
  Workload,
  WorkloadKind,
} from '../model/k8s.js'
import {isGpuResource} from './gpu.js'
import {nodeLabel} from './node-labels.js'
import {parseQuantity} from './quantity.js'
import {selectorMatches} from './selector.js'

/**
 * Builds the inventory from Kubernetes API objects (as listed by client-node or read from a JSON
 * snapshot): pure, so the collector, the demo and tests share it. Objects are read structurally
 * (camelCase fields, timestamps as Date or string) rather than through client-node's classes.
 */
// The shape we read; every field optional because API objects omit empty ones.
/* eslint-disable @typescript-eslint/no-explicit-any */
export type K8sObject = {metadata?: any; spec?: any; status?: any; [key: string]: any}
/* eslint-enable @typescript-eslint/no-explicit-any */

export interface RawCluster {
  nodes: K8sObject[]
  namespaces: K8sObject[]
  pods: K8sObject[]
  deployments: K8sObject[]
  statefulsets: K8sObject[]
  daemonsets: K8sObject[]
  replicasets: K8sObject[]
  jobs: K8sObject[]
  cronjobs: K8sObject[]
  hpas: K8sObject[]
  pdbs: K8sObject[]
  pvcs: K8sObject[]
  pvs: K8sObject[]
}

export const emptyRawCluster = (): RawCluster => ({
  nodes: [],
  namespaces: [],
  pods: [],
  deployments: [],
  statefulsets: [],
  daemonsets: [],
  replicasets: [],
  jobs: [],
  cronjobs: [],
  hpas: [],
  pdbs: [],
  pvcs: [],
  pvs: [],
})

/** Sorts a flat list of API objects (e.g. a snapshot file) into a RawCluster by kind. */
export function rawClusterFromObjects(objects: readonly K8sObject[]): RawCluster {
  const raw = emptyRawCluster()
  const byKind: Record<string, keyof RawCluster> = {
    Node: 'nodes',
    Namespace: 'namespaces',
    Pod: 'pods',
    Deployment: 'deployments',
    StatefulSet: 'statefulsets',
    DaemonSet: 'daemonsets',
    ReplicaSet: 'replicasets',
    Job: 'jobs',
    CronJob: 'cronjobs',
    HorizontalPodAutoscaler: 'hpas',
    PodDisruptionBudget: 'pdbs',
    PersistentVolumeClaim: 'pvcs',
    PersistentVolume: 'pvs',
  }
  for (const o of objects) {
    const key = byKind[String(o.kind)]
    if (key) raw[key].push(o)
  }
  return raw
}

const iso = (v: unknown): string | undefined =>
  v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : undefined
const strMap = (v: unknown): Record<string, string> =>
  v && typeof v === 'object' ? {...(v as Record<string, string>)} : {}
const nsName = (o: K8sObject): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`

/** Capacity-type labels in precedence order, with how each spells "spot". */
const CAPACITY_LABELS: {label: string; spot: (v: string) => boolean}[] = [
  {label: 'karpenter.sh/capacity-type', spot: (v) => v.toLowerCase() === 'spot'},
  {label: 'eks.amazonaws.com/capacityType', spot: (v) => v.toUpperCase() === 'SPOT'},
  {label: 'cloud.google.com/gke-spot', spot: (v) => v.toLowerCase() === 'true'},
  {label: 'cloud.google.com/gke-preemptible', spot: (v) => v.toLowerCase() === 'true'},
  {label: 'kubernetes.azure.com/scalesetpriority', spot: (v) => v.toLowerCase() === 'spot'},
  {label: 'node.kubernetes.io/lifecycle', spot: (v) => v.toLowerCase() === 'spot'},
]

/**
 * The node's capacity type from the usual provider labels (as the API writes them, or sanitized as
 * kube_node_labels exports them); on-demand when no label says otherwise.
 */
export function nodeCapacityType(labels: Record<string, string>): {capacityType: CapacityType; source: string} {
  for (const {label, spot} of CAPACITY_LABELS) {
    const value = nodeLabel(labels, label)
    if (value !== undefined) return {capacityType: spot(value) ? 'spot' : 'on-demand', source: label}
  }
  return {capacityType: 'on-demand', source: 'default'}
}

/** Parses spec.providerID: aws:///zone/i-..., gce://project/zone/name, azure:///subscriptions/.../virtualMachines/N. */
export function parseProviderId(providerId: string | undefined): {
  provider?: string
  instanceId?: string
  zone?: string
} {
  if (!providerId) return {}
  const aws =
    /^aws:\/\/\/([^/]*)\/(i-[0-9a-f]+)$/i.exec(providerId) ?? /^aws:\/\/\/(.*?)\/?(i-[0-9a-f]+)$/i.exec(providerId)
  if (aws) return {provider: 'aws', instanceId: aws[2], zone: aws[1] || undefined}
  const gce = /^gce:\/\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(providerId)
  if (gce) return {provider: 'gcp', instanceId: gce[3], zone: gce[2]}
  if (providerId.startsWith('azure://'))
    return {provider: 'azure', instanceId: providerId.slice('azure://'.length).toLowerCase()}
  const scheme = /^([a-z0-9-]+):\/\//i.exec(providerId)
  return {provider: scheme?.[1], instanceId: providerId.split('/').filter(Boolean).at(-1)}
}

export function buildNode(o: K8sObject, cluster: string): NodeInfo {
  const labels = strMap(o.metadata?.labels)
  const providerId: string | undefined = o.spec?.providerID
  const parsed = parseProviderId(providerId)
  const {capacityType, source} = nodeCapacityType(labels)
  const amount = (m: unknown) => ({
    cpu: parseQuantity((m as Record<string, string> | undefined)?.cpu) ?? 0,
    memory: parseQuantity((m as Record<string, string> | undefined)?.memory) ?? 0,
  })
  return {
    cluster,
    name: o.metadata?.name,
    providerId,
    provider: parsed.provider,
    instanceId: parsed.instanceId,
    instanceType: labels['node.kubernetes.io/instance-type'] ?? labels['beta.kubernetes.io/instance-type'],
    zone: labels['topology.kubernetes.io/zone'] ?? labels['failure-domain.beta.kubernetes.io/zone'] ?? parsed.zone,
    region: labels['topology.kubernetes.io/region'] ?? labels['failure-domain.beta.kubernetes.io/region'],
    capacityType,
    capacityTypeSource: source,
    allocatable: amount(o.status?.allocatable),
    capacity: (() => {
      const gpus = gpuAmounts(o.status?.capacity)
      return gpus ? {...amount(o.status?.capacity), gpus} : amount(o.status?.capacity)
    })(),
    labels,
    annotations: strMap(o.metadata?.annotations),
    taints: ((o.spec?.taints ?? []) as {key: string; value?: string; effect: string}[]).map((t) => ({
      key: t.key,
      value: t.value,
      effect: t.effect,
    })),
    unschedulable: o.spec?.unschedulable === true ? true : undefined,
    createdAt: iso(o.metadata?.creationTimestamp),
  }
}

function containerSpecs(list: unknown): ContainerSpec[] {
  return (
    (list ?? []) as {
      name: string
      image?: string
      restartPolicy?: string
      resources?: {requests?: Record<string, string>; limits?: Record<string, string>}
    }[]
  ).map((c) => ({
    name: c.name,
    image: c.image,
    requests: amounts(c.resources?.requests),
    limits: amounts(c.resources?.limits),
    ...(c.restartPolicy ? {restartPolicy: c.restartPolicy} : {}),
  }))
}

function amounts(m: Record<string, string> | undefined): ResourceAmounts {
  const out: ResourceAmounts = {}
  const cpu = parseQuantity(m?.cpu)
  const memory = parseQuantity(m?.memory)
  if (cpu !== undefined) out.cpu = cpu
  if (memory !== undefined) out.memory = memory
  const gpus = gpuAmounts(m)
  if (gpus) out.gpus = gpus
  return out
}

/** GPU-like extended resources of a requests/limits/capacity map, or undefined when there are none. */
function gpuAmounts(m: Record<string, string> | undefined): Record<string, number> | undefined {
  let out: Record<string, number> | undefined
  for (const [key, value] of Object.entries(m ?? {})) {
    if (!isGpuResource(key)) continue
    const n = parseQuantity(value)
    if (n !== undefined && n > 0) (out ??= {})[key] = n
  }
  return out
}

interface Lookup {
  pvcs: Map<string, K8sObject>
  pvs: Map<string, K8sObject>
}

const escapeRegex = (v: string): string => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const isLocalClass = (storageClass: string | undefined): boolean => Boolean(storageClass && /local/i.test(storageClass))

function volumeRefs(
  podSpec: K8sObject | undefined,
  namespace: string,
  lookup: Lookup,
  claimTemplates: unknown,
  owner?: string,
): VolumeRef[] {
  const out: VolumeRef[] = []
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  for (const v of (podSpec?.volumes ?? []) as Record<string, any>[]) {
    if (v.persistentVolumeClaim) {
      const claimName: string = v.persistentVolumeClaim.claimName
      out.push(claimRef(v.name, claimName, lookup.pvcs.get(`${namespace}/${claimName}`), lookup))
    } else if (v.emptyDir) out.push({name: v.name, kind: 'emptyDir', medium: v.emptyDir.medium || undefined})
    else if (v.hostPath) out.push({name: v.name, kind: 'hostPath', path: v.hostPath.path})
    else if (v.configMap) out.push({name: v.name, kind: 'configMap'})
    else if (v.secret) out.push({name: v.name, kind: 'secret'})
    else if (v.projected) out.push({name: v.name, kind: 'projected'})
    else if (v.downwardAPI) out.push({name: v.name, kind: 'downwardAPI'})
    else if (v.ephemeral)
      out.push({name: v.name, kind: 'ephemeral', storageClass: v.ephemeral.volumeClaimTemplate?.spec?.storageClassName})
    else out.push({name: v.name, kind: 'other'})
  }
  for (const t of (claimTemplates ?? []) as K8sObject[]) {
    const storageClass: string | undefined = t.spec?.storageClassName
    // The claims a StatefulSet made from this template (<template>-<statefulset>-<ordinal>) tell us whether their volumes are node-local.
    const claim = new RegExp(`^${escapeRegex(`${t.metadata?.name}-${owner}`)}-\\d+$`)
    const made = [...lookup.pvcs.values()].filter(
      (p) => p.metadata?.namespace === namespace && claim.test(String(p.metadata?.name)),
    )
    const local = made.some((p) => claimIsLocal(p, lookup)) || isLocalClass(storageClass)
    out.push({
      name: t.metadata?.name,
      kind: 'persistentVolumeClaim',
      template: true,
      storageClass,
      sizeBytes: parseQuantity(t.spec?.resources?.requests?.storage),
      accessModes: t.spec?.accessModes,
      nodeLocal: local,
    })
  }
  return out
}

function claimIsLocal(pvc: K8sObject, lookup: Lookup): boolean {
  const pv = pvc.spec?.volumeName ? lookup.pvs.get(pvc.spec.volumeName) : undefined
  return Boolean(pv?.spec?.local || pv?.spec?.hostPath) || isLocalClass(pvc.spec?.storageClassName)
}

function claimRef(name: string, claimName: string, pvc: K8sObject | undefined, lookup: Lookup): VolumeRef {
  return {
    name,
    kind: 'persistentVolumeClaim',
    claimName,
    storageClass: pvc?.spec?.storageClassName,
    sizeBytes: parseQuantity(pvc?.status?.capacity?.storage ?? pvc?.spec?.resources?.requests?.storage),
    accessModes: pvc?.spec?.accessModes,
    nodeLocal: pvc ? claimIsLocal(pvc, lookup) : undefined,
  }
}

function requiredAffinity(podSpec: K8sObject | undefined): string[] {
  const terms = (podSpec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ??
    []) as {matchExpressions?: {key: string; operator: string; values?: string[]}[]}[]
  return terms.flatMap((t) =>
    (t.matchExpressions ?? []).map((e) => `${e.key} ${e.operator}${e.values?.length ? ` ${e.values.join(',')}` : ''}`),
  )
}

function podInfo(p: K8sObject): PodInfo {
  return {
    name: p.metadata?.name,
    node: p.spec?.nodeName,
    phase: p.status?.phase,
    startTime: iso(p.status?.startTime),
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    containers: ((p.status?.containerStatuses ?? []) as Record<string, any>[]).map((s) => ({
      name: s.name,
      restarts: Number(s.restartCount ?? 0),
      lastTerminationReason: s.lastState?.terminated?.reason,
      lastTerminatedAt: iso(s.lastState?.terminated?.finishedAt),
    })),
  }
}

function hpaSpec(h: K8sObject): HpaSpec {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const targets = ((h.spec?.metrics ?? []) as Record<string, any>[]).map((m) => {
    const body = m.resource ?? m.containerResource ?? m.pods ?? m.object ?? m.external ?? {}
    const target = body.target ?? {}
    return {
      type: m.type,
      resource: m.resource?.name ?? m.containerResource?.name,
      metric: body.metric?.name,
      container: m.containerResource?.container,
      targetType: target.type,
      averageUtilization: target.averageUtilization,
      averageValue: parseQuantity(target.averageValue),
      value: parseQuantity(target.value),
    }
  })
  // autoscaling/v1 objects carry a single CPU target.
  if (targets.length === 0 && h.spec?.targetCPUUtilizationPercentage !== undefined) {
    targets.push({
      type: 'Resource',
      resource: 'cpu',
      metric: undefined,
      container: undefined,
      targetType: 'Utilization',
      averageUtilization: h.spec.targetCPUUtilizationPercentage,
      averageValue: undefined,
      value: undefined,
    })
  }
  return {
    name: h.metadata?.name,
    minReplicas: h.spec?.minReplicas ?? 1,
    maxReplicas: h.spec?.maxReplicas,
    currentReplicas: h.status?.currentReplicas,
    desiredReplicas: h.status?.desiredReplicas,
    targets,
  }
}

function pdbSpec(p: K8sObject): PdbSpec {
  return {
    name: p.metadata?.name,
    minAvailable: p.spec?.minAvailable,
    maxUnavailable: p.spec?.maxUnavailable,
    disruptionsAllowed: p.status?.disruptionsAllowed,
    currentHealthy: p.status?.currentHealthy,
    desiredHealthy: p.status?.desiredHealthy,
    expectedPods: p.status?.expectedPods,
    selector: strMap(p.spec?.selector?.matchLabels),
  }
}

const WORKLOAD_LISTS: [keyof RawCluster, WorkloadKind][] = [
  ['deployments', 'Deployment'],
  ['statefulsets', 'StatefulSet'],
  ['daemonsets', 'DaemonSet'],
  ['cronjobs', 'CronJob'],
  ['jobs', 'Job'],
  ['replicasets', 'ReplicaSet'],
]

const LISTED_KINDS = new Set<string>(WORKLOAD_LISTS.map(([, kind]) => kind))

/** Assembles the inventory: controllers with their pods, HPA, PDBs and volumes; nodes; namespaces. */
export function buildInventory(
  raw: RawCluster,
  cluster: string,
  collectedAt: string,
  warnings: string[] = [],
): Inventory {
  const lookup: Lookup = {
    pvcs: new Map(raw.pvcs.map((p) => [nsName(p), p])),
    pvs: new Map(raw.pvs.map((p) => [String(p.metadata?.name), p])),
  }
  const byUid = new Map<string, {kind: string; o: K8sObject}>()
  for (const [list, kind] of WORKLOAD_LISTS)
    for (const o of raw[list]) if (o.metadata?.uid) byUid.set(o.metadata.uid, {kind, o})

  const ownerOf = (o: K8sObject): OwnerRef | undefined => {
    const refs = (o.metadata?.ownerReferences ?? []) as {
      kind: string
      name: string
      uid?: string
      controller?: boolean
    }[]
    const ref = refs.find((r) => r.controller) ?? refs[0]
    return ref && {kind: ref.kind, name: ref.name, uid: ref.uid}
  }
  // The owner chain above an object, nearest first, following uids (or kind+name in the namespace).
  const chainOf = (o: K8sObject): OwnerRef[] => {
    const chain: OwnerRef[] = []
    let current: K8sObject | undefined = o
    for (let depth = 0; current && depth < 5; depth++) {
      const owner = ownerOf(current)
      if (!owner) break
      chain.push(owner)
      current =
        (owner.uid ? byUid.get(owner.uid)?.o : undefined) ??
        WORKLOAD_LISTS.flatMap(([list, kind]) => (kind === owner.kind ? raw[list] : [])).find(
          (c) => c.metadata?.name === owner.name && c.metadata?.namespace === o.metadata?.namespace,
        )
    }
    return chain
  }

  const workloads = new Map<string, Workload>()
  const key = (ns: string, kind: string, name: string) => `${ns}/${kind}/${name}`
  const top = new Set<WorkloadKind>(['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob'])

  for (const [list, kind] of WORKLOAD_LISTS) {
    for (const o of raw[list]) {
      const owners = chainOf(o)
      // Jobs of a CronJob and ReplicaSets of a Deployment are folded into their owner.
      if (!top.has(kind) && owners.length > 0 && WORKLOAD_LISTS.some(([, k]) => k === owners.at(-1)!.kind)) continue
      const podTemplate = kind === 'CronJob' ? o.spec?.jobTemplate?.spec?.template : o.spec?.template
      const podSpec = podTemplate?.spec
      const namespace = String(o.metadata?.namespace ?? '')
      const replicas =
        kind === 'DaemonSet'
          ? Number(o.status?.desiredNumberScheduled ?? 0)
          : kind === 'CronJob'
            ? Number(o.spec?.jobTemplate?.spec?.parallelism ?? 1)
            : kind === 'Job'
              ? Number(o.spec?.parallelism ?? 1)
              : Number(o.spec?.replicas ?? 1)
      workloads.set(key(namespace, kind, o.metadata?.name), {
        cluster,
        namespace,
        kind,
        name: o.metadata?.name,
        uid: o.metadata?.uid,
        createdAt: iso(o.metadata?.creationTimestamp),
        replicas,
        readyReplicas: kind === 'DaemonSet' ? o.status?.numberReady : o.status?.readyReplicas,
        containers: containerSpecs(podSpec?.containers),
        initContainers: containerSpecs(podSpec?.initContainers),
        labels: strMap(o.metadata?.labels),
        annotations: strMap(o.metadata?.annotations),
        podLabels: strMap(podTemplate?.metadata?.labels),
        selector: strMap(o.spec?.selector?.matchLabels ?? o.spec?.jobTemplate?.spec?.selector?.matchLabels),
        owners,
        pdbs: [],
        volumes: volumeRefs(podSpec, namespace, lookup, o.spec?.volumeClaimTemplates, o.metadata?.name),
        terminationGracePeriodSeconds: podSpec?.terminationGracePeriodSeconds,
        placement: {
          nodeSelector: strMap(podSpec?.nodeSelector),
          tolerations: ((podSpec?.tolerations ?? []) as Toleration[]).map((t) => ({
            key: t.key,
            operator: t.operator,
            value: t.value,
            effect: t.effect,
          })),
          requiredNodeAffinity: requiredAffinity(podSpec),
          nodes: [],
        },
        pods: [],
        restarts: 0,
        schedule: kind === 'CronJob' ? o.spec?.schedule : undefined,
        suspend: kind === 'CronJob' ? Boolean(o.spec?.suspend) : undefined,
        timeZone: kind === 'CronJob' ? o.spec?.timeZone : undefined,
        serviceAccountName: podSpec?.serviceAccountName,
        priorityClassName: podSpec?.priorityClassName,
      })
    }
  }

  for (const p of raw.pods) {
    const namespace = String(p.metadata?.namespace ?? '')
    const chain = chainOf(p)
    // The highest owner we inventoried: the Deployment above a ReplicaSet, or a ReplicaSet whose own
    // owner is not a kind we list (an Argo Rollout, ...).
    let workload: Workload | undefined
    for (let i = chain.length - 1; i >= 0 && !workload; i--)
      workload = workloads.get(key(namespace, chain[i]!.kind, chain[i]!.name))
    if (!workload && !chain.some((o) => LISTED_KINDS.has(o.kind))) {
      // A bare pod, a static pod (owned by its Node) or an operator's pod (owned by a custom resource) is its own workload.
      const spec = p.spec
      workload = {
        cluster,
        namespace,
        kind: 'Pod',
        name: p.metadata?.name,
        uid: p.metadata?.uid,
        createdAt: iso(p.metadata?.creationTimestamp),
        replicas: 1,
        containers: containerSpecs(spec?.containers),
        initContainers: containerSpecs(spec?.initContainers),
        labels: strMap(p.metadata?.labels),
        annotations: strMap(p.metadata?.annotations),
        podLabels: strMap(p.metadata?.labels),
        selector: {},
        owners: chain,
        pdbs: [],
        volumes: volumeRefs(spec, namespace, lookup, undefined),
        terminationGracePeriodSeconds: spec?.terminationGracePeriodSeconds,
        placement: {
          nodeSelector: strMap(spec?.nodeSelector),
          tolerations: spec?.tolerations ?? [],
          requiredNodeAffinity: requiredAffinity(spec),
          nodes: [],
        },
        pods: [],
        restarts: 0,
        serviceAccountName: spec?.serviceAccountName,
        priorityClassName: spec?.priorityClassName,
      }
      workloads.set(key(namespace, 'Pod', workload.name), workload)
    }
    if (!workload) continue
    const info = podInfo(p)
    workload.pods.push(info)
    workload.restarts += info.containers.reduce((n, c) => n + c.restarts, 0)
    if (
      info.node &&
      (info.phase === undefined || info.phase === 'Running' || info.phase === 'Pending') &&
      !workload.placement.nodes.includes(info.node)
    ) {
      workload.placement.nodes.push(info.node)
    }
  }

  for (const h of raw.hpas) {
    const ref = h.spec?.scaleTargetRef
    const w = ref && workloads.get(key(String(h.metadata?.namespace ?? ''), ref.kind, ref.name))
    if (w) w.hpa = hpaSpec(h)
  }
  for (const p of raw.pdbs) {
    const spec = pdbSpec(p)
    // The whole selector: matchExpressions-only PDBs, and empty ones (every pod of the namespace), protect pods too.
    for (const w of workloads.values()) {
      if (w.namespace === p.metadata?.namespace && selectorMatches(p.spec?.selector, w.podLabels)) w.pdbs.push(spec)
    }
  }
  for (const w of workloads.values()) w.placement.nodes.sort()

  const namespaces: NamespaceInfo[] = raw.namespaces.map((n) => ({
    cluster,
    name: n.metadata?.name,
    labels: strMap(n.metadata?.labels),
    annotations: strMap(n.metadata?.annotations),
  }))
  return {
    cluster,
    collectedAt,
    workloads: [...workloads.values()].sort((a, b) =>
      key(a.namespace, a.kind, a.name).localeCompare(key(b.namespace, b.kind, b.name)),
    ),
    nodes: raw.nodes.map((n) => buildNode(n, cluster)).sort((a, b) => a.name.localeCompare(b.name)),
    namespaces: namespaces.sort((a, b) => a.name.localeCompare(b.name)),
    warnings,
  }
}

/**
 * Maps a pod name seen in metrics to its workload when the pod is gone from the inventory: the
 * longest workload name in the namespace that prefixes the pod name with the suffix its kind makes
 * (Deployment `-<hash>-<5>`, StatefulSet `-<ordinal>`, DaemonSet/Job `-<5>`, CronJob `-<digits>-<5>`).
 */
export function workloadForPod(
  podName: string,
  candidates: readonly {kind: WorkloadKind; name: string}[],
): {kind: WorkloadKind; name: string} | undefined {
  const suffix: Partial<Record<WorkloadKind, RegExp>> = {
    Deployment: /^[a-z0-9]{5,10}-[a-z0-9]{5}$/,
    StatefulSet: /^\d+$/,
    DaemonSet: /^[a-z0-9]{5}$/,
    Job: /^[a-z0-9]{5}$/,
    CronJob: /^\d{6,}-[a-z0-9]{5}$/,
    ReplicaSet: /^[a-z0-9]{5}$/,
    Pod: /^$/,
  }
  let best: {kind: WorkloadKind; name: string} | undefined
  for (const c of candidates) {
    const rest =
      c.kind === 'Pod'
        ? podName === c.name
          ? ''
          : undefined
        : podName.startsWith(`${c.name}-`)
          ? podName.slice(c.name.length + 1)
          : undefined
    if (rest === undefined || !suffix[c.kind]?.test(rest)) continue
    if (!best || c.name.length > best.name.length) best = c
  }
  return best
}

/** Without an inventory: guess the Deployment-style name from the pod name, else the pod itself. */
export function guessWorkloadForPod(podName: string): {kind: WorkloadKind; name: string} {
  const deployment = /^(.+)-[a-z0-9]{6,10}-[a-z0-9]{5}$/.exec(podName)
  if (deployment) return {kind: 'Deployment', name: deployment[1]!}
  const statefulSet = /^(.+)-(\d+)$/.exec(podName)
  if (statefulSet) return {kind: 'StatefulSet', name: statefulSet[1]!}
  return {kind: 'Pod', name: podName}
}
