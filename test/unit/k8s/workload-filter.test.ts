import {describe, expect, it} from 'vitest'

import {expectFinopsError} from '../../helpers/errors.js'

import {
  labelsMatch,
  namespaceMatches,
  parseLabelSelector,
  parseNamespacePatterns,
  selectNamespaces,
  workloadSelected,
} from '../../../src/k8s/workload-filter.js'

const labels = {app: 'web', tier: 'frontend', 'app.kubernetes.io/part-of': 'shop', replicas: '5', empty: ''}

describe('parseLabelSelector + labelsMatch', () => {
  // [selector, matches the labels above]
  const cases: [string, boolean][] = [
    ['app=web', true],
    ['app==web', true],
    ['app = web', true],
    ['app=api', false],
    ['app!=api', true],
    ['app!=web', false],
    ['missing!=x', true], // != matches an absent label, as in Kubernetes
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['tier in (frontend,backend)', true],
    ['tier in (backend, batch)', false],
    ['tier notin (backend,batch)', true],
    ['tier notin (frontend)', false],
    ['missing notin (a)', true],
    ['missing in (a)', false],
    ['app.kubernetes.io/part-of=shop', true],
    ['app=web,tier=frontend', true],
    ['app=web,tier=backend', false],
    ['app=web, tier in (frontend), !canary', true],
    ['replicas>3', true],
    ['replicas>5', false],
    ['replicas<6', true],
    ['app>3', false], // not an integer value
    ['empty=', true],
    ['empty', true],
    ['app=', false],
  ]
  for (const [text, expected] of cases) {
    it(`${text} -> ${expected}`, () => {
      expect(labelsMatch(parseLabelSelector(text), labels)).toBe(expected)
    })
  }

  const bad: [string, RegExp][] = [
    ['', /empty/],
    ['   ', /empty/],
    ['app=web,', /ends with a comma/],
    [',app=web', /expected a label key/],
    ['app in web', /expected '\(' after in/],
    ['app in ()', /has no values/],
    ['app in (a,b', /missing '\)'/],
    ['app=we b', /expected a comma/],
    ['-app=web', /not a label key/],
    ['Bad_Prefix.io/app=web', /invalid prefix/],
    ['app=-web', /not a label value/],
    [`app=${'x'.repeat(64)}`, /not a label value/],
    ['replicas>three', /not an integer/],
    ['app ! web', /unexpected '!'/],
    ['!', /expected a label key after !/],
  ]
  for (const [text, message] of bad) {
    it(`refuses '${text}' as a usage error`, () => {
      expectFinopsError(() => parseLabelSelector(text), {message, exit: 'usage'})
    })
  }
})

describe('namespace patterns', () => {
  it('matches names exactly and globs with * and ?', () => {
    expect(namespaceMatches('dev', 'dev')).toBe(true)
    expect(namespaceMatches('dev', 'dev-1')).toBe(false)
    expect(namespaceMatches('dev-*', 'dev-1')).toBe(true)
    expect(namespaceMatches('dev-*', 'dev-')).toBe(true)
    expect(namespaceMatches('dev-*', 'prod-dev-1')).toBe(false)
    expect(namespaceMatches('*-dev', 'team-a-dev')).toBe(true)
    expect(namespaceMatches('team-?', 'team-a')).toBe(true)
    expect(namespaceMatches('team-?', 'team-ab')).toBe(false)
    expect(namespaceMatches('*', 'anything')).toBe(true)
  })

  it('splits commas, de-duplicates, and refuses blank or malformed entries', () => {
    expect(parseNamespacePatterns(['dev,staging', 'dev', ' team-* '])).toEqual(['dev', 'staging', 'team-*'])
    for (const bad of ['', ' ', ',', 'dev,', 'Dev', 'dev_1', 'a/b', 'x'.repeat(64), '-dev']) {
      expect(() => parseNamespacePatterns([bad]), bad).toThrow(/empty name|neither a namespace name nor a glob/)
    }
  })

  it('selects namespaces from a list and workloads by namespace and labels', () => {
    expect(selectNamespaces(['dev-*', 'shop'], ['dev-a', 'shop', 'prod', 'dev-b', 'dev-a'])).toEqual([
      'dev-a',
      'shop',
      'dev-b',
    ])
    const filter = {namespaces: ['dev-*'], selector: parseLabelSelector('app in (web,api)')}
    expect(workloadSelected(filter, {namespace: 'dev-1', labels: {app: 'web'}})).toBe(true)
    expect(workloadSelected(filter, {namespace: 'prod', labels: {app: 'web'}})).toBe(false)
    expect(workloadSelected(filter, {namespace: 'dev-1', labels: {app: 'db'}})).toBe(false)
    expect(workloadSelected(undefined, {namespace: 'x', labels: {}})).toBe(true)
  })
})
