import {describe, expect, it} from 'vitest'

import {buildPatch, selectorMatches} from '../../../src/apply/fields.js'
import {requiredAvailable} from '../../../src/apply/guardrails.js'

describe('requiredAvailable (PDB arithmetic, as the disruption controller rounds)', () => {
  it.each([
    [{minAvailable: 2}, 5, 2],
    [{minAvailable: '50%'}, 3, 2],
    [{minAvailable: '100%'}, 4, 4],
    [{maxUnavailable: 1}, 3, 2],
    [{maxUnavailable: '25%'}, 3, 2],
    [{maxUnavailable: 5}, 3, 0],
    [{}, 3, 0],
  ])('%j at %i replicas requires %i', (pdb, replicas, required) => {
    expect(requiredAvailable(pdb, replicas)).toBe(required)
  })
})

describe('selectorMatches', () => {
  const labels = {app: 'api', tier: 'backend'}
  it.each([
    [{matchLabels: {app: 'api'}}, true],
    [{matchLabels: {app: 'web'}}, false],
    [{matchExpressions: [{key: 'tier', operator: 'In', values: ['backend', 'db']}]}, true],
    [{matchExpressions: [{key: 'tier', operator: 'NotIn', values: ['backend']}]}, false],
    [{matchExpressions: [{key: 'canary', operator: 'DoesNotExist'}]}, true],
    [{matchExpressions: [{key: 'canary', operator: 'Exists'}]}, false],
    [{}, true],
    [undefined, false],
  ])('%j -> %s', (selector, expected) => {
    expect(selectorMatches(selector, labels)).toBe(expected)
  })
})

describe('buildPatch', () => {
  it('removes keys that the desired state lacks (null) and carries the resourceVersion', () => {
    const live = {container: {name: 'app', requests: {cpu: '1', memory: '1Gi'}, limits: {memory: '2Gi'}}}
    const desired = {container: {name: 'app', requests: {cpu: '250m'}, limits: {}}}
    expect(buildPatch(live, desired, '42')).toEqual({
      metadata: {resourceVersion: '42'},
      spec: {
        template: {
          spec: {
            containers: [{name: 'app', resources: {requests: {cpu: '250m', memory: null}, limits: {memory: null}}}],
          },
        },
      },
    })
  })

  it('sends nothing when live already equals desired, and deletes emptied selectors and tolerations', () => {
    expect(
      buildPatch({replicas: 3, annotations: {a: null}}, {replicas: 1, annotations: {a: null}}, '1'),
    ).toBeUndefined()
    expect(
      buildPatch({nodeSelector: {x: 'y'}, tolerations: [{key: 'k'}]}, {nodeSelector: {}, tolerations: []}, undefined),
    ).toEqual({metadata: {}, spec: {template: {spec: {nodeSelector: null, tolerations: null}}}})
  })
})
