import {describe, expect, it} from 'vitest'

import {GPU_RESOURCE_PATTERN} from '../../../src/collectors/k8s/history-prometheus.js'
import {gpuFraction, isGpuResource, physicalGpus} from '../../../src/k8s/gpu.js'
import {firstNodeLabel, nodeLabel} from '../../../src/k8s/node-labels.js'

describe('GPU units as fractions of physical GPUs', () => {
  it('knows the GPU resources in both the API and the kube-state-metrics spelling', () => {
    for (const r of [
      'nvidia.com/gpu',
      'nvidia_com_gpu',
      'nvidia.com/mig-1g.5gb',
      'nvidia_com_mig_3g_20gb',
      'amd.com/gpu',
    ])
      expect(isGpuResource(r), r).toBe(true)
    for (const r of ['cpu', 'memory', 'ephemeral_storage', 'nvidia.com/gpu.shared-typo', 'hugepages_2Mi'])
      expect(isGpuResource(r), r).toBe(false)
  })

  it('charges a MIG slice its compute slices out of 7 (4 on an A30)', () => {
    expect(gpuFraction('nvidia.com/mig-1g.5gb', {})).toBeCloseTo(1 / 7, 12)
    expect(gpuFraction('nvidia_com_mig_3g_20gb', {})).toBeCloseTo(3 / 7, 12)
    expect(gpuFraction('nvidia_com_mig_7g_40gb', {})).toBe(1)
    expect(gpuFraction('nvidia_com_mig_2g_12gb', {'nvidia.com/gpu.product': 'NVIDIA-A30'})).toBeCloseTo(2 / 4, 12)
  })

  it('charges a time-sliced share 1/replicas, from the API or the sanitized label', () => {
    expect(gpuFraction('nvidia.com/gpu', {'nvidia.com/gpu.replicas': '4'})).toBe(0.25)
    expect(gpuFraction('nvidia_com_gpu', {nvidia_com_gpu_replicas: '8'})).toBe(0.125)
    expect(gpuFraction('nvidia.com/gpu', {})).toBe(1)
    expect(gpuFraction('nvidia.com/gpu', {'nvidia.com/gpu.replicas': 'garbage'})).toBe(1)
    // MIG "single" strategy: every advertised GPU is a slice of the product's profile.
    expect(
      gpuFraction('nvidia.com/gpu', {
        'nvidia.com/mig.strategy': 'single',
        'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-40GB-MIG-1g.5gb',
      }),
    ).toBeCloseTo(1 / 7, 12)
  })

  it('counts physical GPUs from the advertised units, or the feature-discovery count', () => {
    expect(physicalGpus({nvidia_com_gpu: 4}, {'nvidia.com/gpu.replicas': '4'})).toBe(1)
    expect(physicalGpus({'nvidia.com/mig-1g.5gb': 7}, {})).toBeCloseTo(1, 12)
    expect(physicalGpus({'nvidia.com/mig-1g.5gb': 7}, {'nvidia.com/gpu.count': '2'})).toBe(2)
    expect(physicalGpus({nvidia_com_gpu: 8, amd_com_gpu: 2}, {})).toBe(10)
    expect(physicalGpus({cpu: 8}, {})).toBe(0)
    // Without feature discovery's count, MIG profiles that leave slices unused still sit on whole GPUs.
    expect(physicalGpus({nvidia_com_mig_3g_20gb: 2}, {})).toBe(1)
    expect(physicalGpus({'nvidia.com/mig-3g.20gb': 4, 'nvidia.com/mig-1g.5gb': 1}, {})).toBe(2)
  })

  it('reads from kube-state-metrics every resource it charges as a GPU', () => {
    const read = new RegExp(`^(${GPU_RESOURCE_PATTERN})$`)
    for (const r of [
      'nvidia_com_gpu',
      'nvidia_com_mig_1g_5gb',
      'nvidia_com_mig_3g_20gb',
      'amd_com_gpu',
      'gpu_intel_com_i915',
    ])
      expect([r, isGpuResource(r), read.test(r)]).toEqual([r, true, true])
    for (const r of ['cpu', 'memory', 'ephemeral_storage', 'hugepages_2Mi', 'pods'])
      expect([r, isGpuResource(r), read.test(r)]).toEqual([r, false, false])
  })

  it('reads node labels in either spelling', () => {
    expect(nodeLabel({node_kubernetes_io_instance_type: 'm5.large'}, 'node.kubernetes.io/instance-type')).toBe(
      'm5.large',
    )
    expect(
      firstNodeLabel(
        {'beta.kubernetes.io/instance-type': 'm4.large'},
        'node.kubernetes.io/instance-type',
        'beta.kubernetes.io/instance-type',
      ),
    ).toBe('m4.large')
  })
})
