import {describe, expect, it} from 'vitest'

import {regionOfAmpUrl, resolvePrometheusAccess} from '../../../src/collectors/k8s/prometheus-access.js'
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

describe('the AWS region of an Amazon Managed Prometheus workspace URL', () => {
  // Every data-plane endpoint form AWS lists for aps-workspaces: IPv4, FIPS, dual-stack (api.aws), China.
  it.each([
    ['https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/', 'eu-west-1'],
    ['https://aps-workspaces-fips.us-east-2.amazonaws.com/workspaces/ws-1/', 'us-east-2'],
    ['https://aps-workspaces.us-east-2.api.aws/workspaces/ws-1/', 'us-east-2'],
    ['https://aps-workspaces-fips.us-gov-west-1.api.aws/workspaces/ws-1/', 'us-gov-west-1'],
    ['https://aps-workspaces.cn-north-1.amazonaws.com.cn/workspaces/ws-1/', 'cn-north-1'],
  ])('%s is in %s', (url, region) => {
    expect(regionOfAmpUrl(url)).toBe(region)
    expect(resolvePrometheusAccess({url, sigv4: true, timeoutSeconds: 30}, {}).sigv4).toEqual({region, service: 'aps'})
  })

  it('is not guessed from other hosts (the control plane, a proxy)', () => {
    expect(regionOfAmpUrl('https://aps.eu-west-1.amazonaws.com/workspaces')).toBeUndefined()
    expect(regionOfAmpUrl('http://amp-proxy.monitoring:8005/workspaces/ws-1')).toBeUndefined()
  })
})

describe('headers named twice in different case', () => {
  it('are sent once: headersFromEnv replaces headers, a flag replaces both (HTTP names are case-insensitive)', () => {
    const access = resolvePrometheusAccess(
      {
        url: 'http://mimir:8080/prometheus',
        headers: {'x-scope-orgid': 'from-yaml'},
        headersFromEnv: {'X-Scope-OrgID': 'TENANT'},
        timeoutSeconds: 30,
      },
      {TENANT: 'from-env'},
    )
    expect(access.headers).toEqual({'X-Scope-OrgID': 'from-env'})
    const flagged = resolvePrometheusAccess(
      {
        url: 'http://mimir:8080/prometheus',
        headers: {'x-scope-orgid': 'from-yaml'},
        headersFromEnv: {'X-SCOPE-ORGID': 'TENANT'},
        headerFlags: ['X-Scope-OrgID: from-flag'],
        timeoutSeconds: 30,
      },
      {TENANT: 'from-env'},
    )
    expect(flagged.headers).toEqual({'X-Scope-OrgID': 'from-flag'})
  })
})
