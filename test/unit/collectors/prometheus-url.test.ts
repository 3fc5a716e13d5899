import {describe, expect, it} from 'vitest'

import {connectPrometheus} from '../../../src/collectors/k8s/prometheus-connect.js'
import {kubernetesSection} from '../../../src/config/sections/kubernetes.js'

const fromYaml = (url?: string) =>
  kubernetesSection.parse({prometheus: url ? {url, discover: false} : {discover: false}}).prometheus

describe('which Prometheus URL is used', () => {
  it('the flag first, then $FINOPS_PROMETHEUS_URL, then finops.yaml', async () => {
    const env = {FINOPS_PROMETHEUS_URL: 'http://from-env:9090'}
    const yaml = fromYaml('http://from-yaml:9090')
    expect((await connectPrometheus({prometheus: 'http://from-flag:9090'}, yaml, env)).url).toBe(
      'http://from-flag:9090',
    )
    expect((await connectPrometheus({}, yaml, env)).url).toBe('http://from-env:9090')
    expect((await connectPrometheus({}, yaml, {})).url).toBe('http://from-yaml:9090')
  })

  it('an empty $FINOPS_PROMETHEUS_URL is unset, not a URL', async () => {
    expect((await connectPrometheus({}, fromYaml('http://from-yaml:9090'), {FINOPS_PROMETHEUS_URL: ''})).url).toBe(
      'http://from-yaml:9090',
    )
    await expect(connectPrometheus({}, fromYaml(), {FINOPS_PROMETHEUS_URL: ''})).rejects.toThrow(/no Prometheus URL/)
  })
})
