import {z} from 'zod'

/**
 * `kubernetes:` in finops.yaml: cluster access, usage collection (Prometheus), and prices for
 * allocation. `recommend:` holds the recommender settings and is validated by
 * recommenders/settings.ts (kept opaque here so the two schemas evolve independently).
 * Secrets are never read from this file: auth for Prometheus comes from files or environment
 * variables named here.
 */

// OpenCost's default component prices (its configs/default.json): on-demand and spot per core-hour
// and GiB-hour, $0.95 per GPU-hour. Their ratios (about 7.46 : 1 : 224) are also how a known node
// price is split. OpenCost has no spot GPU default: ours is the on-demand one at the default spot ratio.
const OPENCOST_ON_DEMAND = {cpuCoreHour: 0.031611, memoryGiBHour: 0.004237, gpuHour: 0.95}
const OPENCOST_SPOT = {cpuCoreHour: 0.006655, memoryGiBHour: 0.000892, gpuHour: 0.285}

/** $/core-hour, $/GiB-hour and $/GPU-hour for one capacity type. */
const rates = (gpuHour: number) =>
  z.strictObject({
    cpuCoreHour: z.number().min(0),
    memoryGiBHour: z.number().min(0),
    gpuHour: z.number().min(0).default(gpuHour),
  })

const providerRates = z.strictObject({
  onDemand: rates(OPENCOST_ON_DEMAND.gpuHour).optional(),
  spot: rates(OPENCOST_SPOT.gpuHour).optional(),
})

const prices = z.strictObject({
  /** Currency of the default rates and of allocation output when billing does not say. */
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD')
    .default('USD'),
  /** Fallback rates when a node cannot be matched to billing data. */
  onDemand: rates(OPENCOST_ON_DEMAND.gpuHour).default(OPENCOST_ON_DEMAND),
  spot: rates(OPENCOST_SPOT.gpuHour).default(OPENCOST_SPOT),
  /** Per-provider overrides of the fallback rates: `aws: {spot: {cpuCoreHour: 0.01, memoryGiBHour: 0.0013}}`. */
  providers: z.partialRecord(z.enum(['aws', 'gcp', 'azure', 'other']), providerRates).default({}),
  /** On-demand node-hour prices by exact instance type (`m5.xlarge: 0.192`). */
  instanceTypes: z.record(z.string(), z.number().min(0)).default({}),
  /** On-demand price per vCPU-hour by instance family (`m5: 0.048`): a node costs this x its vCPUs. */
  instanceFamilies: z.record(z.string(), z.number().min(0)).default({}),
  /** Spot node price as a share of the on-demand instance-type price, when only on-demand is known. */
  spotRatio: z.number().gt(0).lte(1).default(0.3),
  /** CPU:memory price ratio used to split a node price ($/core-hour ÷ $/GiB-hour). */
  cpuToMemoryRatio: z
    .number()
    .gt(0)
    .default(OPENCOST_ON_DEMAND.cpuCoreHour / OPENCOST_ON_DEMAND.memoryGiBHour),
  /** GPU:memory price ratio used to split the price of a GPU node ($/GPU-hour ÷ $/GiB-hour). */
  gpuToMemoryRatio: z
    .number()
    .gt(0)
    .default(OPENCOST_ON_DEMAND.gpuHour / OPENCOST_ON_DEMAND.memoryGiBHour),
  /** Match nodes to billing rows (ResourceId/instance id) when the store has resource-level costs. */
  fromBilling: z.boolean().default(true),
  /** Persistent volumes: $ per GiB-month by storage class, else the default (OpenCost's $0.04). */
  storage: z
    .strictObject({
      defaultGiBMonth: z.number().min(0).default(0.04),
      classes: z.record(z.string(), z.number().min(0)).default({}),
    })
    .default({defaultGiBMonth: 0.04, classes: {}}),
  /** A LoadBalancer Service's hourly price (OpenCost's default $0.025). */
  loadBalancerHour: z.number().min(0).default(0.025),
  /**
   * $ per GiB transmitted by pods, when network egress is collected (kubernetes.prometheus.network).
   * cAdvisor does not tell in-zone from internet traffic: set a blend that fits your traffic
   * (OpenCost's defaults are $0.01 in-region and $0.12 to the internet).
   */
  networkGiB: z.number().min(0).default(0.01),
})

const prometheus = z.strictObject({
  /** Prometheus (or Thanos/Mimir query frontend) base URL; `--prometheus` overrides it. */
  url: z.url().optional(),
  /** Days of history `collect usage` reads by default. */
  days: z.number().int().min(1).max(90).default(14),
  /** Range-query resolution in seconds (5 minutes keeps 14 days at 4,032 points per series). */
  stepSeconds: z.number().int().min(10).max(3600).default(300),
  /** Window of the CPU rate() in PromQL. */
  rateWindow: z
    .string()
    .regex(/^\d+[smh]$/)
    .default('5m'),
  /** Containers are queried per namespace; namespaces with more pods than this are split by pod regex. */
  maxSeriesPerQuery: z.number().int().min(1).default(2000),
  /** Samples (series x points) per range query above which the window is split into day chunks. */
  maxSamplesPerQuery: z.number().int().min(1).default(250_000),
  /** Concurrent range queries. */
  concurrency: z.number().int().min(1).max(16).default(4),
  timeoutSeconds: z.number().int().min(1).default(120),
  /** File holding a bearer token (e.g. a projected service-account token). */
  bearerTokenFile: z.string().optional(),
  /** Environment variable holding a bearer token. */
  bearerTokenEnv: z.string().optional(),
  /** Basic auth user; the password comes from `passwordEnv`. */
  username: z.string().optional(),
  passwordEnv: z.string().optional(),
  /** Headers sent with every request, e.g. `X-Scope-OrgID: team-a` for a multi-tenant Mimir or Cortex. */
  headers: z.record(z.string(), z.string()).default({}),
  /** Headers whose values are secrets: header name -> environment variable holding the value. */
  headersFromEnv: z.record(z.string(), z.string().min(1)).default({}),
  /** PEM bundle of the CAs that signed the server certificate (a private CA). */
  caFile: z.string().optional(),
  /** Client certificate and key (PEM) for mutual TLS. */
  certFile: z.string().optional(),
  keyFile: z.string().optional(),
  /** Name to verify the server certificate against (when the URL uses an IP or a port-forward). */
  serverName: z.string().optional(),
  /** Accept any server certificate. Only for throwaway test setups. */
  insecureSkipVerify: z.boolean().default(false),
  /**
   * Amazon Managed Service for Prometheus: sign requests with AWS SigV4 using the default AWS
   * credential chain (AWS_PROFILE, IRSA, EKS Pod Identity, instance role). `{}` enables it with the
   * region taken from the workspace URL or AWS_REGION.
   */
  sigv4: z
    .strictObject({
      region: z.string().min(1).optional(),
      /** The signing service name: `aps` for Amazon Managed Prometheus. */
      service: z.string().min(1).default('aps'),
    })
    .optional(),
  /**
   * When no URL is set: look for a Prometheus (or Thanos query) Service through the Kubernetes API
   * and use its in-cluster address (only possible when finops itself runs in the cluster).
   */
  discover: z.boolean().default(true),
  /** Extra label matchers added to every selector, e.g. `cluster="prod-eu"` for a shared Thanos. */
  extraSelector: z.string().default(''),
  /**
   * How finely pod and node history (kube-state-metrics) is sampled, in seconds: each pod-hour is
   * counted to within this. Prometheus aggregates it (subqueries), so it costs query time there,
   * not data here. Must divide a day.
   */
  historyResolutionSeconds: z
    .number()
    .int()
    .min(10)
    .max(3600)
    .refine((n) => 86_400 % n === 0, 'must divide 86400 (a day), e.g. 30, 60 or 300')
    .default(60),
  /** Also collect bytes transmitted per pod (cAdvisor) so allocation can charge network egress. */
  network: z.boolean().default(false),
})

const allocation = z.strictObject({
  /** What to do with node cost no container was charged: keep it as the (idle) row, or share it by cost or by requests. */
  idle: z.enum(['separate', 'by-cost', 'by-requests']).default('separate'),
  /** Namespaces (names or globs) and `label:key=value` whose costs are shared out to the others, weighted by cost. */
  share: z.array(z.string().min(1)).default([]),
})

// A Prometheus label name (what `cluster="prod-eu"` filters on).
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/

/** One cluster of a fleet: where its inventory comes from and how its series are told apart in a shared Prometheus. */
const fleetCluster = z.strictObject({
  /** Name its snapshot, usage and costs are stored under. */
  name: z.string().min(1),
  /** kubeconfig context of its API server (default: the name). */
  context: z.string().min(1).optional(),
  /** kubeconfig file holding that context (default: kubernetes.kubeconfig, $KUBECONFIG, ~/.kube/config). */
  kubeconfig: z.string().optional(),
  /** Value of kubernetes.clusterLabel on its series (default: the name). */
  labelValue: z.string().min(1).optional(),
  /** Headers added for its Prometheus requests, e.g. `X-Scope-OrgID: tenant-eu` when each cluster is a Mimir tenant. */
  headers: z.record(z.string(), z.string()).default({}),
  /** Header name -> environment variable holding the value, for secret headers. */
  headersFromEnv: z.record(z.string(), z.string().min(1)).default({}),
})

export const kubernetesSection = z
  .strictObject({
    /** kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster). */
    kubeconfig: z.string().optional(),
    /** kubeconfig context (default: current-context). */
    context: z.string().optional(),
    /** Name the snapshot and usage are stored under (default: the context name, or 'in-cluster'). */
    cluster: z.string().min(1).optional(),
    /**
     * The label that names the cluster on every series of a shared Thanos, Mimir or Amazon Managed
     * Prometheus (e.g. `cluster`): each cluster's queries then match only `<label>="<its value>"`.
     */
    clusterLabel: z.string().regex(LABEL_NAME, 'a Prometheus label name such as cluster').optional(),
    /** A fleet: `collect k8s` and `collect usage` read each of these (or the one `--cluster` names). */
    clusters: z
      .array(fleetCluster)
      .min(1)
      .superRefine((list, ctx) => {
        const seen = new Set<string>()
        for (const [i, c] of list.entries()) {
          if (seen.has(c.name)) ctx.addIssue({code: 'custom', path: [i, 'name'], message: `${c.name} is listed twice`})
          seen.add(c.name)
        }
      })
      .optional(),
    /** Objects per list page (`limit`); the API server pages with `continue`. */
    pageSize: z.number().int().min(1).max(10_000).default(500),
    /** Namespaces to collect (default: all). */
    namespaces: z.array(z.string().min(1)).optional(),
    prometheus: prometheus.default(prometheus.parse({})),
    prices: prices.default(prices.parse({})),
    allocation: allocation.default(allocation.parse({})),
    /** Recommender settings: see recommenders/settings.ts and docs/recommendations.md. */
    recommend: z.unknown().optional(),
  })
  .default(() => kubernetesDefaults())

function kubernetesDefaults() {
  return {pageSize: 500, prometheus: prometheus.parse({}), prices: prices.parse({}), allocation: allocation.parse({})}
}

export type KubernetesConfig = z.infer<typeof kubernetesSection>
export type KubernetesPrices = KubernetesConfig['prices']
export type PrometheusConfig = KubernetesConfig['prometheus']
export type AllocationConfig = KubernetesConfig['allocation']
export type FleetClusterConfig = z.infer<typeof fleetCluster>
