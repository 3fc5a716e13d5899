import {nodeLabel} from './node-labels.js'

/**
 * GPUs as the scheduler sees them and as the bill charges them. A pod requests units of an extended
 * resource; a unit is a whole GPU, a MIG slice (`nvidia.com/mig-3g.20gb` is 3 of the GPU's 7
 * compute slices) or a time-sliced share (the device plugin advertises `replicas` units per GPU,
 * and GPU feature discovery labels the node `nvidia.com/gpu.replicas`). Costs are per physical
 * GPU, so each unit is charged the fraction of a GPU it stands for. Pure.
 *
 * Resource names come as kube-state-metrics writes them (`nvidia_com_gpu`) or as the API does
 * (`nvidia.com/gpu`); node labels as the API does or as kube_node_labels sanitizes them.
 */

/** Compute slices of a MIG-capable GPU: 7 on A100 and H100, 4 on A30. */
const migSlicesPerGpu = (labels: Readonly<Record<string, string>>): number =>
  /A30/i.test(nodeLabel(labels, 'nvidia.com/gpu.product') ?? '') ? 4 : 7

const normalize = (resource: string) => resource.replace(/[^a-zA-Z0-9_]/g, '_')

/** Whether a resource name is one we charge as (a fraction of) a GPU. */
export const isGpuResource = (resource: string): boolean =>
  /^(nvidia_com_gpu|nvidia_com_mig_\d+g_.+|amd_com_gpu|gpu_intel_com_i915)$/.test(normalize(resource))

/** The MIG profile's compute slices, from `nvidia.com/mig-3g.20gb` or a product label `...-MIG-3g.20gb`. */
const migSlices = (text: string): number | undefined => {
  const m = /mig[-_](\d+)g[._]/i.exec(text)
  return m ? Number(m[1]) : undefined
}

/** Physical GPUs one requested unit of `resource` stands for on a node with these labels. */
export function gpuFraction(resource: string, labels: Readonly<Record<string, string>>): number {
  const r = normalize(resource)
  const perGpu = migSlicesPerGpu(labels)
  if (r.startsWith('nvidia_com_mig_')) return Math.min(1, (migSlices(r) ?? perGpu) / perGpu)
  if (r === 'nvidia_com_gpu') {
    // MIG "single" strategy: every advertised nvidia.com/gpu is one slice of the product's profile.
    if (nodeLabel(labels, 'nvidia.com/mig.strategy') === 'single') {
      const slices = migSlices(nodeLabel(labels, 'nvidia.com/gpu.product') ?? '')
      if (slices) return Math.min(1, slices / perGpu)
    }
    const replicas = Number(nodeLabel(labels, 'nvidia.com/gpu.replicas') ?? 1)
    return replicas >= 1 ? 1 / Math.floor(replicas) : 1
  }
  return 1
}

/**
 * Physical GPUs of a node: GPU feature discovery's `nvidia.com/gpu.count` when labelled, else the
 * advertised units (capacity) times what each stands for.
 */
export function physicalGpus(
  capacity: Readonly<Record<string, number>>,
  labels: Readonly<Record<string, string>>,
): number {
  let nvidia = 0
  let other = 0
  for (const [resource, count] of Object.entries(capacity)) {
    if (!isGpuResource(resource) || !(count > 0)) continue
    const units = count * gpuFraction(resource, labels)
    if (normalize(resource).startsWith('nvidia_com_')) nvidia += units
    else other += units
  }
  const counted = Number(nodeLabel(labels, 'nvidia.com/gpu.count'))
  if (Number.isFinite(counted) && counted > 0 && nvidia > 0) nvidia = counted
  // MIG slices need not fill their GPUs (two 3g.20gb leave one of 7 compute slices): a part of a GPU is still a GPU.
  else nvidia = Math.ceil(nvidia - 1e-9)
  return nvidia + other
}
