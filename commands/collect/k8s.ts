import {Flags} from '@oclif/core'

import {checkNamespaceNames} from '../../src/cli/arguments.js'
import {FinopsCommand} from '../../src/cli/base-command.js'
import {outputFlags} from '../../src/cli/output-flags.js'
import {collectInventory} from '../../src/collectors/k8s/inventory.js'
import type {CollectK8sResult} from '../../src/collectors/k8s/results.js'
import {loadKubeAccess} from '../../src/k8s/kubeconfig.js'
import {progressDisplay} from '../../src/output/progress.js'
import {replaceInventory} from '../../src/store/k8s-inventory.js'
import {now} from '../../src/dates.js'

export default class CollectK8s extends FinopsCommand {
  static override storeIntent = 'create' as const
  static override summary = "Snapshot a Kubernetes cluster's workloads, nodes and namespaces into the store"
  static override description = `Lists Deployments, StatefulSets, DaemonSets, CronJobs, Jobs, ReplicaSets, Pods, HPAs, PDBs, PVCs/PVs,
Nodes and Namespaces through the API server (paginated with limit/continue) and replaces the cluster's previous
snapshot in one transaction. Uses --kubeconfig / KUBECONFIG / ~/.kube/config, or the pod's service account
in-cluster. Needs only get/list RBAC. Resources the identity may not list are left out with a warning.
FINOPS_NOW (an ISO date or time) pins the snapshot's time, so apply and cost allocation compare it with runs
that pinned the same clock.`

  static override examples = [
    '<%= config.bin %> collect k8s',
    '<%= config.bin %> collect k8s --context prod-eu --cluster prod-eu',
    '<%= config.bin %> collect k8s --namespace shop --namespace data --json',
  ]

  static override flags = {
    kubeconfig: Flags.string({description: 'kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or in-cluster)'}),
    context: Flags.string({description: 'kubeconfig context (default: current-context)'}),
    cluster: Flags.string({
      description: 'name to store the snapshot under (default: kubernetes.cluster, else the context name)',
    }),
    namespace: Flags.string({char: 'n', description: 'collect only these namespaces (repeatable)', multiple: true}),
    'page-size': Flags.integer({description: 'objects per list page (limit)', min: 1, max: 10_000}),
    ...outputFlags(['collect-k8s']),
  }

  async run(): Promise<CollectK8sResult> {
    const {flags} = await this.parse(CollectK8s)
    const {config} = this.finopsConfig(flags.config)
    const k = config.kubernetes
    const namespaces = checkNamespaceNames(flags.namespace, 'namespace') ?? k.namespaces
    const access = loadKubeAccess({kubeconfig: flags.kubeconfig ?? k.kubeconfig, context: flags.context ?? k.context})
    const cluster = flags.cluster ?? k.cluster ?? access.context
    const db = this.openStore(flags.db, flags.config)
    this.note(`Listing cluster objects from ${access.server} (context ${access.context})...`)
    const progress = progressDisplay(process.stderr, this.jsonEnabled(), 'resource kinds')
    const {inventory, requests} = await collectInventory(access, {
      cluster,
      pageSize: flags['page-size'] ?? k.pageSize,
      namespaces,
      now: now(),
      onProgress: (p) => progress.update(p.resourcesDone, p.resourcesTotal, `${p.resource} (${p.objects})`),
    }).finally(() => progress.stop())
    const written = replaceInventory(db, inventory, access.context)
    const byKind: Record<string, number> = {}
    for (const w of inventory.workloads) byKind[w.kind] = (byKind[w.kind] ?? 0) + 1
    const capacityTypes: Record<string, number> = {}
    for (const n of inventory.nodes) capacityTypes[n.capacityType] = (capacityTypes[n.capacityType] ?? 0) + 1
    for (const warning of inventory.warnings) this.warn(warning)
    const result: CollectK8sResult = {
      cluster,
      context: access.context,
      collectedAt: inventory.collectedAt,
      workloads: written.workloads,
      nodes: written.nodes,
      namespaces: written.namespaces,
      byKind,
      capacityTypes,
      requests,
      warnings: inventory.warnings,
    }
    await this.present('collect-k8s', result)
    return result
  }
}
