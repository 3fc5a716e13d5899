import {z} from 'zod'

import {APPLY_KINDS} from '../../../recommenders/registry.js'
import {SCHEDULABLE_KINDS} from '../../k8s/downscaler.js'

/** Spot placement per provider: the node label and taint their spot node pools carry. */
export const SPOT_PROVIDERS = ['aws', 'karpenter', 'gcp', 'azure'] as const
export type SpotProvider = (typeof SPOT_PROVIDERS)[number]

/**
 * `apply:` in finops.yaml: the apply policy and its guardrails. Everything defaults to the safe
 * side: dry run, system namespaces excluded, GitOps-managed workloads left to their controller.
 */
export const applySection = z
  .strictObject({
    /** dry-run prints the plan; enforce applies it without --yes (what the CronJob uses). */
    mode: z.enum(['dry-run', 'enforce']).default('dry-run'),
    /** Which recommendation kinds may be applied. */
    kinds: z.array(z.enum(APPLY_KINDS)).default([...APPLY_KINDS]),
    /** Namespaces never touched. */
    excludeNamespaces: z.array(z.string().min(1)).default(['kube-system', 'kube-public', 'kube-node-lease']),
    /** Cap on changes per run (restores of our own scale-downs are not counted). */
    maxActions: z.number().int().min(0).default(10),
    /** Replica floor for permanent scale-downs. */
    minReplicas: z.number().int().min(0).default(1),
    /** Replica floor inside a scheduled downtime window (0 lets dev environments sleep). */
    downtimeMinReplicas: z.number().int().min(0).default(0),
    /** Apply to workloads managed by Argo CD or Flux (the controller will revert unless Git is changed too). */
    allowGitOps: z.boolean().default(false),
    /** Rightsizing a Deployment with the Recreate strategy takes every pod down at once. */
    allowRecreate: z.boolean().default(false),
    /** Highest recommendation risk applied automatically. */
    maxRisk: z.enum(['low', 'medium', 'high']).default('medium'),
    /** How often a resourceVersion conflict is re-read and re-planned before the action fails. */
    conflictRetries: z.number().int().min(0).max(10).default(3),
    /** How schedules (kube-downscaler annotations, kubernetes.recommend.scaleDown.schedules) are enforced. */
    schedules: z
      .strictObject({
        /** Kinds scaled on a schedule (kube-downscaler's --include-resources): add CronJob, HorizontalPodAutoscaler, Rollout, DaemonSet, Job. */
        kinds: z.array(z.enum(SCHEDULABLE_KINDS)).min(1).default(['Deployment', 'StatefulSet']),
        /** Objects younger than this are not scaled down yet (kube-downscaler's --grace-period, 15 minutes). */
        gracePeriodMinutes: z.number().min(0).default(15),
      })
      .default({kinds: ['Deployment', 'StatefulSet'], gracePeriodMinutes: 15}),
    /** The hour-of-day CPU request schedule (`proposed.cpuRequestByHour`), set on running pods by in-place resize. */
    resize: z
      .strictObject({
        /**
         * Opt-in: true sets the hour's request on running pods (finops cronjob manifest then grants the CronJob
         * get pods and patch pods/resize); false: the fixed request in the template is all apply sets.
         */
        enabled: z.boolean().default(false),
        /** Resize containers whose resizePolicy for cpu is RestartContainer (each resize restarts the container). */
        allowRestart: z.boolean().default(false),
        /** Share of a workload's running pods resized in one run (rounded up, at least 1); the rest follow next run. */
        maxPodShare: z.number().gt(0).max(1).default(1),
        /** Pods resized in one run at most (resizes do not count against maxActions). */
        maxPods: z.number().int().min(0).default(200),
      })
      .default({enabled: false, allowRestart: false, maxPodShare: 1, maxPods: 200}),
    spot: z
      .strictObject({
        /** Which provider's spot node label and taint to use. */
        provider: z.enum(SPOT_PROVIDERS).default('aws'),
        /** Spot migration is opt-in: only these namespaces (or ones annotated finops.io/spot: "true"). */
        namespaces: z.array(z.string().min(1)).default([]),
      })
      .default({provider: 'aws', namespaces: []}),
  })
  .default({
    mode: 'dry-run',
    kinds: [...APPLY_KINDS],
    excludeNamespaces: ['kube-system', 'kube-public', 'kube-node-lease'],
    maxActions: 10,
    minReplicas: 1,
    downtimeMinReplicas: 0,
    allowGitOps: false,
    allowRecreate: false,
    maxRisk: 'medium',
    conflictRetries: 3,
    schedules: {kinds: ['Deployment', 'StatefulSet'], gracePeriodMinutes: 15},
    resize: {enabled: false, allowRestart: false, maxPodShare: 1, maxPods: 200},
    spot: {provider: 'aws', namespaces: []},
  })

export type ApplyConfig = z.infer<typeof applySection>
