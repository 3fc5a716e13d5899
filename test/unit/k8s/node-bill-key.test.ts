import {afterEach, describe, expect, it} from 'vitest'

import {nodeBillKey} from '../../../src/k8s/allocation-report.js'
import {migration as lowerCaseKeys} from '../../../src/store/migrations/cost-resource-keys.js'
import {openResourceCostWriter, readResourceDayCosts} from '../../../src/store/resource-costs.js'
import {tempStore, type TempStore} from '../../helpers/store.js'

describe('nodeBillKey: where a node is in the bill', () => {
  it.each([
    ['i-0a1b2c3d4e5f60001', {key: 'i-0a1b2c3d4e5f60001', shared: false}],
    ['gke-prod-pool-1-abcd', {key: 'gke-prod-pool-1-abcd', shared: false}],
    // Azure bills a scale set's instances under the scale set (parseProviderId hands the whole path).
    [
      '/subscriptions/s/resourcegroups/mc_rg/providers/microsoft.compute/virtualmachinescalesets/aks-np-1-vmss/virtualmachines/3',
      {key: 'aks-np-1-vmss', shared: true},
    ],
    [
      '/subscriptions/S/resourceGroups/MC_rg/providers/Microsoft.Compute/virtualMachineScaleSets/AKS-NP-1-VMSS/virtualMachines/12',
      {key: 'aks-np-1-vmss', shared: true},
    ],
    // A standalone VM (and a flexible scale set's VM) is billed under its own name.
    [
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/GekkoPower',
      {key: 'gekkopower', shared: false},
    ],
  ])('%s', (instanceId, expected) => {
    expect(nodeBillKey(instanceId)).toEqual(expected)
  })
})

describe('resource keys match whatever case the bill and the cluster spell them in', () => {
  let store: TempStore | undefined
  afterEach(() => store?.cleanup())
  const row = (resourceId: string, effectiveCost: number) => ({
    source: 'focus',
    provider: 'Microsoft',
    billingAccountId: 'ea',
    billingPeriodStart: '2024-06-01',
    resourceId,
    day: '2024-06-03',
    serviceCategory: 'Compute',
    unit: 'Hours',
    currency: 'EUR',
    quantity: 24,
    billedCost: effectiveCost,
    effectiveCost,
    listCost: effectiveCost,
  })

  it('reads a mixed-case ResourceId by any spelling of its key', () => {
    store = tempStore()
    const writer = openResourceCostWriter(store.db)
    writer.add(row('/subscriptions/S/providers/Microsoft.Compute/virtualMachineScaleSets/AKS-Pool-VMSS', 7))
    const read = (key: string) =>
      readResourceDayCosts(store!.db, {keys: [key], from: '2024-06-01', to: '2024-06-30'}).map((c) => c.effectiveCost)
    expect(read('aks-pool-vmss')).toEqual([7])
    expect(read('AKS-POOL-VMSS')).toEqual([7])
    expect(read('aks-pool')).toEqual([])
  })

  it('the migration lower-cases keys an earlier version stored as the bill spelled them', () => {
    store = tempStore()
    openResourceCostWriter(store.db).add(row('/x/Microsoft.Compute/virtualMachines/GekkoPower', 3))
    store.db.exec(`UPDATE cost_resource_daily SET resource_key = 'GekkoPower'`)
    expect(readResourceDayCosts(store.db, {keys: ['gekkopower'], from: '2024-06-01', to: '2024-06-30'})).toEqual([])
    store.db.exec(lowerCaseKeys.up)
    const found = readResourceDayCosts(store.db, {keys: ['GekkoPower'], from: '2024-06-01', to: '2024-06-30'})
    expect(found.map((c) => [c.resourceKey, c.effectiveCost, c.hours])).toEqual([['gekkopower', 3, 24]])
  })
})
