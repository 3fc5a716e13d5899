import {stringify} from 'yaml'

import type {RunConfig} from '../config/sections/run.js'
import {inputError} from '../errors.js'
import type {SchedulableKind} from '../k8s/downscaler.js'
import type {Manifest} from '../model/manifest.js'
import {findSecretUrls} from '../secrets.js'

export type {Manifest}

export const APP = 'finops'
const LABELS = {'app.kubernetes.io/name': APP, 'app.kubernetes.io/component': 'cronjob'}
const UID = 10001

/**
 * The ClusterRole: exactly the verbs and resources the code calls. collect k8s lists the inventory
 * (and metrics-server's PodMetrics); apply reads a workload, its namespace, HPAs, PDBs and LimitRanges,
 * patches annotations and pod templates, and scales through the scale subresource; schedules
 * (kube-downscaler annotations) also suspend CronJobs, lower HPAs' minReplicas and scale Argo
 * Rollouts, and look for pods annotated force-uptime. No create, no delete, no secrets, no watch.
 * test/deploy checks these rules against a run's API request log.
 */
export const CLUSTER_ROLE_RULES: {apiGroups: string[]; resources: string[]; verbs: string[]}[] = [
  {apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list']},
  {
    apiGroups: [''],
    resources: ['nodes', 'pods', 'persistentvolumeclaims', 'persistentvolumes', 'limitranges'],
    verbs: ['list'],
  },
  {apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['get', 'list', 'patch']},
  {apiGroups: ['apps'], resources: ['deployments/scale', 'statefulsets/scale'], verbs: ['update']},
  {apiGroups: ['apps'], resources: ['daemonsets', 'replicasets'], verbs: ['list']},
  {apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['list']},
  {apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['list']},
  {apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ['list']},
  {apiGroups: ['metrics.k8s.io'], resources: ['pods'], verbs: ['list']},
]

/** What scheduling each extra kind needs (apply.schedules.kinds): Deployments and StatefulSets are always granted. */
const SCHEDULE_RULES: Partial<Record<SchedulableKind, {apiGroups: string[]; resources: string[]; verbs: string[]}[]>> =
  {
    CronJob: [{apiGroups: ['batch'], resources: ['cronjobs'], verbs: ['get', 'patch']}],
    DaemonSet: [{apiGroups: ['apps'], resources: ['daemonsets'], verbs: ['get', 'patch']}],
    Job: [{apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'patch']}],
    HorizontalPodAutoscaler: [
      {apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['get', 'patch']},
    ],
    Rollout: [
      {apiGroups: ['argoproj.io'], resources: ['rollouts'], verbs: ['get', 'list', 'patch']},
      {apiGroups: ['argoproj.io'], resources: ['rollouts/scale'], verbs: ['update']},
    ],
  }

/** The hour-of-day CPU schedule (apply.resize.enabled): a pod is read, then resized through its subresource. */
const RESIZE_RULES = [
  {apiGroups: [''], resources: ['pods'], verbs: ['get']},
  {apiGroups: [''], resources: ['pods/resize'], verbs: ['patch']},
]

/**
 * The ClusterRole's rules for the kinds finops.yaml schedules and, when it resizes pods, for that
 * (least privilege: nothing for what it leaves alone).
 */
export function clusterRoleRules(
  scheduleKinds: readonly SchedulableKind[] = [],
  resizePods = false,
): typeof CLUSTER_ROLE_RULES {
  return [
    ...CLUSTER_ROLE_RULES,
    ...scheduleKinds.flatMap((k) => SCHEDULE_RULES[k] ?? []),
    ...(resizePods ? RESIZE_RULES : []),
  ]
}

/** Secret keys the job reads when present (every reference is optional: IRSA / Workload Identity need none). */
export const SECRET_NAME = 'finops-credentials'
const SECRET_ENV = [
  ['FINOPS_SLACK_WEBHOOK_URL', 'slack-webhook-url'],
  ['AWS_ACCESS_KEY_ID', 'aws-access-key-id'],
  ['AWS_SECRET_ACCESS_KEY', 'aws-secret-access-key'],
  ['AZURE_TENANT_ID', 'azure-tenant-id'],
  ['AZURE_CLIENT_ID', 'azure-client-id'],
  ['AZURE_CLIENT_SECRET', 'azure-client-secret'],
] as const

export const DEFAULT_FINOPS_YAML = `# finops.yaml for the in-cluster CronJob: see docs/configuration.md and docs/deploy.md.
apply:
  mode: dry-run          # enforce: apply recommendations without --yes
  kinds: [scale-down, rightsize, spot]
  maxActions: 10
run:
  steps: [collect, forecast, recommend, apply, alerts, backup]
# The backup step copies the store off the volume after each run (docs/disaster-recovery.md).
# Credentials come from the ServiceAccount (IRSA / Workload Identity), never from this file.
# backup:
#   to: s3://YOUR-BUCKET/finops/      # or gs://YOUR-BUCKET/finops/
#   keep: 48
#   keepDays: 14
`

/**
 * Every object the in-cluster job needs, from run.cronjob in finops.yaml: namespace, service account
 * (with IRSA / Workload Identity annotations), least-privilege RBAC, the store's PVC, the config
 * and the CronJob itself. `finopsYaml` is the config file placed in the ConfigMap.
 */
export function renderManifests(
  run: RunConfig,
  finopsYaml: string = DEFAULT_FINOPS_YAML,
  scheduleKinds: readonly SchedulableKind[] = [],
  resizePods = false,
): Manifest[] {
  const {namespace, schedule, image, storageSize, storageClassName, serviceAccountAnnotations} = run.cronjob
  const meta = (name: string, namespaced = true) => ({name, ...(namespaced ? {namespace} : {}), labels: {...LABELS}})
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {name: namespace, labels: {...LABELS, 'pod-security.kubernetes.io/enforce': 'restricted'}},
    },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        ...meta(APP),
        ...(Object.keys(serviceAccountAnnotations).length > 0 ? {annotations: {...serviceAccountAnnotations}} : {}),
      },
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: meta(APP, false),
      rules: clusterRoleRules(scheduleKinds, resizePods),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: meta(APP, false),
      roleRef: {apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: APP},
      subjects: [{kind: 'ServiceAccount', name: APP, namespace}],
    },
    {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: meta(`${APP}-data`),
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: {requests: {storage: storageSize}},
        ...(storageClassName ? {storageClassName} : {}),
      },
    },
    {apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(`${APP}-config`), data: {'finops.yaml': finopsYaml}},
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta(APP),
      spec: {
        schedule,
        // A run that is still going when the next is due is not doubled (the store lock would refuse it anyway).
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          spec: {
            backoffLimit: 2,
            activeDeadlineSeconds: 3000,
            template: {
              metadata: {labels: {...LABELS}},
              spec: {
                serviceAccountName: APP,
                restartPolicy: 'Never',
                securityContext: {
                  runAsNonRoot: true,
                  runAsUser: UID,
                  runAsGroup: UID,
                  fsGroup: UID,
                  seccompProfile: {type: 'RuntimeDefault'},
                },
                containers: [
                  {
                    name: APP,
                    image,
                    imagePullPolicy: 'IfNotPresent',
                    args: ['run'],
                    env: [
                      {name: 'FINOPS_CONFIG', value: '/etc/finops/finops.yaml'},
                      {name: 'FINOPS_DB', value: '/data/finops.db'},
                      // The root filesystem is read-only: home and temp files go to the emptyDir.
                      {name: 'HOME', value: '/tmp/home'},
                      {name: 'TMPDIR', value: '/tmp'},
                      {name: 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', value: 'true'},
                      ...SECRET_ENV.map(([name, key]) => ({
                        name,
                        valueFrom: {secretKeyRef: {name: SECRET_NAME, key, optional: true}},
                      })),
                    ],
                    resources: {requests: {cpu: '100m', memory: '256Mi'}, limits: {memory: '1Gi'}},
                    securityContext: {
                      allowPrivilegeEscalation: false,
                      readOnlyRootFilesystem: true,
                      runAsNonRoot: true,
                      privileged: false,
                      capabilities: {drop: ['ALL']},
                      seccompProfile: {type: 'RuntimeDefault'},
                    },
                    volumeMounts: [
                      {name: 'config', mountPath: '/etc/finops', readOnly: true},
                      {name: 'data', mountPath: '/data'},
                      {name: 'tmp', mountPath: '/tmp'},
                    ],
                  },
                ],
                volumes: [
                  {name: 'config', configMap: {name: `${APP}-config`}},
                  {name: 'data', persistentVolumeClaim: {claimName: `${APP}-data`}},
                  {name: 'tmp', emptyDir: {sizeLimit: '256Mi'}},
                ],
              },
            },
          },
        },
      },
    },
  ]
}

/**
 * The rendered objects are readable by anyone who may read ConfigMaps: a URL carrying a credential
 * (user:password@, a token, key or signature parameter, a Slack webhook path), anywhere in them and
 * in finops.yaml's comments too, is refused, naming the line of finops.yaml it came from.
 */
export function refuseRenderedSecrets(manifests: readonly Manifest[], finopsYaml: string, file: string): void {
  const inRendered = findSecretUrls(manifests.map((m) => stringify(m, {lineWidth: 0})).join('---\n'))
  if (inRendered.length === 0) return
  const inFile = findSecretUrls(finopsYaml)[0]
  const where = inFile ? `${file}:${inFile.line}: ${inFile.url}` : `a rendered value: ${inRendered[0]!.url}`
  throw inputError(
    `${where} carries a credential and would be written into the ConfigMap in clear text`,
    `put the secret in the ${SECRET_NAME} Secret (or a file/env variable the config names) and leave it out of finops.yaml; see docs/deploy.md`,
  )
}
