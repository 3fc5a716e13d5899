import {z} from 'zod'

/** Steps of `finops run`, in the order they run. */
export const RUN_STEPS = ['collect', 'forecast', 'recommend', 'apply', 'alerts', 'report', 'digest', 'backup'] as const
export type RunStepName = (typeof RUN_STEPS)[number]

/**
 * `run:` in finops.yaml: the scheduled job (`finops run`): which steps run, extra arguments per step,
 * the lock, the Pushgateway, and what `finops cronjob manifest` renders.
 */
export const runSection = z
  .strictObject({
    /** Steps to run, in order; a step whose capability is not in this build is skipped with a reason. */
    steps: z.array(z.enum(RUN_STEPS)).default([...RUN_STEPS]),
    /**
     * Where the collect step reads container usage from: auto = Prometheus when kubernetes.prometheus.url
     * (or FINOPS_PROMETHEUS_URL) is set, else metrics-server; none skips usage (no rightsizing).
     */
    usage: z.enum(['auto', 'prometheus', 'metrics-server', 'none']).default('auto'),
    /** Extra CLI arguments per step, e.g. {forecast: ['--horizon', '60']}. */
    args: z.partialRecord(z.enum(RUN_STEPS), z.array(z.string())).default({}),
    /** A lock older than this is stale (a run that was killed) and is taken over; keep it above the Job's activeDeadlineSeconds (50 min). */
    lockTtlMinutes: z.number().int().min(1).default(60),
    /**
     * The HTML report the report step keeps up to date (the latest one, replaced each run): on by
     * default, at `report.html` next to the store (on the store's volume in the cluster); a relative
     * path is taken from the store's directory. An existing file that finops did not write is never replaced.
     */
    report: z
      .strictObject({enabled: z.boolean().default(true), path: z.string().min(1).optional()})
      .default({enabled: true}),
    /** Pushgateway base URL (e.g. http://pushgateway.monitoring:9091); --pushgateway overrides. */
    pushgateway: z.url().optional(),
    /** Label `instance` for the pushed metrics group (one per cluster). */
    instance: z.string().min(1).default('default'),
    cronjob: z
      .strictObject({
        namespace: z.string().min(1).default('finops'),
        schedule: z.string().min(1).default('17 * * * *'),
        image: z.string().min(1).default('ghcr.io/finops/finops:0.1.0'),
        storageSize: z.string().min(1).default('1Gi'),
        storageClassName: z.string().optional(),
        /** ServiceAccount annotations: IRSA role ARN, GKE or Azure Workload Identity. */
        serviceAccountAnnotations: z.record(z.string(), z.string()).default({}),
      })
      .default({
        namespace: 'finops',
        schedule: '17 * * * *',
        image: 'ghcr.io/finops/finops:0.1.0',
        storageSize: '1Gi',
        serviceAccountAnnotations: {},
      }),
  })
  .default({
    steps: [...RUN_STEPS],
    usage: 'auto',
    args: {},
    lockTtlMinutes: 60,
    report: {enabled: true},
    instance: 'default',
    cronjob: {
      namespace: 'finops',
      schedule: '17 * * * *',
      image: 'ghcr.io/finops/finops:0.1.0',
      storageSize: '1Gi',
      serviceAccountAnnotations: {},
    },
  })

export type RunConfig = z.infer<typeof runSection>
