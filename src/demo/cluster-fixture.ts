/* eslint-disable @typescript-eslint/no-explicit-any -- API objects built as plain JSON, the way the API server returns them */
/**
 * The bundled cluster: recorded-shape objects of a small EKS cluster (eu-west-1), as the Kubernetes
 * API returns them: 6 nodes (on-demand and spot, EKS and Karpenter labels), 6 namespaces,
 * Deployments, StatefulSets with PVCs (one on local volumes), DaemonSets, a CronJob and its Job, a
 * bare Job and Pod, HPAs, PDBs, kube-downscaler annotations, and one metrics-server scrape.
 * Deterministic. The demo loads it directly; `fixtures/k8s/cluster.json` (for tests and the local
 * API server) is written from it by `node fixtures/k8s/generate-cluster.mjs` after a build.
 */
export interface ClusterObjects {
  cluster: string
  objects: any[]
  podMetrics: any[]
}

export function demoClusterObjects(): ClusterObjects {
  const created = '2024-05-01T08:00:00Z'
  let seq = 0
  const uid = (): string =>
    `6f1c${String(++seq).padStart(4, '0')}-0000-4000-8000-00000000${String(seq).padStart(4, '0')}`
  const hash = (s: string, n: number): string => {
    let h = 2166136261
    for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0
    const alphabet = 'bcdfghjklmnpqrstvwxz2456789'
    let out = ''
    for (let i = 0; i < n; i++) {
      out += alphabet[h % alphabet.length]
      h = Math.floor(h / alphabet.length) + i * 7919
    }
    return out
  }
  const objects: any[] = []
  const push = (o: any): any => {
    objects.push(o)
    return o
  }

  // ---- nodes
  const nodeDefs = [
    {
      name: 'ip-10-0-1-10.eu-west-1.compute.internal',
      type: 'm5.xlarge',
      zone: 'eu-west-1a',
      id: 'i-0a1b2c3d4e5f60001',
      cpu: 4,
      mem: 16,
      labels: {'eks.amazonaws.com/capacityType': 'ON_DEMAND', 'eks.amazonaws.com/nodegroup': 'general'},
    },
    {
      name: 'ip-10-0-1-11.eu-west-1.compute.internal',
      type: 'm5.xlarge',
      zone: 'eu-west-1b',
      id: 'i-0a1b2c3d4e5f60002',
      cpu: 4,
      mem: 16,
      labels: {'eks.amazonaws.com/capacityType': 'ON_DEMAND', 'eks.amazonaws.com/nodegroup': 'general'},
    },
    {
      name: 'ip-10-0-2-20.eu-west-1.compute.internal',
      type: 'm5.2xlarge',
      zone: 'eu-west-1a',
      id: 'i-0a1b2c3d4e5f60003',
      cpu: 8,
      mem: 32,
      labels: {'karpenter.sh/capacity-type': 'on-demand', 'karpenter.sh/nodepool': 'default'},
    },
    {
      name: 'ip-10-0-3-30.eu-west-1.compute.internal',
      type: 'm5.xlarge',
      zone: 'eu-west-1b',
      id: 'i-0a1b2c3d4e5f60004',
      cpu: 4,
      mem: 16,
      labels: {'eks.amazonaws.com/capacityType': 'SPOT', 'eks.amazonaws.com/nodegroup': 'spot'},
    },
    {
      name: 'ip-10-0-3-31.eu-west-1.compute.internal',
      type: 'c5.2xlarge',
      zone: 'eu-west-1c',
      id: 'i-0a1b2c3d4e5f60005',
      cpu: 8,
      mem: 16,
      labels: {'karpenter.sh/capacity-type': 'spot', 'karpenter.sh/nodepool': 'batch'},
      taints: [{key: 'workload', value: 'batch', effect: 'NoSchedule'}],
    },
    {
      name: 'ip-10-0-4-40.eu-west-1.compute.internal',
      type: 'r5.large',
      zone: 'eu-west-1c',
      id: 'i-0a1b2c3d4e5f60006',
      cpu: 2,
      mem: 16,
      labels: {'eks.amazonaws.com/nodegroup': 'memory'},
    },
  ]
  const nodes = nodeDefs.map((n) => n.name)
  for (const n of nodeDefs) {
    push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: n.name,
        uid: uid(),
        creationTimestamp: created,
        labels: {
          'kubernetes.io/hostname': n.name,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          'node.kubernetes.io/instance-type': n.type,
          'topology.kubernetes.io/zone': n.zone,
          'topology.kubernetes.io/region': 'eu-west-1',
          ...n.labels,
        },
        annotations: {'node.alpha.kubernetes.io/ttl': '0'},
      },
      spec: {providerID: `aws:///${n.zone}/${n.id}`, ...(n.taints ? {taints: n.taints} : {})},
      status: {
        capacity: {cpu: String(n.cpu), memory: `${n.mem * 1024 * 1024 - 400000}Ki`, pods: '58'},
        allocatable: {
          cpu: `${n.cpu * 1000 - 80 - n.cpu * 10}m`,
          memory: `${n.mem * 1024 * 1024 - 400000 - 700000}Ki`,
          pods: '58',
        },
        nodeInfo: {
          kubeletVersion: 'v1.30.4-eks-a737599',
          containerRuntimeVersion: 'containerd://1.7.22',
          osImage: 'Amazon Linux 2023',
        },
        conditions: [{type: 'Ready', status: 'True'}],
      },
    })
  }

  // ---- namespaces
  const nsDefs: Record<string, {labels: Record<string, string>; annotations?: Record<string, string>}> = {
    shop: {labels: {team: 'shop', env: 'prod'}},
    data: {labels: {team: 'data', env: 'prod'}},
    staging: {
      labels: {team: 'shop', env: 'staging'},
      annotations: {'downscaler/uptime': 'Mon-Fri 07:30-20:30 Europe/Berlin'},
    },
    monitoring: {labels: {team: 'platform', env: 'prod'}},
    'kube-system': {labels: {}},
    default: {labels: {}},
  }
  for (const [name, d] of Object.entries(nsDefs)) {
    push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name,
        uid: uid(),
        creationTimestamp: created,
        labels: {'kubernetes.io/metadata.name': name, ...d.labels},
        ...(d.annotations ? {annotations: d.annotations} : {}),
      },
      spec: {finalizers: ['kubernetes']},
      status: {phase: 'Active'},
    })
  }

  const res = (cpu?: string, mem?: string, limMem?: string, limCpu?: string) => ({
    requests: {...(cpu ? {cpu} : {}), ...(mem ? {memory: mem} : {})},
    ...(limMem || limCpu ? {limits: {...(limCpu ? {cpu: limCpu} : {}), ...(limMem ? {memory: limMem} : {})}} : {}),
  })
  const container = (name: string, image: string, r: any, extra: any = {}) => ({name, image, resources: r, ...extra})

  function podFor({ns, podName, owner, template, node, restarts = {}, oom = [], phase = 'Running'}: any): any {
    const spec = structuredClone(template.spec)
    spec.nodeName = node
    return push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: podName,
        namespace: ns,
        uid: uid(),
        creationTimestamp: '2024-06-01T06:00:00Z',
        labels: {...template.metadata.labels},
        ...(owner
          ? {
              ownerReferences: [
                {
                  apiVersion: owner.apiVersion,
                  kind: owner.kind,
                  name: owner.metadata.name,
                  uid: owner.metadata.uid,
                  controller: true,
                  blockOwnerDeletion: true,
                },
              ],
            }
          : {}),
      },
      spec,
      status: {
        phase,
        startTime: '2024-06-01T06:00:05Z',
        hostIP: '10.0.0.1',
        qosClass: 'Burstable',
        containerStatuses: spec.containers.map((c: any) => ({
          name: c.name,
          ready: phase === 'Running',
          started: phase === 'Running',
          image: c.image,
          imageID: '',
          restartCount: restarts[c.name] ?? 0,
          state:
            phase === 'Running'
              ? {running: {startedAt: '2024-06-01T06:00:10Z'}}
              : {terminated: {exitCode: 0, reason: 'Completed'}},
          lastState: oom.includes(c.name)
            ? {terminated: {exitCode: 137, reason: 'OOMKilled', finishedAt: '2024-06-10T13:12:00Z'}}
            : {},
        })),
      },
    })
  }

  function template(name: string, containers: any[], extra: any = {}, labels: any = {}): any {
    return {metadata: {labels: {app: name, ...labels}}, spec: {containers, terminationGracePeriodSeconds: 30, ...extra}}
  }

  function deployment({
    ns,
    name,
    replicas,
    tpl,
    placement,
    labels = {},
    annotations = {},
    restarts,
    oom,
    status,
  }: any): any {
    const d = push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name,
        namespace: ns,
        uid: uid(),
        creationTimestamp: created,
        generation: 3,
        labels: {app: name, ...labels},
        annotations: {'deployment.kubernetes.io/revision': '3', ...annotations},
      },
      spec: {replicas, selector: {matchLabels: {app: name}}, strategy: {type: 'RollingUpdate'}, template: tpl},
      status: {replicas, readyReplicas: replicas, availableReplicas: replicas, updatedReplicas: replicas, ...status},
    })
    const rsName = `${name}-${hash(ns + name, 10)}`
    const rs = push({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: rsName,
        namespace: ns,
        uid: uid(),
        creationTimestamp: created,
        labels: {app: name, 'pod-template-hash': hash(ns + name, 10)},
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name,
            uid: d.metadata.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: {replicas, selector: {matchLabels: {app: name, 'pod-template-hash': hash(ns + name, 10)}}, template: tpl},
      status: {replicas, readyReplicas: replicas},
    })
    for (let i = 0; i < replicas; i++) {
      podFor({
        ns,
        name,
        podName: `${rsName}-${hash(rsName + i, 5)}`,
        owner: rs,
        template: {...tpl, metadata: {labels: {...tpl.metadata.labels, 'pod-template-hash': hash(ns + name, 10)}}},
        node: placement[i % placement.length],
        restarts: i === 0 ? restarts : {},
        oom: i === 0 ? oom : [],
      })
    }
    return d
  }

  function statefulSet({ns, name, replicas, tpl, placement, claims, labels = {}}: any): any {
    const s = push({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: {name, namespace: ns, uid: uid(), creationTimestamp: created, labels: {app: name, ...labels}},
      spec: {
        replicas,
        serviceName: name,
        selector: {matchLabels: {app: name}},
        template: tpl,
        volumeClaimTemplates: claims.map((c: any) => ({
          metadata: {name: c.name},
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: c.storageClass,
            resources: {requests: {storage: c.size}},
          },
        })),
      },
      status: {replicas, readyReplicas: replicas, currentReplicas: replicas},
    })
    for (let i = 0; i < replicas; i++) {
      const t = structuredClone(tpl)
      t.spec.volumes = [
        ...(t.spec.volumes ?? []),
        ...claims.map((c: any) => ({name: c.name, persistentVolumeClaim: {claimName: `${c.name}-${name}-${i}`}})),
      ]
      podFor({ns, name, podName: `${name}-${i}`, owner: s, template: t, node: placement[i % placement.length]})
      for (const c of claims as any[]) {
        push({
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: {
            name: `${c.name}-${name}-${i}`,
            namespace: ns,
            uid: uid(),
            creationTimestamp: created,
            labels: {app: name},
          },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: c.storageClass,
            volumeName: `pvc-${hash(name + i, 8)}`,
            resources: {requests: {storage: c.size}},
          },
          status: {phase: 'Bound', capacity: {storage: c.size}},
        })
        push({
          apiVersion: 'v1',
          kind: 'PersistentVolume',
          metadata: {name: `pvc-${hash(name + i, 8)}`, uid: uid(), creationTimestamp: created},
          spec: {
            capacity: {storage: c.size},
            accessModes: ['ReadWriteOnce'],
            storageClassName: c.storageClass,
            claimRef: {namespace: ns, name: `${c.name}-${name}-${i}`},
            ...(c.local
              ? {
                  local: {path: '/mnt/disks/ssd0'},
                  nodeAffinity: {
                    required: {
                      nodeSelectorTerms: [
                        {
                          matchExpressions: [
                            {key: 'kubernetes.io/hostname', operator: 'In', values: [placement[i % placement.length]]},
                          ],
                        },
                      ],
                    },
                  },
                }
              : {csi: {driver: 'ebs.csi.aws.com', volumeHandle: `vol-0${hash(name + i, 12)}`}}),
          },
          status: {phase: 'Bound'},
        })
      }
    }
    return s
  }

  function daemonSet({ns, name, tpl}: any): any {
    const ds = push({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: {name, namespace: ns, uid: uid(), creationTimestamp: created, labels: {app: name}},
      spec: {selector: {matchLabels: {app: name}}, template: tpl},
      status: {
        desiredNumberScheduled: nodes.length,
        currentNumberScheduled: nodes.length,
        numberReady: nodes.length,
        numberAvailable: nodes.length,
      },
    })
    nodes.forEach((node: string, i: number) =>
      podFor({ns, name, podName: `${name}-${hash(name + i, 5)}`, owner: ds, template: tpl, node}),
    )
    return ds
  }

  const onDemand = [nodes[0], nodes[1], nodes[2]]
  const spot = [nodes[3], nodes[4]]
  const batchToleration = {tolerations: [{key: 'workload', operator: 'Equal', value: 'batch', effect: 'NoSchedule'}]}

  // ---- shop (prod)
  deployment({
    ns: 'shop',
    name: 'web',
    replicas: 4,
    placement: onDemand,
    labels: {team: 'shop', tier: 'frontend'},
    tpl: template(
      'web',
      [
        container('web', 'ghcr.io/example/web:2.14.1', res('1', '2Gi', '2Gi')),
        container('envoy', 'envoyproxy/envoy:v1.31.2', res('100m', '128Mi', '256Mi')),
      ],
      {volumes: [{name: 'cache', emptyDir: {}}]},
      {team: 'shop'},
    ),
  })
  deployment({
    ns: 'shop',
    name: 'api',
    replicas: 3,
    placement: onDemand,
    labels: {team: 'shop', tier: 'backend'},
    restarts: {api: 4},
    oom: ['api'],
    tpl: template(
      'api',
      [container('api', 'ghcr.io/example/api:5.2.0', res('2', '4Gi', '4Gi'))],
      {volumes: [{name: 'config', configMap: {name: 'api-config'}}]},
      {team: 'shop'},
    ),
  })
  deployment({
    ns: 'shop',
    name: 'checkout',
    replicas: 2,
    placement: onDemand,
    labels: {team: 'shop', tier: 'backend'},
    tpl: template(
      'checkout',
      [container('checkout', 'ghcr.io/example/checkout:1.9.3', res('500m', '1Gi', '1Gi'))],
      {},
      {team: 'shop'},
    ),
  })
  deployment({
    ns: 'shop',
    name: 'cart',
    replicas: 1,
    placement: onDemand,
    labels: {team: 'shop'},
    tpl: template(
      'cart',
      [container('cart', 'ghcr.io/example/cart:0.8.0', res('250m', '512Mi', '512Mi'))],
      {volumes: [{name: 'tmp', emptyDir: {medium: 'Memory'}}]},
      {team: 'shop'},
    ),
  })
  statefulSet({
    ns: 'shop',
    name: 'postgres',
    replicas: 1,
    placement: [nodes[5]],
    claims: [{name: 'data', size: '100Gi', storageClass: 'gp3'}],
    labels: {team: 'shop'},
    tpl: template(
      'postgres',
      [container('postgres', 'postgres:16.4', res('2', '8Gi', '8Gi'))],
      {terminationGracePeriodSeconds: 120},
      {team: 'shop'},
    ),
  })
  const cron = push({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name: 'nightly-report',
      namespace: 'shop',
      uid: uid(),
      creationTimestamp: created,
      labels: {app: 'nightly-report', team: 'shop'},
    },
    spec: {
      schedule: '0 2 * * *',
      timeZone: 'Europe/Berlin',
      concurrencyPolicy: 'Forbid',
      suspend: false,
      jobTemplate: {
        spec: {
          backoffLimit: 2,
          template: template(
            'nightly-report',
            [container('report', 'ghcr.io/example/report:1.2.0', res('1', '2Gi', '2Gi'))],
            {restartPolicy: 'OnFailure'},
          ),
        },
      },
    },
    status: {lastScheduleTime: '2024-06-14T00:00:00Z', lastSuccessfulTime: '2024-06-14T00:21:40Z'},
  })
  const cronJob = push({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: 'nightly-report-28640160',
      namespace: 'shop',
      uid: uid(),
      creationTimestamp: '2024-06-14T00:00:00Z',
      labels: {app: 'nightly-report'},
      ownerReferences: [
        {apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly-report', uid: cron.metadata.uid, controller: true},
      ],
    },
    spec: {parallelism: 1, completions: 1, backoffLimit: 2, template: cron.spec.jobTemplate.spec.template},
    status: {succeeded: 1, startTime: '2024-06-14T00:00:01Z', completionTime: '2024-06-14T00:21:40Z'},
  })
  podFor({
    ns: 'shop',
    name: 'nightly-report',
    podName: 'nightly-report-28640160-x7k2p',
    owner: cronJob,
    template: cron.spec.jobTemplate.spec.template,
    node: nodes[2],
    phase: 'Succeeded',
  })

  // ---- data
  deployment({
    ns: 'data',
    name: 'etl-worker',
    replicas: 2,
    placement: spot,
    labels: {team: 'data'},
    tpl: template(
      'etl-worker',
      [container('worker', 'ghcr.io/example/etl:3.0.1', res('2', '4Gi', '6Gi'))],
      {...batchToleration, nodeSelector: {'karpenter.sh/capacity-type': 'spot'}},
      {team: 'data'},
    ),
  })
  statefulSet({
    ns: 'data',
    name: 'kafka',
    replicas: 3,
    placement: onDemand,
    claims: [{name: 'logs', size: '500Gi', storageClass: 'local-nvme', local: true}],
    labels: {team: 'data'},
    tpl: template(
      'kafka',
      [container('kafka', 'bitnami/kafka:3.8.0', res('1', '4Gi', '4Gi'))],
      {terminationGracePeriodSeconds: 300},
      {team: 'data'},
    ),
  })
  deployment({
    ns: 'data',
    name: 'jupyter',
    replicas: 1,
    placement: [nodes[2]],
    labels: {team: 'data'},
    tpl: template(
      'jupyter',
      [container('notebook', 'jupyter/scipy-notebook:2024-06-10', res('2', '8Gi', '8Gi'))],
      {},
      {team: 'data'},
    ),
  })
  const backfill = push({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: 'backfill-2024-06',
      namespace: 'data',
      uid: uid(),
      creationTimestamp: '2024-06-12T10:00:00Z',
      labels: {app: 'backfill'},
    },
    spec: {
      parallelism: 1,
      completions: 1,
      template: template('backfill', [container('backfill', 'ghcr.io/example/etl:3.0.1', res('2', '4Gi'))], {
        restartPolicy: 'Never',
      }),
    },
    status: {active: 1, startTime: '2024-06-12T10:00:02Z'},
  })
  podFor({
    ns: 'data',
    name: 'backfill',
    podName: 'backfill-2024-06-9vz4q',
    owner: backfill,
    template: backfill.spec.template,
    node: nodes[3],
  })

  // ---- staging (namespace has downscaler/uptime)
  deployment({
    ns: 'staging',
    name: 'web',
    replicas: 2,
    placement: onDemand,
    labels: {team: 'shop'},
    tpl: template(
      'web',
      [container('web', 'ghcr.io/example/web:2.15.0-rc1', res('500m', '1Gi', '1Gi'))],
      {},
      {team: 'shop'},
    ),
  })
  deployment({
    ns: 'staging',
    name: 'api',
    replicas: 2,
    placement: onDemand,
    labels: {team: 'shop'},
    annotations: {'downscaler/downtime-replicas': '1'},
    tpl: template(
      'api',
      [container('api', 'ghcr.io/example/api:5.3.0-rc2', res('1', '2Gi', '2Gi'))],
      {},
      {team: 'shop'},
    ),
  })
  deployment({
    ns: 'staging',
    name: 'worker',
    replicas: 1,
    placement: onDemand,
    labels: {team: 'shop'},
    annotations: {'downscaler/exclude': 'true'},
    tpl: template(
      'worker',
      [container('worker', 'ghcr.io/example/worker:1.1.0', res('500m', '1Gi'))],
      {},
      {team: 'shop'},
    ),
  })

  // ---- monitoring
  daemonSet({
    ns: 'monitoring',
    name: 'node-exporter',
    tpl: template(
      'node-exporter',
      [container('node-exporter', 'quay.io/prometheus/node-exporter:v1.8.2', res('50m', '64Mi', '128Mi'))],
      {
        hostNetwork: true,
        tolerations: [{operator: 'Exists'}],
        volumes: [
          {name: 'proc', hostPath: {path: '/proc'}},
          {name: 'sys', hostPath: {path: '/sys'}},
        ],
      },
    ),
  })
  deployment({
    ns: 'monitoring',
    name: 'grafana',
    replicas: 1,
    placement: onDemand,
    labels: {team: 'platform'},
    tpl: template('grafana', [container('grafana', 'grafana/grafana:11.2.0', res('250m', '512Mi', '1Gi'))], {
      terminationGracePeriodSeconds: 300,
    }),
  })

  // ---- kube-system
  daemonSet({
    ns: 'kube-system',
    name: 'aws-node',
    tpl: template('aws-node', [container('aws-node', 'amazon-k8s-cni:v1.18.3', res('25m'))], {
      hostNetwork: true,
      priorityClassName: 'system-node-critical',
      tolerations: [{operator: 'Exists'}],
    }),
  })
  deployment({
    ns: 'kube-system',
    name: 'coredns',
    replicas: 2,
    placement: onDemand,
    tpl: template('coredns', [container('coredns', 'coredns:v1.11.3', res('100m', '70Mi', '170Mi'))], {
      priorityClassName: 'system-cluster-critical',
    }),
  })

  // ---- default: a bare pod
  podFor({
    ns: 'default',
    name: 'debug-shell',
    podName: 'debug-shell',
    owner: undefined,
    template: template('debug-shell', [container('shell', 'busybox:1.36', res('100m', '64Mi'))]),
    node: nodes[5],
  })

  // ---- HPAs and PDBs
  const hpa = (ns: string, name: string, min: number, max: number, metrics: any[], current: number) =>
    push({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: {name, namespace: ns, uid: uid(), creationTimestamp: created},
      spec: {
        scaleTargetRef: {apiVersion: 'apps/v1', kind: 'Deployment', name},
        minReplicas: min,
        maxReplicas: max,
        metrics,
      },
      status: {currentReplicas: current, desiredReplicas: current},
    })
  hpa(
    'shop',
    'web',
    3,
    10,
    [{type: 'Resource', resource: {name: 'cpu', target: {type: 'Utilization', averageUtilization: 70}}}],
    4,
  )
  hpa(
    'data',
    'etl-worker',
    2,
    8,
    [
      {
        type: 'External',
        external: {metric: {name: 'sqs_queue_depth'}, target: {type: 'AverageValue', averageValue: '30'}},
      },
    ],
    2,
  )
  const pdb = (ns: string, name: string, selector: any, spec: any, status: any) =>
    push({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: {name, namespace: ns, uid: uid(), creationTimestamp: created},
      spec: {selector: {matchLabels: selector}, ...spec},
      status: {observedGeneration: 1, ...status},
    })
  pdb(
    'shop',
    'web',
    {app: 'web'},
    {minAvailable: 2},
    {disruptionsAllowed: 2, currentHealthy: 4, desiredHealthy: 2, expectedPods: 4},
  )
  pdb(
    'shop',
    'api',
    {app: 'api'},
    {maxUnavailable: 1},
    {disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3},
  )
  pdb(
    'shop',
    'checkout',
    {app: 'checkout'},
    {minAvailable: '100%'},
    {disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2, expectedPods: 2},
  )
  pdb(
    'data',
    'kafka',
    {app: 'kafka'},
    {maxUnavailable: 1},
    {disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3},
  )

  // ---- metrics-server PodMetrics (one scrape), in cores/bytes quantities as metrics-server reports them
  const podMetrics: any[] = []
  for (const pod of objects.filter((o) => o.kind === 'Pod' && o.status.phase === 'Running')) {
    podMetrics.push({
      apiVersion: 'metrics.k8s.io/v1beta1',
      kind: 'PodMetrics',
      metadata: {name: pod.metadata.name, namespace: pod.metadata.namespace, labels: pod.metadata.labels},
      timestamp: '2024-06-14T12:00:00Z',
      window: '15.002s',
      containers: pod.spec.containers.map((c: any) => ({
        name: c.name,
        usage: {
          cpu: `${(3 + (hash(pod.metadata.name + c.name, 3).charCodeAt(0) % 40) * 7) * 1_000_000}n`,
          memory: `${((hash(pod.metadata.name + c.name, 4).charCodeAt(1) % 50) + 10) * 4096}Ki`,
        },
      })),
    })
  }

  return {cluster: 'eks-demo', objects, podMetrics}
}
