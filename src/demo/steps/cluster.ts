import type {KubernetesConfig} from '../../config/sections/kubernetes.js'
import {parseConfig} from '../../config/index.js'
import {addDays, dayToDate} from '../../dates.js'
import {DigestBuilder} from '../../k8s/digest.js'
import {buildInventory, rawClusterFromObjects} from '../../k8s/inventory.js'
import {runAllocation} from '../../k8s/allocation-report.js'
import type {ContainerKey, Inventory} from '../../model/k8s.js'
import {renderAllocationTable, renderAllocationTitle} from '../../output/allocation-format.js'
import {replaceInventory} from '../../store/k8s-inventory.js'
import type {Db} from '../../store/open.js'
import {type UsageRow, writeUsage} from '../../store/usage.js'
import {podSeries, walkUsage} from '../cluster-usage.js'
import {demoClusterObjects} from '../cluster-fixture.js'
import type {DemoStep} from '../steps.js'

const STEP = 300

/** Folds `days` of generated 5-minute usage for every pod of the inventory into day digests, as `collect usage` would. */
export function loadDemoUsage(db: Db, inventory: Inventory, lastDay: string, days: number): number {
  const start = dayToDate(addDays(lastDay, -(days - 1))).getTime() / 1000
  const end = dayToDate(addDays(lastDay, 1)).getTime() / 1000 - STEP
  const builders = new Map<string, {key: ContainerKey; day: string; digest: DigestBuilder}>()
  for (const s of podSeries(inventory)) {
    walkUsage(s, start, end, STEP, (p) => {
      if (p.cpu === undefined || p.memory === undefined) return
      const day = new Date(p.t * 1000).toISOString().slice(0, 10)
      const id = `${s.namespace}/${s.workload.kind}/${s.workload.name}/${s.container}/${day}`
      let b = builders.get(id)
      if (!b) {
        b = {
          key: {
            cluster: inventory.cluster,
            namespace: s.namespace,
            kind: s.workload.kind,
            workload: s.workload.name,
            container: s.container,
          },
          day,
          digest: new DigestBuilder(),
        }
        builders.set(id, b)
      }
      b.digest.cpu.add(p.cpu)
      b.digest.memory.add(p.memory)
    })
    // OOM kills per day come from the walk's cumulative count.
    let previous = 0
    walkUsage(s, start, end, STEP, (p) => {
      if (p.oomKills > previous) {
        const day = new Date(p.t * 1000).toISOString().slice(0, 10)
        const b = builders.get(`${s.namespace}/${s.workload.kind}/${s.workload.name}/${s.container}/${day}`)
        if (b) b.digest.oomKills += p.oomKills - previous
      }
      previous = p.oomKills
    })
  }
  const rows: UsageRow[] = [...builders.values()].map((b) => ({
    key: b.key,
    day: b.day,
    source: 'prometheus',
    digest: b.digest.toDigest(),
  }))
  return writeUsage(db, rows, 'replace')
}

/** Loads the bundled cluster snapshot into the demo store (no API server needed). */
export function loadDemoCluster(db: Db, today: string): Inventory {
  const {cluster, objects} = demoClusterObjects()
  const inventory = buildInventory(rawClusterFromObjects(objects), cluster, `${today}T00:00:00.000Z`)
  replaceInventory(db, inventory, 'demo')
  return inventory
}

/** The bundled EKS snapshot plus 14 days of usage, and what its nodes cost per namespace and workload. */
export const clusterStep: DemoStep = {
  title: 'Kubernetes: cluster inventory, 14 days of container usage, cost allocation with idle',
  run({db, today, print}) {
    const inventory = loadDemoCluster(db, today)
    const lastDay = addDays(today, -1)
    const rows = loadDemoUsage(db, inventory, lastDay, 14)
    const spot = inventory.nodes.filter((n) => n.capacityType === 'spot').length
    print('Bundled snapshot (what `finops collect k8s` stores from a live cluster):')
    print(
      `Cluster ${inventory.cluster}: ${inventory.workloads.length} workloads, ${inventory.nodes.length} nodes ` +
        `(${inventory.nodes.length - spot} on-demand, ${spot} spot), ${inventory.namespaces.length} namespaces`,
    )
    print('Generated usage (what `finops collect usage --prometheus URL --days 14` stores):')
    print(
      `${rows} container-day digests: 14 days of 5-minute CPU and memory samples folded into bounded quantile sketches\n`,
    )

    const k8s: KubernetesConfig = parseConfig({}).kubernetes
    const byNamespace = runAllocation(db, k8s, {window: '14d', groupBy: ['namespace']})
    print('$ finops cost allocation --group-by namespace --window 14d')
    print(renderAllocationTitle(byNamespace))
    print(renderAllocationTable(byNamespace))
    const byTeam = runAllocation(db, k8s, {window: '14d', groupBy: ['label:team']})
    print('\n$ finops cost allocation --group-by label:team --window 14d')
    print(renderAllocationTable(byTeam))
  },
}
