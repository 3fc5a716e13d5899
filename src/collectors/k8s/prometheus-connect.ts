import type {PrometheusConfig} from '../../config/sections/kubernetes.js'
import {usageError} from '../../errors.js'
import {loadKubeAccess} from '../../k8s/kubeconfig.js'
import {PROMETHEUS_INPUTS as I, resolvePrometheusAccess} from './prometheus-access.js'
import {createPrometheusClient, type PrometheusApi} from './prometheus-client.js'
import {discoverPrometheus, type DiscoveredPrometheus} from './prometheus-discovery.js'

/** The Prometheus options a command takes as flags (each overrides its finops.yaml field). */
export interface PrometheusFlags {
  /** A URL, or `auto` to look for a Prometheus Service in the cluster. */
  prometheus?: string
  header?: readonly string[]
  bearerTokenFile?: string
  bearerTokenEnv?: string
  username?: string
  passwordEnv?: string
  caFile?: string
  certFile?: string
  keyFile?: string
  sigv4?: boolean
  sigv4Region?: string
  kubeconfig?: string
  context?: string
}

export interface PrometheusConnection {
  api: PrometheusApi
  /** The URL used (as given, or the discovered in-cluster address). */
  url: string
  discovered?: DiscoveredPrometheus
}

/**
 * The URL from the flag, else $FINOPS_PROMETHEUS_URL, else finops.yaml (the environment ranks above
 * the file, as for every FINOPS_* setting), else discovery when running
 * inside a cluster (or with `--prometheus auto`); then one client for the whole run.
 */
export async function connectPrometheus(
  flags: PrometheusFlags,
  config: PrometheusConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PrometheusConnection> {
  let url = flags.prometheus ?? (env.FINOPS_PROMETHEUS_URL || undefined) ?? config.url
  let discovered: DiscoveredPrometheus | undefined
  const inCluster = Boolean(env.KUBERNETES_SERVICE_HOST)
  if (url === 'auto' || (!url && inCluster && config.discover)) {
    discovered = await discoverPrometheus(
      loadKubeAccess({kubeconfig: flags.kubeconfig, context: flags.context}),
      inCluster,
    )
    url = discovered.url
  }
  if (!url)
    throw usageError(
      'no Prometheus URL',
      (n) =>
        `set ${n(I.url)} to Prometheus' URL (or to auto, to find it in the cluster), or collect usage from metrics-server instead`,
    )
  const access = resolvePrometheusAccess(
    {
      url,
      headerFlags: flags.header,
      headers: config.headers,
      headersFromEnv: config.headersFromEnv,
      bearerTokenFile: flags.bearerTokenFile ?? config.bearerTokenFile,
      bearerTokenEnv: flags.bearerTokenEnv ?? config.bearerTokenEnv,
      defaultBearerTokenEnv: 'FINOPS_PROMETHEUS_TOKEN',
      username: flags.username ?? config.username,
      passwordEnv: flags.passwordEnv ?? config.passwordEnv ?? 'FINOPS_PROMETHEUS_PASSWORD',
      caFile: flags.caFile ?? config.caFile,
      certFile: flags.certFile ?? config.certFile,
      keyFile: flags.keyFile ?? config.keyFile,
      insecureSkipVerify: config.insecureSkipVerify,
      serverName: config.serverName,
      sigv4: flags.sigv4 || flags.sigv4Region !== undefined || config.sigv4 !== undefined,
      sigv4Region: flags.sigv4Region ?? config.sigv4?.region,
      sigv4Service: config.sigv4?.service,
      timeoutSeconds: config.timeoutSeconds,
    },
    env,
  )
  return {api: createPrometheusClient(access), url, discovered}
}
