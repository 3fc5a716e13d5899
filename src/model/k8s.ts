/**
 * The Kubernetes inventory and usage model: what `finops collect k8s` / `collect usage` store and
 * what the recommenders and the allocation read. CPU is always in cores, memory in bytes, times are
 * ISO strings, days are YYYY-MM-DD (UTC). Plain data only (JSON round-trips), so the store can keep
 * each object as one document and tests can build them by hand.
 */

export type CapacityType = 'on-demand' | 'spot'

/** Where a container's cost is allocated: its cluster, workload and container, and the node it ran on. */
export interface ContainerOnNode {
  cluster: string
  namespace: string
  kind: string
  workload: string
  container: string
  node: string
}

/** The controller kinds we inventory; `Pod` is a bare pod with no controller. */
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'CronJob', 'Job', 'ReplicaSet', 'Pod'] as const
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number]

/** CPU in cores and memory in bytes; absent means "not set" (no request / no limit). */
export interface ResourceAmounts {
  cpu?: number
  memory?: number
  /** GPU-like extended resources as the API names them (`nvidia.com/gpu`, `nvidia.com/mig-1g.5gb`, `amd.com/gpu`): units. */
  gpus?: Record<string, number>
}

export interface ContainerSpec {
  name: string
  image?: string
  requests: ResourceAmounts
  limits: ResourceAmounts
  /** Init containers only: 'Always' makes it a native sidecar, running (and holding its requests) for the pod's life. */
  restartPolicy?: string
}

/** The containers that run for a pod's whole life: its containers plus native sidecars (init containers with restartPolicy Always). */
export const longRunningContainers = (w: Pick<Workload, 'containers' | 'initContainers'>): ContainerSpec[] => [
  ...w.containers,
  ...w.initContainers.filter((c) => c.restartPolicy === 'Always'),
]

export interface OwnerRef {
  kind: string
  name: string
  uid?: string
}

/** One metric target of an autoscaling/v2 HPA. */
export interface HpaTarget {
  /** Resource, ContainerResource, Pods, Object or External. */
  type: string
  /** cpu / memory for (Container)Resource targets. */
  resource?: string
  /** The metric name for Pods/Object/External targets. */
  metric?: string
  container?: string
  /** Utilization (percent of request), AverageValue or Value. */
  targetType?: string
  averageUtilization?: number
  averageValue?: number
  value?: number
}

export interface HpaSpec {
  name: string
  minReplicas: number
  maxReplicas: number
  currentReplicas?: number
  desiredReplicas?: number
  targets: HpaTarget[]
}

export interface PdbSpec {
  name: string
  /** A count or a percentage string ('50%'), as written in the PDB. */
  minAvailable?: number | string
  maxUnavailable?: number | string
  /** status.disruptionsAllowed: how many pods may be evicted right now (0 blocks a drain). */
  disruptionsAllowed?: number
  currentHealthy?: number
  desiredHealthy?: number
  expectedPods?: number
  /** spec.selector.matchLabels */
  selector: Record<string, string>
}

export type VolumeKind =
  | 'emptyDir'
  | 'hostPath'
  | 'local'
  | 'persistentVolumeClaim'
  | 'configMap'
  | 'secret'
  | 'projected'
  | 'downwardAPI'
  | 'ephemeral'
  | 'other'

export interface VolumeRef {
  name: string
  kind: VolumeKind
  /** persistentVolumeClaim (and StatefulSet volumeClaimTemplates) */
  claimName?: string
  storageClass?: string
  /** Requested size of the claim, in bytes. */
  sizeBytes?: number
  accessModes?: string[]
  /** True when the claim's bound volume is node-local (a `local` PV or a local-storage class). */
  nodeLocal?: boolean
  /** emptyDir medium ('Memory') */
  medium?: string
  /** hostPath path */
  path?: string
  /** From a StatefulSet volumeClaimTemplate rather than the pod spec. */
  template?: boolean
}

export interface Toleration {
  key?: string
  operator?: string
  value?: string
  effect?: string
}

export interface Placement {
  nodeSelector: Record<string, string>
  tolerations: Toleration[]
  /** Required node-affinity terms flattened to `key op values` strings, for display and spot checks. */
  requiredNodeAffinity: string[]
  /** Nodes its running pods are on (from the pods, not the spec). */
  nodes: string[]
}

export interface PodContainerStatus {
  name: string
  restarts: number
  /** lastState.terminated.reason, e.g. OOMKilled */
  lastTerminationReason?: string
  lastTerminatedAt?: string
}

export interface PodInfo {
  name: string
  node?: string
  phase?: string
  startTime?: string
  containers: PodContainerStatus[]
}

/** A controller (or bare pod) with its pod template and everything the recommenders check. */
export interface Workload {
  cluster: string
  namespace: string
  kind: WorkloadKind
  name: string
  uid?: string
  createdAt?: string
  /** Desired replicas: spec.replicas; DaemonSet: desiredNumberScheduled; CronJob/Job: parallelism (1). */
  replicas: number
  readyReplicas?: number
  containers: ContainerSpec[]
  initContainers: ContainerSpec[]
  labels: Record<string, string>
  annotations: Record<string, string>
  /** Pod template labels (what Services and PDBs select on). */
  podLabels: Record<string, string>
  /** spec.selector.matchLabels */
  selector: Record<string, string>
  /** The owner chain above this object, nearest first (a Job's CronJob, ...). Empty for top-level controllers. */
  owners: OwnerRef[]
  hpa?: HpaSpec
  /** PDBs whose selector matches the pod template labels. */
  pdbs: PdbSpec[]
  volumes: VolumeRef[]
  terminationGracePeriodSeconds?: number
  placement: Placement
  pods: PodInfo[]
  /** Sum of container restarts over its current pods. */
  restarts: number
  /** CronJob schedule and suspend flag. */
  schedule?: string
  suspend?: boolean
  timeZone?: string
  serviceAccountName?: string
  priorityClassName?: string
}

export interface NodeInfo {
  cluster: string
  name: string
  providerId?: string
  /** aws | gcp | azure | other, from the provider id scheme. */
  provider?: string
  /** The cloud instance / VM id parsed from the provider id (i-0abc..., the GCE instance name, the VMSS instance). */
  instanceId?: string
  instanceType?: string
  zone?: string
  region?: string
  capacityType: CapacityType
  /** The label the capacity type came from, or 'default' when no label said so. */
  capacityTypeSource: string
  allocatable: {cpu: number; memory: number}
  /** `gpus`: GPU-like extended resources the node advertises (units, see ResourceAmounts). */
  capacity: {cpu: number; memory: number; gpus?: Record<string, number>}
  labels: Record<string, string>
  annotations: Record<string, string>
  taints: {key: string; value?: string; effect: string}[]
  unschedulable?: boolean
  createdAt?: string
}

export interface NamespaceInfo {
  cluster: string
  name: string
  labels: Record<string, string>
  annotations: Record<string, string>
}

/** One cluster's snapshot as of `collectedAt`: replaced whole by each `collect k8s`. */
export interface Inventory {
  cluster: string
  collectedAt: string
  workloads: Workload[]
  nodes: NodeInfo[]
  namespaces: NamespaceInfo[]
  /** Resources that could not be listed (403) and were left out, with the reason. */
  warnings: string[]
}

/** The identity usage is keyed by: all pods of a workload share one digest per container. */
export interface ContainerKey {
  cluster: string
  namespace: string
  kind: WorkloadKind
  workload: string
  container: string
}

export const containerKeyId = (k: ContainerKey): string =>
  `${k.cluster}/${k.namespace}/${k.kind}/${k.workload}/${k.container}`
/** The key of one of a workload's containers (its usage digests are stored under it). */
export const workloadContainerKeyId = (
  w: Pick<Workload, 'cluster' | 'namespace' | 'kind' | 'name'>,
  container: string,
): string => containerKeyId({cluster: w.cluster, namespace: w.namespace, kind: w.kind, workload: w.name, container})
export const workloadKeyId = (w: {
  cluster: string
  namespace: string
  kind: string
  name?: string
  workload?: string
}): string => `${w.cluster}/${w.namespace}/${w.kind}/${w.name ?? w.workload}`

/**
 * A bounded-size quantile sketch over positive values: log-spaced buckets with ratio `gamma` from
 * `min` (values below land in `zero`), so any quantile is within ±(gamma-1)/(gamma+1) relative error
 * (about 2%) and the size is bounded by the bucket count whatever the number of samples (cf. DDSketch).
 * `buckets` is sparse: [index, count] pairs sorted by index.
 */
export interface Histogram {
  count: number
  sum: number
  min: number
  max: number
  zero: number
  buckets: [number, number][]
}

/** One container's usage for one UTC day. */
export interface UsageDigest {
  /** Number of sample timestamps seen (the larger of the CPU and memory sample counts). */
  samples: number
  /** CPU usage in cores (per pod, one sample per pod per step). */
  cpu: Histogram
  /** Memory working set in bytes (per pod). */
  memory: Histogram
  /** OOMKilled terminations seen that day. */
  oomKills: number
  /**
   * How the rate window smoothed the CPU values, measured on the series read (absent: not recorded,
   * as by metrics-server or an older collector).
   */
  cpuSmoothing?: CpuSmoothing
}

/**
 * A CPU value read as rate() over a window of several query steps is the mean of the usage of those
 * steps: its distribution has the same middle and a thinner upper tail than the usage it stands for.
 * How much thinner depends on how the usage moves from one step to the next, which the series read
 * shows: these sums give the lag-1 autocorrelation of the values, from which the tail is widened back.
 */
export interface CpuSmoothing {
  /** Query steps each CPU value spans: the rate window over the step (1: no smoothing). */
  windowSteps: number
  /** Values summed below (the CPU values of the day). */
  count: number
  sum: number
  sumSquares: number
  /** Pairs of consecutive values one step apart, and the sum of their squared differences. */
  pairs: number
  diffSquares: number
}

export interface DailyUsage extends UsageDigest {
  day: string
  /** prometheus | metrics-server */
  source: string
}

/** A container's usage over a window, one digest per day (days without data are absent). */
export interface ContainerUsage {
  key: ContainerKey
  days: DailyUsage[]
}
