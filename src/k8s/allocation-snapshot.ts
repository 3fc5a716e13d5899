import {compareNodeDay, type ContainerNodeDay} from './allocation-model.js'
import {
  type ContainerUsage,
  containerKeyId,
  type Inventory,
  longRunningContainers,
  type Workload,
  workloadContainerKeyId,
} from '../model/k8s.js'
import {GIB} from './quantity.js'

const DAY_MS = 86_400_000

/**
 * The fallback for days without kube-state-metrics history (pure): the latest `collect k8s`
 * snapshot stands for the day. Long-running controllers' running pods are taken to have run all
 * day (the snapshot cannot know about replicas that came and went); run-to-completion pods (Jobs,
 * CronJobs) are charged only from their start to the snapshot, never for days before they started;
 * a CronJob or Job with nothing running now is charged the pod-hours its Prometheus samples show.
 * Usage is the day's mean from the usage digests.
 */
export interface SnapshotDaysInput {
  inventory: Inventory
  usage: readonly ContainerUsage[]
  /** The days (and namespaces) to model: `true` when that cluster's namespace has no history that day. */
  uncovered: (cluster: string, day: string, namespace: string) => boolean
  days: readonly string[]
  /** Step of Prometheus digests in seconds: a finished Job's pod-hours are its samples x step. */
  stepSeconds: number
}

export interface SnapshotDays {
  /** Sorted by cluster, day, node. */
  rows: ContainerNodeDay[]
  /** Workloads with usage on modelled days but not in the snapshot (their usage cannot be placed on a node). */
  absentWithUsage: string[]
  unscheduled: number
  /** Pods on nodes the snapshot does not list. */
  unknownNode: number
}

const RUN_TO_COMPLETION = new Set(['Job', 'CronJob'])

/** Hours of [start, end] that fall on `day`. */
function hoursOn(day: string, start: number, end: number): number {
  const dayStart = Date.parse(`${day}T00:00:00Z`)
  const overlap = Math.min(end, dayStart + DAY_MS) - Math.max(start, dayStart)
  return overlap > 0 ? overlap / 3_600_000 : 0
}

export function snapshotContainerDays(input: SnapshotDaysInput): SnapshotDays {
  const {inventory} = input
  type DayUse = {cpu: number; memory: number; samples: number; source: string}
  const usageByKey = new Map<string, Map<string, DayUse>>()
  for (const c of input.usage) {
    const id = containerKeyId(c.key)
    const perDay = usageByKey.get(id) ?? new Map<string, DayUse>()
    for (const d of c.days)
      perDay.set(d.day, {
        cpu: d.cpu.count > 0 ? d.cpu.sum / d.cpu.count : 0,
        memory: d.memory.count > 0 ? d.memory.sum / d.memory.count : 0,
        samples: d.samples,
        source: d.source,
      })
    usageByKey.set(id, perDay)
  }
  const nodes = new Set(inventory.nodes.map((n) => `${n.cluster}/${n.name}`))
  const snapshotAt = Date.parse(inventory.collectedAt)
  const stepHours = input.stepSeconds / 3600
  const rows: ContainerNodeDay[] = []
  const known = new Set<string>()
  let unscheduled = 0
  let unknownNode = 0

  const charge = (
    w: Workload,
    node: string,
    hoursFor: (usage: Map<string, DayUse> | undefined, day: string) => number,
  ) => {
    for (const container of longRunningContainers(w)) {
      const usage = usageByKey.get(workloadContainerKeyId(w, container.name))
      for (const day of input.days) {
        if (!input.uncovered(w.cluster, day, w.namespace)) continue
        const hours = hoursFor(usage, day)
        if (!(hours > 0)) continue
        const used = usage?.get(day)
        const gpuRequestHours: Record<string, number> = {}
        for (const [resource, units] of Object.entries(container.requests.gpus ?? {}))
          gpuRequestHours[resource] = units * hours
        rows.push({
          cluster: w.cluster,
          namespace: w.namespace,
          kind: w.kind,
          workload: w.name,
          container: container.name,
          node,
          day,
          runningHours: hours,
          cpuRequestCoreHours: (container.requests.cpu ?? 0) * hours,
          cpuUsageCoreHours: (used?.cpu ?? 0) * hours,
          memoryRequestGiBHours: ((container.requests.memory ?? 0) / GIB) * hours,
          memoryUsageGiBHours: ((used?.memory ?? 0) / GIB) * hours,
          gpuRequestHours,
        })
      }
    }
  }

  for (const w of inventory.workloads) {
    for (const c of longRunningContainers(w)) known.add(workloadContainerKeyId(w, c.name))
    const running = w.pods.filter((pod) => pod.phase === undefined || pod.phase === 'Running')
    const finite = RUN_TO_COMPLETION.has(w.kind)
    for (const pod of running) {
      if (!pod.node) {
        unscheduled++
        continue
      }
      if (!nodes.has(`${w.cluster}/${pod.node}`)) {
        unknownNode++
        continue
      }
      if (finite) {
        // A Job's pod ran from its start to the snapshot, not all day every day of the window.
        const start = pod.startTime ? Date.parse(pod.startTime) : snapshotAt
        charge(w, pod.node, (_usage, day) => hoursOn(day, start, snapshotAt))
      } else {
        charge(w, pod.node, () => 24)
      }
    }
    // Run-to-completion workloads with nothing running now (a nightly CronJob between runs): their
    // pod-hours per day come from the Prometheus samples (one per pod and step), on the node of the
    // latest pod.
    if (running.length === 0 && finite) {
      const latest = [...w.pods]
        .filter((p) => p.node && nodes.has(`${w.cluster}/${p.node}`))
        .sort((a, b) => (a.startTime ?? '').localeCompare(b.startTime ?? ''))
        .at(-1)
      if (latest?.node)
        charge(w, latest.node, (usage, day) => {
          const used = usage?.get(day)
          return used && used.source === 'prometheus' ? used.samples * stepHours : 0
        })
    }
  }

  const absent = new Set<string>()
  for (const c of input.usage) {
    if (known.has(containerKeyId(c.key))) continue
    if (c.days.some((d) => input.days.includes(d.day) && input.uncovered(c.key.cluster, d.day, c.key.namespace)))
      absent.add(`${c.key.namespace}/${c.key.kind}/${c.key.workload}`)
  }
  rows.sort(compareNodeDay)
  return {rows, absentWithUsage: [...absent].sort(), unscheduled, unknownNode}
}

/** A claim the snapshot's workloads mount, on a modelled day (the shape history's volume rows have). */
export interface SnapshotVolumeDay {
  cluster: string
  volume: string
  day: string
  hours: number
  sizeBytes: number
  storageClass: string
  handle: string
  claimNamespace: string
  claim: string
  ownerKind: string
  ownerWorkload: string
}

/**
 * Persistent volumes on days without history: each claim a snapshot workload mounts (a StatefulSet's
 * claim templates once per replica, `<template>-<statefulset>-<ordinal>`), for the whole day at its
 * requested size and class. Claims no workload mounts are not in the snapshot and are not charged.
 */
export function snapshotVolumeDays(
  input: Pick<SnapshotDaysInput, 'inventory' | 'uncovered' | 'days'>,
): SnapshotVolumeDay[] {
  const claims = new Map<string, Omit<SnapshotVolumeDay, 'day' | 'hours'>>()
  for (const w of input.inventory.workloads) {
    for (const v of w.volumes) {
      if (v.kind !== 'persistentVolumeClaim') continue
      const names = v.template
        ? Array.from({length: Math.max(w.replicas, w.pods.length)}, (_, i) => `${v.name}-${w.name}-${i}`)
        : v.claimName
          ? [v.claimName]
          : []
      for (const claim of names) {
        const id = `${w.cluster}/${w.namespace}/${claim}`
        if (claims.has(id)) continue
        claims.set(id, {
          cluster: w.cluster,
          volume: claim,
          sizeBytes: v.sizeBytes ?? 0,
          storageClass: v.storageClass ?? '',
          handle: '',
          claimNamespace: w.namespace,
          claim,
          ownerKind: w.kind,
          ownerWorkload: w.name,
        })
      }
    }
  }
  const out: SnapshotVolumeDay[] = []
  for (const day of input.days)
    for (const c of claims.values())
      if (input.uncovered(c.cluster, day, c.claimNamespace)) out.push({...c, day, hours: 24})
  return out
}
