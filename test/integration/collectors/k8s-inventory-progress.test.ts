import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import fs from 'node:fs'
import path from 'node:path'

import {collectInventory, type InventoryProgress} from '../../../src/collectors/k8s/inventory.js'
import {loadKubeAccess} from '../../../src/k8s/kubeconfig.js'
import {tempDir} from '../../helpers/cli.js'
import type {KubeApiServer} from '../../servers/kube-api.js'
import {type ClusterFixture, startFixtureKubeApi} from '../../servers/kube-fixture.js'

/** The inventory's progress hook, as `collect k8s` draws it: one event per resource kind, with its count. */
describe('collect k8s progress hook (real client-node against the local Kubernetes API)', () => {
  let server: KubeApiServer
  let fixture: ClusterFixture
  let tmp: {dir: string; cleanup: () => void}
  let kubeconfig: string

  beforeAll(async () => {
    ;({server, fixture} = await startFixtureKubeApi())
    tmp = tempDir()
    kubeconfig = path.join(tmp.dir, 'kubeconfig')
    fs.writeFileSync(kubeconfig, server.kubeconfig({context: 'eks-demo'}))
  })
  afterAll(async () => {
    await server.close()
    tmp.cleanup()
  })
  beforeEach(() => {
    server.allowAll()
    server.clearLog()
  })

  const collect = async (): Promise<InventoryProgress[]> => {
    const heard: InventoryProgress[] = []
    await collectInventory(loadKubeAccess({kubeconfig}), {
      cluster: 'eks-demo',
      pageSize: 4,
      onProgress: (p) => heard.push(p),
    })
    return heard
  }
  const count = (kind: string) => fixture.objects.filter((o) => o.kind === kind).length

  it('fires once per resource kind, counting up to the total, with the objects listed of each', async () => {
    const heard = await collect()
    const total = heard[0]!.resourcesTotal
    expect(total).toBeGreaterThanOrEqual(12)
    expect(heard.map((p) => p.resourcesDone)).toEqual(Array.from({length: total}, (_, i) => i + 1))
    expect(new Set(heard.map((p) => p.resourcesTotal))).toEqual(new Set([total]))
    const objects = (resource: string) => heard.find((p) => p.resource === resource)?.objects
    expect(objects('pods')).toBe(count('Pod'))
    expect(objects('nodes')).toBe(count('Node'))
    expect(objects('deployments.apps')).toBe(count('Deployment'))
  })

  it('still counts a resource kind the identity may not list, as done with no objects', async () => {
    server.forbid('policy/poddisruptionbudgets')
    const heard = await collect()
    expect(heard.at(-1)!.resourcesDone).toBe(heard[0]!.resourcesTotal)
    expect(heard.find((p) => p.resource === 'poddisruptionbudgets.policy')).toMatchObject({objects: 0})
  })
})
