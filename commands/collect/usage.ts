import {Flags, type Interfaces} from '@oclif/core'

import {checkNamespaceNames} from '../../src/cli/arguments.js'
import {FinopsCommand} from '../../src/cli/base-command.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {
  chooseUsageCluster,
  collectMetricsServerUsage,
  collectPrometheusUsageIntoStore,
} from '../../src/collectors/k8s/collect-usage.js'
import {historyShortfalls} from '../../src/collectors/k8s/history-prometheus.js'
import {connectPrometheus} from '../../src/collectors/k8s/prometheus-connect.js'
import {fleetError, forEachCluster} from '../../src/collectors/k8s/fleet-run.js'
import type {CollectUsageOutput, CollectUsageResult} from '../../src/collectors/k8s/results.js'
import type {KubernetesConfig} from '../../src/config/sections/kubernetes.js'
import {type FleetMember, selectorFor, usageFleet} from '../../src/k8s/fleet.js'
import type {Db} from '../../src/store/open.js'
import {now} from '../../src/dates.js'
import {usageError} from '../../src/errors.js'
import {loadKubeAccess} from '../../src/k8s/kubeconfig.js'
import {progressDisplay} from '../../src/output/progress.js'
import {listSnapshots, readInventory} from '../../src/store/k8s-inventory.js'

const SOURCES = ['prometheus', 'metrics-server'] as const

export default class CollectUsage extends FinopsCommand {
  static override storeIntent = 'create' as const
  static override summary = 'Collect CPU and memory usage per container into bounded daily digests'
  static override description = `From Prometheus (default): range queries over --days (default 14) of
rate(container_cpu_usage_seconds_total[5m]) and container_memory_working_set_bytes per container, plus OOM kills
from kube-state-metrics when present, batched per namespace (or per group of workloads) and folded into one
quantile sketch per container and day; re-collecting a day replaces it. From metrics-server
(--source metrics-server): one sample per run merged into today's digest, for clusters without Prometheus
(run it on a schedule), and OOM kills read from pod statuses since the previous run. Credentials are taken from files or environment variables and \
never stored or printed.
With kubernetes.clusters in finops.yaml (a fleet in one Thanos, Mimir or Amazon Managed Prometheus), each
cluster is read in turn, its series picked by kubernetes.clusterLabel and its own tenant headers; one that fails is
reported, the others are still collected, and the exit code is then "partial" (7).
Run \`finops collect k8s\` first so pods map to their workloads (otherwise names are guessed from pod names). FINOPS_NOW (an ISO date or time) pins \
"now" (the end of the --days window).`

  static override examples = [
    '<%= config.bin %> collect usage --prometheus http://localhost:9090',
    '<%= config.bin %> collect usage --prometheus https://thanos.example.com --bearer-token-file /var/run/secrets/token --days 30',
    '<%= config.bin %> collect usage --source metrics-server --context prod-eu',
  ]

  static override flags = {
    source: Flags.string({description: 'where usage comes from', options: [...SOURCES], default: 'prometheus'}),
    prometheus: Flags.string({
      description:
        'Prometheus base URL, or `auto` to find its Service in the cluster (default: $FINOPS_PROMETHEUS_URL, else kubernetes.prometheus.url, else ' +
        'discovery when running in a cluster)',
    }),
    'prometheus-header': Flags.string({
      description:
        'header sent with every Prometheus request, "Name: value" (repeatable), e.g. "X-Scope-OrgID: team-a"',
      multiple: true,
    }),
    'prometheus-ca-file': Flags.string({description: 'PEM bundle of the CAs to trust for an https Prometheus'}),
    'prometheus-cert-file': Flags.string({description: 'client certificate (PEM) for mutual TLS'}),
    'prometheus-key-file': Flags.string({description: 'client key (PEM) for mutual TLS'}),
    sigv4: Flags.boolean({
      description: 'sign requests with AWS SigV4 (Amazon Managed Prometheus), with the default AWS credential chain',
    }),
    'sigv4-region': Flags.string({
      description: 'AWS region for --sigv4 (default: from the workspace URL or AWS_REGION)',
    }),
    days: Flags.integer({
      description: 'days of history to read (default: kubernetes.prometheus.days, 14)',
      min: 1,
      max: 90,
    }),
    'bearer-token-file': Flags.string({
      description: 'file holding a bearer token for Prometheus, read again before every request',
    }),
    'bearer-token-env': Flags.string({
      description: 'environment variable holding a bearer token (default: FINOPS_PROMETHEUS_TOKEN when set)',
    }),
    username: Flags.string({description: 'basic-auth user for Prometheus'}),
    'password-env': Flags.string({
      description: 'environment variable holding the basic-auth password (default: FINOPS_PROMETHEUS_PASSWORD)',
    }),
    cluster: Flags.string({
      description:
        'cluster name the usage is stored under, or the kubernetes.clusters entry to collect ' +
        "(default: every kubernetes.clusters entry, else the snapshot's cluster)",
    }),
    network: Flags.boolean({
      description:
        'also read bytes transmitted per pod (cAdvisor) so cost allocation charges network egress (default: kubernetes.prometheus.network)',
    }),
    namespace: Flags.string({char: 'n', description: 'only these namespaces (repeatable)', multiple: true}),
    kubeconfig: Flags.string({description: 'kubeconfig file, for --source metrics-server'}),
    context: Flags.string({description: 'kubeconfig context, for --source metrics-server'}),
    ...outputFlags(['collect-usage']),
  }

  async run(): Promise<CollectUsageOutput> {
    const {flags} = await this.parse(CollectUsage)
    const {config} = this.finopsConfig(flags.config)
    const k = config.kubernetes
    const namespaces = checkNamespaceNames(flags.namespace, 'namespace') ?? k.namespaces
    const {members, fleet} = usageFleet(k, flags)
    const db = this.openStore(flags.db, flags.config)
    if (!fleet) return this.collectCluster(db, k, members[0]!, flags, namespaces, fleet)
    const {results, failures} = await forEachCluster(members, (member) =>
      this.collectCluster(db, k, member, flags, namespaces, fleet),
    )
    const error = fleetError(failures, members.length)
    return this.finish(
      'collect-usage',
      {clusters: results, failures},
      {exit: error?.exit ?? 0, problem: error?.message},
    )
  }

  /** One cluster: its name (the store's one snapshot when not named), then metrics-server or Prometheus. */
  private async collectCluster(
    db: Db,
    k: KubernetesConfig,
    member: FleetMember,
    flags: Interfaces.InferredFlags<typeof CollectUsage.flags>,
    namespaces: readonly string[] | undefined,
    fleet: boolean,
  ): Promise<CollectUsageResult> {
    const choice = chooseUsageCluster(
      member.name,
      listSnapshots(db).map((s) => s.cluster),
    )
    if (choice.cluster === undefined) {
      throw choice.problem === 'several-snapshots'
        ? usageError(
            `the store holds several clusters (${choice.clusters.join(', ')}): say which one this usage is for`,
            'pass --cluster NAME',
          )
        : usageError('no cluster name: run `finops collect k8s` first, or pass --cluster NAME')
    }
    const {cluster} = choice
    const inventory = readInventory(db, cluster)
    if (!inventory)
      this.note(
        `No snapshot of cluster ${cluster} in the store: pod names are mapped to workloads by their name pattern ` +
          '(run `finops collect k8s` first for exact owners).',
      )

    if (flags.source === 'metrics-server') {
      const access = loadKubeAccess({kubeconfig: member.kubeconfig, context: member.context})
      const {result, pods} = await collectMetricsServerUsage(db, access, {cluster, namespaces, inventory})
      if (!fleet) await this.present('collect-usage', result, {pods})
      return result
    }

    const connection = await connectPrometheus(
      {
        prometheus: flags.prometheus,
        header: flags['prometheus-header'],
        bearerTokenFile: flags['bearer-token-file'],
        bearerTokenEnv: flags['bearer-token-env'],
        username: flags.username,
        passwordEnv: flags['password-env'],
        caFile: flags['prometheus-ca-file'],
        certFile: flags['prometheus-cert-file'],
        keyFile: flags['prometheus-key-file'],
        sigv4: flags.sigv4,
        sigv4Region: flags['sigv4-region'],
        kubeconfig: member.kubeconfig,
        context: member.context,
      },
      {
        ...k.prometheus,
        // A cluster's own headers (its tenant in a multi-tenant Mimir) over the shared ones.
        headers: {...k.prometheus.headers, ...member.headers},
        headersFromEnv: {...k.prometheus.headersFromEnv, ...member.headersFromEnv},
      },
    )
    if (connection.discovered)
      this.note(`Using Prometheus at ${connection.url} (${connection.discovered.reason}, found in the cluster).`)
    const days = flags.days ?? k.prometheus.days
    // A cluster named only now (the store's one snapshot) is matched by that name in a shared Prometheus.
    const extraSelector = member.name === undefined ? selectorFor(k, cluster) : member.selector
    this.note(`Reading ${days} days of container usage of cluster ${cluster} from Prometheus...`)
    const progress = progressDisplay(process.stderr, this.jsonEnabled(), 'query batches')
    const result = await collectPrometheusUsageIntoStore(
      db,
      connection.api,
      {...k.prometheus, extraSelector},
      {
        cluster,
        namespaces,
        inventory,
        days,
        now: now(),
        network: flags.network || k.prometheus.network,
        onProgress: (done, total) => progress.update(done, total, 'usage'),
      },
    ).finally(() => {
      progress.stop()
      connection.api.close?.()
    })
    for (const line of historyShortfalls(result.history)) this.warn(line)
    if (result.history?.source !== 'kube-state-metrics')
      this.note(
        'No kube-state-metrics series: cost allocation will model these days from the `collect k8s` snapshot ' +
          '(scrape kube-state-metrics to charge each pod for the hours it ran).',
      )
    if (!fleet) await this.present('collect-usage', result)
    return result
  }
}
