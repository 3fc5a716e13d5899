import {FinopsError, redact} from '../errors.js'
import {type MetricSample, renderPrometheusText} from './metrics.js'

/**
 * Replaces this job/instance's metric group on a Prometheus Pushgateway (PUT, so metrics a run no
 * longer reports do not linger). Bounded: one retry on a 5xx or network error, 10 s per attempt.
 */
export async function pushMetrics(
  baseUrl: string,
  samples: readonly MetricSample[],
  grouping: {job: string; instance: string},
): Promise<{url: string; samples: number}> {
  let url: URL
  try {
    url = new URL(
      `metrics/job/${encodeURIComponent(grouping.job)}/instance/${encodeURIComponent(grouping.instance)}`,
      baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`,
    )
  } catch (error) {
    throw new FinopsError(`--pushgateway ${redact(baseUrl)} is not a URL`, {
      code: 'USAGE',
      exit: 'usage',
      suggestion: 'for example --pushgateway http://pushgateway.monitoring:9091',
      cause: error,
    })
  }
  // fetch refuses URLs with credentials: basic auth (https://user:pass@host) goes into a header instead.
  const headers: Record<string, string> = {'Content-Type': 'text/plain; version=0.0.4'}
  if (url.username || url.password) {
    headers.Authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`
    url.username = ''
    url.password = ''
  }
  const body = renderPrometheusText(samples)
  let lastError = ''
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const response = await fetch(url, {method: 'PUT', body, headers, signal: AbortSignal.timeout(10_000)})
      if (response.ok) return {url: url.toString(), samples: samples.length}
      lastError = `HTTP ${response.status}: ${(await response.text()).trim().slice(0, 200)}`
      if (response.status < 500) break
    } catch (error) {
      lastError = (error as Error).message
    }
  }
  throw new FinopsError(`cannot push metrics to ${redact(url.origin)}: ${redact(lastError)}`, {
    code: 'PUSHGATEWAY',
    exit: 'remote',
    suggestion: 'check --pushgateway / run.pushgateway and that the Pushgateway is reachable',
  })
}
