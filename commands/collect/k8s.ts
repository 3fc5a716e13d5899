import {Flags} from '@oclif/core'

import {checkNamespaceNames} from '../../src/cli/arguments.js'
import {FinopsCommand} from '../../src/cli/base-command.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {fleetError, forEachCluster} from '../../src/collectors/k8s/fleet-run.js'
import type {CollectK8sOutput, CollectK8sResult} from '../../src/collectors/k8s/results.js'
import {snapshotCluster} from '../../src/collectors/k8s/snapshot.js'
import {type FleetMember, inventoryFleet} from '../../src/k8s/fleet.js'
import {progressDisplay} from '../../src/output/progress.js'
import {now} from '../../src/dates.js'

export default class CollectK8s extends FinopsCommand {
  static override storeIntent = 'create' as const
  static override summary = "Snapshot a Kubernetes cluster's workloads, nodes and namespaces into the store"
  static override description = `Lists Deployments, StatefulSets, DaemonSets, CronJobs, Jobs, ReplicaSets, Pods, HPAs, PDBs, PVCs/PVs,
Nodes and Namespaces through the API server (paginated with limit/continue) and replaces the cluster's previous
snapshot in one transaction. Uses --kubeconfig / KUBECONFIG / ~/.kube/config, or the pod's service account
in-cluster. Needs only get/list RBAC. Resources the identity may not list are left out with a warning.
With several contexts (--context a,b,c) or kubernetes.clusters in finops.yaml, each cluster is collected in turn
and stored under its own name; one that fails is reported, the others are still collected, and the exit code is
then "partial" (7). FINOPS_NOW (an ISO date or time) pins the snapshot's time, so apply and cost allocation compare it with runs
that pinned the same clock.`

  static override examples = [
    '<%= config.bin %> collect k8s',
    '<%= config.bin %> collect k8s --context prod-eu --cluster prod-eu',
    '<%= config.bin %> collect k8s --context prod-eu,prod-us,staging',
    '<%= config.bin %> collect k8s --namespace shop --namespace data --json',
  ]

  static override flags = {
    kubeconfig: Flags.string({description: 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)'}),
    context: Flags.string({
      description:
        'kubeconfig context, or several comma-separated (a fleet: each stored under its own name) (default: kubernetes.clusters, else current-context)',
    }),
    cluster: Flags.string({
      description:
        'name to store the snapshot under, or the kubernetes.clusters entry to collect (default: kubernetes.cluster, else the context name)',
    }),
    namespace: Flags.string({char: 'n', description: 'collect only these namespaces (repeatable)', multiple: true}),
    'page-size': Flags.integer({description: 'objects per list page (limit)', min: 1, max: 10_000}),
    ...outputFlags(['collect-k8s']),
  }

  async run(): Promise<CollectK8sOutput> {
    const {flags} = await this.parse(CollectK8s)
    const {config} = this.finopsConfig(flags.config)
    const k = config.kubernetes
    const namespaces = checkNamespaceNames(flags.namespace, 'namespace') ?? k.namespaces
    const {members, fleet} = inventoryFleet(k, flags)
    const db = this.openStore(flags.db, flags.config)
    const snapshot = async (member: FleetMember): Promise<CollectK8sResult> => {
      const progress = progressDisplay(process.stderr, this.jsonEnabled(), 'resource kinds')
      const result = await snapshotCluster(db, member, {
        pageSize: flags['page-size'] ?? k.pageSize,
        namespaces,
        now: now(),
        onStart: ({server, context}) => this.note(`Listing cluster objects from ${server} (context ${context})...`),
        onProgress: (p) => progress.update(p.resourcesDone, p.resourcesTotal, `${p.resource} (${p.objects})`),
      }).finally(() => progress.stop())
      for (const warning of result.warnings) this.warn(fleet ? `${result.cluster}: ${warning}` : warning)
      return result
    }
    if (!fleet) {
      const result = await snapshot(members[0]!)
      await this.present('collect-k8s', result)
      return result
    }
    const {results, failures} = await forEachCluster(members, snapshot)
    const output = {clusters: results, failures}
    const error = fleetError(failures, members.length)
    return this.finish('collect-k8s', output, {exit: error?.exit ?? 0, problem: error?.message})
  }
}
