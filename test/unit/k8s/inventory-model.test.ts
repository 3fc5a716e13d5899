import {describe, expect, it} from 'vitest'

import {
  buildInventory,
  guessWorkloadForPod,
  nodeCapacityType,
  parseProviderId,
  rawClusterFromObjects,
  workloadForPod,
} from '../../../src/k8s/inventory.js'
import {formatCpu, formatMemory, parseQuantity} from '../../../src/k8s/quantity.js'

describe('node capacity type from provider labels', () => {
  it.each([
    [{'eks.amazonaws.com/capacityType': 'SPOT'}, 'spot', 'eks.amazonaws.com/capacityType'],
    [{'eks.amazonaws.com/capacityType': 'ON_DEMAND'}, 'on-demand', 'eks.amazonaws.com/capacityType'],
    [{'karpenter.sh/capacity-type': 'spot'}, 'spot', 'karpenter.sh/capacity-type'],
    [{'karpenter.sh/capacity-type': 'on-demand'}, 'on-demand', 'karpenter.sh/capacity-type'],
    [{'cloud.google.com/gke-spot': 'true'}, 'spot', 'cloud.google.com/gke-spot'],
    [{'cloud.google.com/gke-preemptible': 'true'}, 'spot', 'cloud.google.com/gke-preemptible'],
    [{'kubernetes.azure.com/scalesetpriority': 'spot'}, 'spot', 'kubernetes.azure.com/scalesetpriority'],
    [{'kubernetes.azure.com/scalesetpriority': 'regular'}, 'on-demand', 'kubernetes.azure.com/scalesetpriority'],
    [{'kubernetes.io/os': 'linux'}, 'on-demand', 'default'],
  ] as const)('%j -> %s', (labels, capacityType, source) => {
    expect(nodeCapacityType({...labels})).toEqual({capacityType, source})
  })
})

describe('provider ids', () => {
  it.each([
    ['aws:///eu-west-1a/i-0a1b2c3d4e5f60001', {provider: 'aws', instanceId: 'i-0a1b2c3d4e5f60001', zone: 'eu-west-1a'}],
    [
      'gce://my-project/europe-west1-b/gke-pool-1-abcd',
      {provider: 'gcp', instanceId: 'gke-pool-1-abcd', zone: 'europe-west1-b'},
    ],
    [
      'azure:///subscriptions/S/resourceGroups/MC_rg/providers/Microsoft.Compute/virtualMachineScaleSets/aks-pool/virtualMachines/3',
      {
        provider: 'azure',
        instanceId:
          '/subscriptions/s/resourcegroups/mc_rg/providers/microsoft.compute/virtualmachinescalesets/aks-pool/virtualmachines/3',
      },
    ],
    ['kind://docker/kind/kind-control-plane', {provider: 'kind', instanceId: 'kind-control-plane'}],
    [undefined, {}],
  ] as const)('%s', (id, want) => {
    expect(parseProviderId(id)).toEqual(want)
  })
})

describe('pods to workloads', () => {
  const candidates = [
    {kind: 'Deployment', name: 'web'},
    {kind: 'Deployment', name: 'web-api'},
    {kind: 'StatefulSet', name: 'kafka'},
    {kind: 'DaemonSet', name: 'node-exporter'},
    {kind: 'CronJob', name: 'nightly-report'},
  ] as const
  it.each([
    ['web-7c9f8d6b5d-x2k4p', {kind: 'Deployment', name: 'web'}],
    ['web-api-5d8f7b6c4-q9w8e', {kind: 'Deployment', name: 'web-api'}],
    ['kafka-2', {kind: 'StatefulSet', name: 'kafka'}],
    ['node-exporter-7xk2p', {kind: 'DaemonSet', name: 'node-exporter'}],
    ['nightly-report-28640160-x7k2p', {kind: 'CronJob', name: 'nightly-report'}],
    ['other-thing', undefined],
  ] as const)('%s', (pod, want) => {
    expect(workloadForPod(pod, candidates)).toEqual(want)
  })
  it('guesses without an inventory', () => {
    expect(guessWorkloadForPod('api-5d8f7b6c4-q9w8e')).toEqual({kind: 'Deployment', name: 'api'})
    expect(guessWorkloadForPod('postgres-0')).toEqual({kind: 'StatefulSet', name: 'postgres'})
    expect(guessWorkloadForPod('debug')).toEqual({kind: 'Pod', name: 'debug'})
  })
})

describe('quantities', () => {
  it.each([
    ['100m', 0.1],
    ['1900m', 1.9],
    ['2', 2],
    ['0.5', 0.5],
    ['250000000n', 0.25],
    ['512Mi', 512 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['1G', 1e9],
    ['128974848', 128974848],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['2e3', 2000],
    ['12Ki', 12288],
  ] as const)('%s = %d', (text, value) => {
    expect(parseQuantity(text)).toBe(value)
  })
  it('treats absent and malformed values as not set', () => {
    expect(parseQuantity(undefined)).toBeUndefined()
    expect(parseQuantity('ten')).toBeUndefined()
    expect(parseQuantity('5Zi')).toBeUndefined()
  })
  it('formats proposals the way manifests write them', () => {
    expect(formatCpu(0.25)).toBe('250m')
    expect(formatCpu(2)).toBe('2')
    expect(formatMemory(2 ** 30)).toBe('1Gi')
    expect(formatMemory(300 * 2 ** 20 + 5)).toBe('301Mi')
  })
})

describe('PodDisruptionBudgets on workloads', () => {
  it('matches matchExpressions and empty selectors as the disruption controller does', () => {
    const deployment = {
      kind: 'Deployment',
      metadata: {namespace: 'shop', name: 'web', uid: 'd1'},
      spec: {
        replicas: 3,
        selector: {matchLabels: {app: 'web'}},
        template: {metadata: {labels: {app: 'web', tier: 'front'}}, spec: {containers: [{name: 'web'}]}},
      },
    }
    const pdb = (name: string, selector: unknown, namespace = 'shop') => ({
      kind: 'PodDisruptionBudget',
      metadata: {namespace, name},
      spec: {minAvailable: '100%', selector},
    })
    const inventory = buildInventory(
      rawClusterFromObjects([
        deployment,
        pdb('by-expression', {matchExpressions: [{key: 'app', operator: 'In', values: ['web', 'api']}]}),
        pdb('by-label', {matchLabels: {app: 'web'}}),
        pdb('everything', {}),
        pdb('other-app', {matchLabels: {app: 'api'}}),
        pdb('not-front', {matchExpressions: [{key: 'tier', operator: 'NotIn', values: ['front']}]}),
        pdb('no-selector', undefined),
        pdb('other-namespace', {}, 'data'),
      ]),
      'c1',
      '2024-03-01T00:00:00Z',
    )
    expect(inventory.workloads[0]!.pdbs.map((p) => p.name)).toEqual(['by-expression', 'by-label', 'everything'])
  })
})

describe('pods to their inventoried owner', () => {
  const template = (app: string) => ({
    metadata: {labels: {app}},
    spec: {containers: [{name: app, resources: {requests: {cpu: '100m'}}}]},
  })
  const pod = (name: string, owner?: {kind: string; name: string; uid?: string}) => ({
    kind: 'Pod',
    metadata: {
      namespace: 'shop',
      name,
      labels: {app: 'x'},
      ...(owner ? {ownerReferences: [{...owner, controller: true}]} : {}),
    },
    spec: {nodeName: 'n1', containers: [{name: 'c'}]},
    status: {phase: 'Running'},
  })

  it('puts pods under the highest owner listed, and makes pods of unlisted owners their own workload', () => {
    const inventory = buildInventory(
      rawClusterFromObjects([
        {
          kind: 'Deployment',
          metadata: {namespace: 'shop', name: 'web', uid: 'd1'},
          spec: {replicas: 1, template: template('web')},
        },
        {
          kind: 'ReplicaSet',
          metadata: {
            namespace: 'shop',
            name: 'web-5d4f8',
            uid: 'rs1',
            ownerReferences: [{kind: 'Deployment', name: 'web', uid: 'd1', controller: true}],
          },
          spec: {replicas: 1, template: template('web')},
        },
        // Argo Rollouts: the ReplicaSet's owner is a custom resource finops does not list.
        {
          kind: 'ReplicaSet',
          metadata: {
            namespace: 'shop',
            name: 'checkout-7c9b6',
            uid: 'rs2',
            ownerReferences: [{kind: 'Rollout', name: 'checkout', uid: 'ro1', controller: true}],
          },
          spec: {replicas: 2, template: template('checkout')},
        },
        pod('web-5d4f8-abcde', {kind: 'ReplicaSet', name: 'web-5d4f8', uid: 'rs1'}),
        pod('checkout-7c9b6-fghij', {kind: 'ReplicaSet', name: 'checkout-7c9b6', uid: 'rs2'}),
        pod('checkout-7c9b6-klmno', {kind: 'ReplicaSet', name: 'checkout-7c9b6', uid: 'rs2'}),
        pod('kube-apiserver-n1', {kind: 'Node', name: 'n1', uid: 'node1'}),
        pod('debug'),
      ]),
      'c1',
      '2024-03-01T00:00:00Z',
    )
    expect(inventory.workloads.map((w) => [w.kind, w.name, w.pods.map((p) => p.name)])).toEqual([
      ['Deployment', 'web', ['web-5d4f8-abcde']],
      ['Pod', 'debug', ['debug']],
      ['Pod', 'kube-apiserver-n1', ['kube-apiserver-n1']],
      ['ReplicaSet', 'checkout-7c9b6', ['checkout-7c9b6-fghij', 'checkout-7c9b6-klmno']],
    ])
    expect(inventory.workloads.find((w) => w.name === 'kube-apiserver-n1')!.owners).toEqual([
      {kind: 'Node', name: 'n1', uid: 'node1'},
    ])
  })
})

describe('StatefulSet volumeClaimTemplates', () => {
  it('reads node-locality from the claims this StatefulSet made, not from another one sharing the template name', () => {
    const sts = (name: string) => ({
      kind: 'StatefulSet',
      metadata: {namespace: 'data', name, uid: name},
      spec: {
        replicas: 1,
        template: {metadata: {labels: {app: name}}, spec: {containers: [{name}]}},
        volumeClaimTemplates: [
          {
            metadata: {name: 'data'},
            spec: {storageClassName: 'gp3', accessModes: ['ReadWriteOnce'], resources: {requests: {storage: '10Gi'}}},
          },
        ],
      },
    })
    const pvc = (name: string, volumeName: string) => ({
      kind: 'PersistentVolumeClaim',
      metadata: {namespace: 'data', name},
      spec: {storageClassName: 'gp3', volumeName},
    })
    const inventory = buildInventory(
      rawClusterFromObjects([
        sts('kafka'),
        sts('kafka-connect'),
        pvc('data-kafka-0', 'pv-ebs'),
        pvc('data-kafka-connect-0', 'pv-local'),
        {kind: 'PersistentVolume', metadata: {name: 'pv-ebs'}, spec: {csi: {driver: 'ebs.csi.aws.com'}}},
        {kind: 'PersistentVolume', metadata: {name: 'pv-local'}, spec: {local: {path: '/mnt/disks/ssd0'}}},
      ]),
      'c1',
      '2024-03-01T00:00:00Z',
    )
    const volume = (name: string) => inventory.workloads.find((w) => w.name === name)!.volumes[0]!
    expect(volume('kafka')).toMatchObject({
      kind: 'persistentVolumeClaim',
      template: true,
      sizeBytes: 10 * 2 ** 30,
      nodeLocal: false,
    })
    expect(volume('kafka-connect').nodeLocal).toBe(true)
  })
})
