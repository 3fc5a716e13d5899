/**
 * The Azure clouds finops can collect from. Each cloud has its own Resource Manager endpoint, and a
 * token is only accepted by the Resource Manager whose URL is the token's audience, so the audience
 * follows the cloud (or the endpoint), never a fixed public-cloud URL.
 */
export const AZURE_CLOUDS = {
  public: {resourceManager: 'https://management.azure.com', authorityHost: 'https://login.microsoftonline.com'},
  china: {resourceManager: 'https://management.chinacloudapi.cn', authorityHost: 'https://login.chinacloudapi.cn'},
  usgov: {resourceManager: 'https://management.usgovcloudapi.net', authorityHost: 'https://login.microsoftonline.us'},
} as const

export type AzureCloudName = keyof typeof AZURE_CLOUDS
export const AZURE_CLOUD_NAMES = Object.keys(AZURE_CLOUDS) as AzureCloudName[]

export interface AzureTarget {
  /** Where the Cost Management queries go. */
  endpoint: string
  /** The token scope: the Resource Manager's audience plus `/.default`. */
  tokenScope: string
  /** Microsoft Entra ID's host for the cloud, when it is not the public cloud's. */
  authorityHost?: string
}

/**
 * Where to send queries and which token to ask for. A named cloud gives both (an endpoint given as
 * well is a private route to that cloud's Resource Manager, so the audience stays the cloud's).
 * An endpoint alone is its own audience, which is what a sovereign cloud's Resource Manager
 * expects. Neither means the public cloud.
 */
export function azureTarget(cloud: AzureCloudName | undefined, endpoint: string | undefined): AzureTarget {
  const named = cloud ? AZURE_CLOUDS[cloud] : undefined
  const url = (endpoint ?? named?.resourceManager ?? AZURE_CLOUDS.public.resourceManager).replace(/\/+$/, '')
  const audience = named?.resourceManager ?? new URL(url).origin
  const authorityHost = named && cloud !== 'public' ? named.authorityHost : authorityOfEndpoint(url)
  return {endpoint: url, tokenScope: `${audience}/.default`, ...(authorityHost ? {authorityHost} : {})}
}

/** The Entra ID host of a sovereign cloud's well-known Resource Manager endpoint, if it is one. */
function authorityOfEndpoint(url: string): string | undefined {
  const origin = new URL(url).origin
  for (const [name, known] of Object.entries(AZURE_CLOUDS))
    if (name !== 'public' && known.resourceManager === origin) return known.authorityHost
  return undefined
}
