import {describe, expect, it} from 'vitest'

import {azureTarget} from '../../../src/collectors/azure/clouds.js'

describe('azureTarget: the endpoint and token audience of each Azure cloud', () => {
  it('public by default', () => {
    expect(azureTarget(undefined, undefined)).toEqual({
      endpoint: 'https://management.azure.com',
      tokenScope: 'https://management.azure.com/.default',
    })
  })

  it('a sovereign cloud by name: its Resource Manager, audience and sign-in host', () => {
    expect(azureTarget('china', undefined)).toEqual({
      endpoint: 'https://management.chinacloudapi.cn',
      tokenScope: 'https://management.chinacloudapi.cn/.default',
      authorityHost: 'https://login.chinacloudapi.cn',
    })
    expect(azureTarget('usgov', undefined).tokenScope).toBe('https://management.usgovcloudapi.net/.default')
  })

  it("a sovereign cloud's endpoint alone gives its audience and sign-in host", () => {
    expect(azureTarget(undefined, 'https://management.usgovcloudapi.net/')).toEqual({
      endpoint: 'https://management.usgovcloudapi.net',
      tokenScope: 'https://management.usgovcloudapi.net/.default',
      authorityHost: 'https://login.microsoftonline.us',
    })
  })

  it('a private endpoint with a named cloud keeps the cloud as audience', () => {
    expect(azureTarget('china', 'https://arm.internal.example:8443/')).toEqual({
      endpoint: 'https://arm.internal.example:8443',
      tokenScope: 'https://management.chinacloudapi.cn/.default',
      authorityHost: 'https://login.chinacloudapi.cn',
    })
  })
})
