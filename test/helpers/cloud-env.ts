import path from 'node:path'

/**
 * The environment for a CLI run against the local cloud servers: no real credentials, profile or
 * config of the person running the tests may leak in (HOME and XDG config are the test's own).
 */
export function isolatedCloudEnv(
  dir: string,
  now: string,
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    FINOPS_NOW: now,
    HOME: dir,
    XDG_CONFIG_HOME: path.join(dir, 'xdg'),
    AWS_PROFILE: undefined,
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_CONFIG_FILE: path.join(dir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: undefined,
    AWS_ENDPOINT_URL_COST_EXPLORER: undefined,
    AZURE_CLIENT_ID: undefined,
    AZURE_TENANT_ID: undefined,
    AZURE_CLIENT_SECRET: undefined,
    GOOGLE_APPLICATION_CREDENTIALS: undefined,
    GOOGLE_OAUTH_ACCESS_TOKEN: undefined,
    GOOGLE_CLOUD_PROJECT: undefined,
    GCLOUD_PROJECT: undefined,
    ...extra,
  }
}
