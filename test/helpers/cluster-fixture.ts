/** Small, explicit cluster objects for the apply tests: each test says what it puts in the cluster. */
import type {KubeObject} from '../servers/kube-api.js'

export function namespace(name: string, annotations: Record<string, string> = {}): KubeObject {
  return {apiVersion: 'v1', kind: 'Namespace', metadata: {name, annotations}}
}

export function deployment(
  namespaceName: string,
  name: string,
  options: {
    replicas?: number
    labels?: Record<string, string>
    annotations?: Record<string, string>
    strategy?: string
    containers?: {name: string; requests?: Record<string, string>; limits?: Record<string, string>}[]
    nodeSelector?: Record<string, string>
    tolerations?: Record<string, string>[]
    kind?: 'Deployment' | 'StatefulSet'
  } = {},
): KubeObject {
  const podLabels = {app: name}
  return {
    apiVersion: 'apps/v1',
    kind: options.kind ?? 'Deployment',
    metadata: {
      name,
      namespace: namespaceName,
      labels: options.labels ?? {app: name},
      annotations: options.annotations ?? {},
    },
    spec: {
      replicas: options.replicas ?? 3,
      selector: {matchLabels: podLabels},
      ...(options.strategy ? {strategy: {type: options.strategy}} : {}),
      template: {
        metadata: {labels: podLabels},
        spec: {
          containers: (
            options.containers ?? [{name: 'app', requests: {cpu: '1', memory: '1Gi'}, limits: {memory: '2Gi'}}]
          ).map((c) => ({
            name: c.name,
            image: `example/${c.name}:1.0`,
            resources: {requests: c.requests ?? {}, limits: c.limits ?? {}},
          })),
          ...(options.nodeSelector ? {nodeSelector: options.nodeSelector} : {}),
          ...(options.tolerations ? {tolerations: options.tolerations} : {}),
        },
      },
    },
  }
}

export function hpa(namespaceName: string, name: string, target: string, utilizationOf: string[] = []): KubeObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {name, namespace: namespaceName},
    spec: {
      scaleTargetRef: {apiVersion: 'apps/v1', kind: 'Deployment', name: target},
      minReplicas: 2,
      maxReplicas: 10,
      metrics: utilizationOf.map((resource) => ({
        type: 'Resource',
        resource: {name: resource, target: {type: 'Utilization', averageUtilization: 70}},
      })),
    },
  }
}

export function pdb(
  namespaceName: string,
  name: string,
  app: string,
  spec: {minAvailable?: number | string; maxUnavailable?: number | string},
  disruptionsAllowed = 1,
): KubeObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: {name, namespace: namespaceName},
    spec: {selector: {matchLabels: {app}}, ...spec},
    status: {disruptionsAllowed, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3},
  }
}

export function cronJob(
  namespaceName: string,
  name: string,
  options: {suspend?: boolean; annotations?: Record<string, string>; labels?: Record<string, string>} = {},
): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name,
      namespace: namespaceName,
      labels: options.labels ?? {app: name},
      annotations: options.annotations ?? {},
    },
    spec: {
      schedule: '*/30 * * * *',
      // The API server defaults suspend to false.
      suspend: options.suspend ?? false,
      jobTemplate: {
        spec: {
          template: {
            metadata: {labels: {app: name}},
            spec: {restartPolicy: 'OnFailure', containers: [{name: 'job', image: `example/${name}:1.0`}]},
          },
        },
      },
    },
  }
}

/** An HPA with its own annotations (kube-downscaler scales its minReplicas). */
export function scheduledHpa(
  namespaceName: string,
  name: string,
  options: {target?: string; minReplicas?: number; maxReplicas?: number; annotations?: Record<string, string>} = {},
): KubeObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {name, namespace: namespaceName, labels: {app: name}, annotations: options.annotations ?? {}},
    spec: {
      scaleTargetRef: {apiVersion: 'apps/v1', kind: 'Deployment', name: options.target ?? name},
      minReplicas: options.minReplicas ?? 3,
      maxReplicas: options.maxReplicas ?? 10,
      metrics: [{type: 'Resource', resource: {name: 'cpu', target: {type: 'Utilization', averageUtilization: 70}}}],
    },
  }
}

/** An Argo Rollout (serve it with `server.defineResource(ARGO_ROLLOUTS)`). */
export function rollout(
  namespaceName: string,
  name: string,
  options: {replicas?: number; annotations?: Record<string, string>} = {},
): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: {name, namespace: namespaceName, labels: {app: name}, annotations: options.annotations ?? {}},
    spec: {
      replicas: options.replicas ?? 3,
      selector: {matchLabels: {app: name}},
      strategy: {canary: {steps: [{setWeight: 20}, {pause: {}}]}},
      template: {
        metadata: {labels: {app: name}},
        spec: {containers: [{name: 'app', image: `example/${name}:1.0`}]},
      },
    },
  }
}

/** A node with its allocatable CPU and memory (what the scheduler and the kubelet fit pods into). */
export function nodeWithCpu(name: string, cpu: string, memory = '64Gi'): KubeObject {
  return {apiVersion: 'v1', kind: 'Node', metadata: {name}, status: {allocatable: {cpu, memory}}}
}

/**
 * A Running pod with one container `app`, its status as the kubelet reports it (the resources the
 * container runs with), and its resizePolicy for cpu when given.
 */
export function runningPod(
  namespaceName: string,
  name: string,
  resources: {requests?: Record<string, string>; limits?: Record<string, string>},
  options: {labels?: Record<string, string>; nodeName?: string; qos?: string; cpuPolicy?: string} = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {name, namespace: namespaceName, labels: options.labels ?? {app: 'batch'}},
    spec: {
      nodeName: options.nodeName ?? 'n1',
      containers: [
        {
          name: 'app',
          image: 'example/app:1.0',
          resources,
          ...(options.cpuPolicy ? {resizePolicy: [{resourceName: 'cpu', restartPolicy: options.cpuPolicy}]} : {}),
        },
      ],
    },
    status: {
      phase: 'Running',
      qosClass: options.qos ?? 'Burstable',
      containerStatuses: [
        {name: 'app', ready: true, restartCount: 0, resources, allocatedResources: resources.requests ?? {}},
      ],
    },
  }
}
