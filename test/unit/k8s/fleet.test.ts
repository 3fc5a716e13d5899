import {describe, expect, it} from 'vitest'

import {parseConfigText} from '../../../src/config/index.js'
import {inventoryFleet, usageFleet} from '../../../src/k8s/fleet.js'

const k8s = (yaml: string) => parseConfigText(`kubernetes:\n  pageSize: 500\n${yaml}`, 'finops.yaml').kubernetes

const fleetYaml = `  clusterLabel: cluster
  prometheus: {extraSelector: 'job="cadvisor"'}
  clusters:
    - {name: eu, context: ctx-eu, labelValue: eu-1, headers: {X-Scope-OrgID: tenant-eu}}
    - {name: us}
`

describe('fleet resolution (kubernetes.clusters, --context a,b,c, --cluster)', () => {
  it('reads every configured cluster with its context, label value and tenant header', () => {
    const {fleet, members} = usageFleet(k8s(fleetYaml), {})
    expect(fleet).toBe(true)
    expect(members).toEqual([
      {
        name: 'eu',
        context: 'ctx-eu',
        kubeconfig: undefined,
        selector: 'job="cadvisor",cluster="eu-1"',
        headers: {'X-Scope-OrgID': 'tenant-eu'},
        headersFromEnv: {},
      },
      {
        name: 'us',
        context: 'us',
        kubeconfig: undefined,
        selector: 'job="cadvisor",cluster="us"',
        headers: {},
        headersFromEnv: {},
      },
    ])
  })

  it('--cluster picks one configured cluster (single output), and refuses one not listed', () => {
    const one = usageFleet(k8s(fleetYaml), {cluster: 'us'})
    expect(one.fleet).toBe(false)
    expect(one.members.map((m) => m.name)).toEqual(['us'])
    expect(() => usageFleet(k8s(fleetYaml), {cluster: 'ap'})).toThrow(
      /cluster ap is not listed in kubernetes.clusters \(eu, us\)/,
    )
  })

  it('without clusters: one cluster as before, filtered by clusterLabel only when set', () => {
    expect(usageFleet(k8s('  cluster: prod\n'), {}).members[0]!.selector).toBe('')
    expect(usageFleet(k8s('  clusterLabel: k8s_cluster\n'), {cluster: 'prod'})).toEqual({
      fleet: false,
      members: [
        {
          name: 'prod',
          kubeconfig: undefined,
          context: undefined,
          selector: 'k8s_cluster="prod"',
          headers: {},
          headersFromEnv: {},
        },
      ],
    })
  })

  it('--context a,b names each cluster by its configured entry, else by the context', () => {
    const {fleet, members} = inventoryFleet(k8s(fleetYaml), {context: 'ctx-eu,staging', kubeconfig: '/k'})
    expect(fleet).toBe(true)
    expect(members.map((m) => [m.name, m.context, m.kubeconfig])).toEqual([
      ['eu', 'ctx-eu', '/k'],
      ['staging', 'staging', '/k'],
    ])
    // One context is the single-cluster form: stored under --cluster, else its entry's name, else (later) the context.
    expect(inventoryFleet(k8s(fleetYaml), {context: 'ctx-eu'}).members.map((m) => m.name)).toEqual(['eu'])
    expect(inventoryFleet(k8s(''), {context: 'ctx-x'}).members.map((m) => m.name)).toEqual([undefined])
  })

  it('refuses empty and repeated context names, and --cluster with several contexts', () => {
    expect(() => inventoryFleet(k8s(''), {context: 'a,,b'})).toThrow(/has an empty context name/)
    expect(() => inventoryFleet(k8s(''), {context: ''})).toThrow(/has an empty context name/)
    expect(() => inventoryFleet(k8s(''), {context: 'a,a'})).toThrow(/names a context twice/)
    expect(() => inventoryFleet(k8s(''), {context: 'a,b', cluster: 'x'})).toThrow(/several contexts were given/)
  })

  it('rejects a cluster listed twice and a label that is not a Prometheus label name', () => {
    expect(() => k8s('  clusters: [{name: a}, {name: a}]\n')).toThrow(/kubernetes.clusters.1.name: a is listed twice/)
    expect(() => k8s('  clusterLabel: "my-cluster"\n')).toThrow(/kubernetes.clusterLabel/)
  })
})
