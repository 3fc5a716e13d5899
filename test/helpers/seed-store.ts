import {DigestBuilder} from '../../src/k8s/digest.js'
import {buildInventory, rawClusterFromObjects} from '../../src/k8s/inventory.js'
import type {Inventory, WorkloadKind} from '../../src/model/k8s.js'
import {replaceInventory} from '../../src/store/k8s-inventory.js'
import {openStore} from '../../src/store/open.js'
import {type UsageRow, writeUsage} from '../../src/store/usage.js'
import {loadClusterFixture} from '../servers/kube-fixture.js'

const MIB = 2 ** 20

/** A container's synthetic usage: CPU in cores and memory in MiB per 5-minute step of a day. */
export interface UsageShape {
  namespace: string
  kind: WorkloadKind
  workload: string
  container: string
  days: number
  cpu: (step: number, day: number) => number
  memoryMiB: (step: number, day: number) => number
  oomDay?: number
}

const diurnal = (base: number, swing: number) => (step: number) => base + swing * Math.sin((2 * Math.PI * step) / 288)

/** The usage the recommend tests and docs examples rely on, over the bundled fixture cluster. */
export const FIXTURE_USAGE: UsageShape[] = [
  {
    namespace: 'shop',
    kind: 'Deployment',
    workload: 'web',
    container: 'web',
    days: 14,
    cpu: diurnal(0.35, 0.15),
    memoryMiB: diurnal(600, 50),
  },
  {
    namespace: 'shop',
    kind: 'Deployment',
    workload: 'web',
    container: 'envoy',
    days: 14,
    cpu: diurnal(0.02, 0.01),
    memoryMiB: diurnal(60, 5),
  },
  {
    namespace: 'shop',
    kind: 'Deployment',
    workload: 'api',
    container: 'api',
    days: 14,
    cpu: diurnal(0.25, 0.1),
    memoryMiB: diurnal(900, 100),
  },
  {
    namespace: 'shop',
    kind: 'Deployment',
    workload: 'checkout',
    container: 'checkout',
    days: 2,
    cpu: diurnal(0.1, 0.05),
    memoryMiB: diurnal(300, 20),
  },
  {
    namespace: 'shop',
    kind: 'Deployment',
    workload: 'cart',
    container: 'cart',
    days: 14,
    cpu: diurnal(0.2, 0.05),
    memoryMiB: diurnal(420, 20),
  },
  {
    namespace: 'data',
    kind: 'Deployment',
    workload: 'jupyter',
    container: 'notebook',
    days: 14,
    cpu: () => 0.001,
    memoryMiB: () => 200,
  },
  {
    namespace: 'data',
    kind: 'Deployment',
    workload: 'etl-worker',
    container: 'worker',
    days: 14,
    cpu: diurnal(1.2, 0.4),
    memoryMiB: (s) => (s === 200 ? 6140 : 4000),
    oomDay: 10,
  },
  {
    namespace: 'staging',
    kind: 'Deployment',
    workload: 'web',
    container: 'web',
    days: 14,
    cpu: diurnal(0.05, 0.02),
    memoryMiB: diurnal(300, 20),
  },
  {
    namespace: 'staging',
    kind: 'Deployment',
    workload: 'api',
    container: 'api',
    days: 14,
    cpu: diurnal(0.08, 0.03),
    memoryMiB: diurnal(500, 30),
  },
]

/** The last usage day of the seeded store; recommend runs with FINOPS_NOW the morning after. */
export const SEED_LAST_DAY = '2024-03-14'
export const SEED_NOW = '2024-03-15T06:00:00Z'

/** Builds the fixture inventory and writes it and the synthetic usage into a real store file. */
export function seedRecommendStore(dbPath: string, usage: readonly UsageShape[] = FIXTURE_USAGE): Inventory {
  const fixture = loadClusterFixture()
  const inventory = buildInventory(rawClusterFromObjects(fixture.objects), fixture.cluster, '2024-03-15T05:00:00Z')
  const db = openStore(dbPath)
  try {
    replaceInventory(db, inventory, 'fixture')
    const rows: UsageRow[] = []
    for (const shape of usage) {
      for (let d = 0; d < shape.days; d++) {
        const day = new Date(Date.parse(`${SEED_LAST_DAY}T00:00:00Z`) - (shape.days - 1 - d) * 86_400_000)
          .toISOString()
          .slice(0, 10)
        const builder = new DigestBuilder()
        for (let s = 0; s < 288; s++) {
          builder.cpu.add(shape.cpu(s, d))
          builder.memory.add(shape.memoryMiB(s, d) * MIB)
        }
        if (shape.oomDay === d) builder.oomKills = 1
        rows.push({
          key: {
            cluster: fixture.cluster,
            namespace: shape.namespace,
            kind: shape.kind,
            workload: shape.workload,
            container: shape.container,
          },
          day,
          source: 'prometheus',
          digest: builder.toDigest(),
        })
      }
    }
    writeUsage(db, rows, 'replace')
  } finally {
    db.close()
  }
  return inventory
}
