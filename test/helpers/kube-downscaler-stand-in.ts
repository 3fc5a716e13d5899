/**
 * A stand-in for kube-downscaler in the switch-over tests: one scan of its documented rule over a
 * cluster, through the API server over HTTP as kube-downscaler does (GET the objects, PUT the whole
 * object back). kube-downscaler itself (Python) cannot be installed in CI, so this is written from
 * its README's rule, independently of finops's implementation, to check that the two tools read
 * each other's `downscaler/original-replicas`:
 * - up when the time is inside `uptime` and not inside `downtime` (workload annotation, else the
 *   namespace's, else always / never);
 * - in downtime, replicas above `downtime-replicas` (default 0) go to it and the old count is
 *   written to `downscaler/original-replicas`;
 * - in uptime, an object at exactly the downtime count with that annotation goes back to it and the
 *   annotation is removed.
 * `downscaler/exclude` (any value but "false") on the object leaves it alone.
 * CronJobs count as 1 when running and 0 when suspended; HPAs by minReplicas. DaemonSets (scaler.py's
 * get_replicas / scale_down / scale_up) count as 0 when their pod template's nodeSelector carries
 * `kube-downscaler-non-existent`, which scale-down sets to "true" and scale-up removes; they are
 * scanned only when asked for, as kube-downscaler scans them only with `--include-resources daemonsets`;
 * so are Jobs (`jobs`, no admission controller): suspended like CronJobs, except a CronJob's own Jobs.
 * Only weekly rules in
 * UTC (`Mon-Fri 08:00-18:00 UTC`), `always` and `never` are understood: enough for the tests.
 */
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']

function matches(spec: string, at: Date): boolean {
  if (spec === 'always') return true
  if (spec === 'never') return false
  return spec.split(',').some((rule) => {
    const m = /^(\w{3})-(\w{3}) (\d\d):(\d\d)-(\d\d):(\d\d) UTC$/.exec(rule.trim())
    if (!m) throw new Error(`stand-in cannot read '${rule}'`)
    const day = (at.getUTCDay() + 6) % 7
    const from = DAYS.indexOf(m[1]!)
    const to = DAYS.indexOf(m[2]!)
    const dayOk = from <= to ? day >= from && day <= to : day >= from || day <= to
    const minute = at.getUTCHours() * 60 + at.getUTCMinutes()
    return dayOk && minute >= Number(m[3]) * 60 + Number(m[4]) && minute < Number(m[5]) * 60 + Number(m[6])
  })
}

interface Obj {
  kind: string
  metadata: {name: string; namespace: string; annotations?: Record<string, string>; ownerReferences?: unknown[]}
  spec: {
    replicas?: number
    suspend?: boolean
    minReplicas?: number
    template?: {spec?: {nodeSelector?: Record<string, string>}}
  }
}

const NON_EXISTENT = 'kube-downscaler-non-existent'

const KINDS = [
  {path: '/apis/apps/v1/deployments', kind: 'Deployment', base: '/apis/apps/v1', plural: 'deployments'},
  {path: '/apis/apps/v1/statefulsets', kind: 'StatefulSet', base: '/apis/apps/v1', plural: 'statefulsets'},
  {path: '/apis/batch/v1/cronjobs', kind: 'CronJob', base: '/apis/batch/v1', plural: 'cronjobs'},
  {
    path: '/apis/autoscaling/v2/horizontalpodautoscalers',
    kind: 'HorizontalPodAutoscaler',
    base: '/apis/autoscaling/v2',
    plural: 'horizontalpodautoscalers',
  },
]
const DAEMONSETS = {path: '/apis/apps/v1/daemonsets', kind: 'DaemonSet', base: '/apis/apps/v1', plural: 'daemonsets'}
const JOBS = {path: '/apis/batch/v1/jobs', kind: 'Job', base: '/apis/batch/v1', plural: 'jobs'}

/** Runs one scan at `at`; returns the objects it changed as kind/namespace/name. */
export async function kubeDownscalerScan(
  url: string,
  at: Date,
  options: {daemonSets?: boolean; jobs?: boolean} = {},
): Promise<string[]> {
  const get = async (path: string) => (await (await fetch(`${url}${path}`)).json()) as {items: Obj[]}
  const namespaces = new Map(
    (await get('/api/v1/namespaces')).items.map((n) => [n.metadata.name, n.metadata.annotations ?? {}]),
  )
  const changed: string[] = []
  const kinds = [...KINDS, ...(options.daemonSets ? [DAEMONSETS] : []), ...(options.jobs ? [JOBS] : [])]
  for (const k of kinds) {
    for (const obj of (await get(k.path)).items) {
      // A CronJob's Jobs are left to the CronJob (autoscale_resources skips Jobs with ownerReferences).
      if (k.kind === 'Job' && obj.metadata.ownerReferences !== undefined) continue
      const own = obj.metadata.annotations ?? {}
      const ns = namespaces.get(obj.metadata.namespace) ?? {}
      if ((own['downscaler/exclude'] ?? 'false') !== 'false') continue
      const value = (key: string, fallback: string) => own[key] ?? ns[key] ?? fallback
      const isUptime =
        matches(value('downscaler/uptime', 'always'), at) && !matches(value('downscaler/downtime', 'never'), at)
      const downtimeReplicas = Number(value('downscaler/downtime-replicas', '0'))
      const original = own['downscaler/original-replicas'] ? Number(own['downscaler/original-replicas']) : undefined
      const replicas =
        k.kind === 'CronJob' || k.kind === 'Job'
          ? obj.spec.suspend
            ? 0
            : 1
          : k.kind === 'HorizontalPodAutoscaler'
            ? obj.spec.minReplicas!
            : k.kind === 'DaemonSet'
              ? obj.spec.template?.spec?.nodeSelector?.[NON_EXISTENT] !== undefined
                ? 0
                : 1
              : (obj.spec.replicas ?? 1)
      const set = (n: number) => {
        if (k.kind === 'CronJob' || k.kind === 'Job') obj.spec.suspend = n === 0
        else if (k.kind === 'DaemonSet') {
          const pod = (obj.spec.template ??= {}).spec ?? (obj.spec.template.spec = {})
          const selector = {...pod.nodeSelector}
          if (n === 0) selector[NON_EXISTENT] = 'true'
          else delete selector[NON_EXISTENT]
          pod.nodeSelector = selector
        } else if (k.kind === 'HorizontalPodAutoscaler') obj.spec.minReplicas = n
        else obj.spec.replicas = n
      }
      const annotations = {...own}
      if (isUptime && replicas === downtimeReplicas && original !== undefined && original > 0) {
        set(original)
        delete annotations['downscaler/original-replicas']
      } else if (!isUptime && replicas > 0 && replicas > downtimeReplicas) {
        set(downtimeReplicas)
        annotations['downscaler/original-replicas'] = String(replicas)
      } else continue
      obj.metadata.annotations = annotations
      const response = await fetch(
        `${url}${k.base}/namespaces/${obj.metadata.namespace}/${k.plural}/${obj.metadata.name}`,
        {
          method: 'PUT',
          headers: {'Content-Type': 'application/json'},
          body: JSON.stringify(obj),
        },
      )
      if (!response.ok) throw new Error(`stand-in PUT ${obj.metadata.name}: ${response.status}`)
      changed.push(`${k.kind}/${obj.metadata.namespace}/${obj.metadata.name}`)
    }
  }
  return changed.sort()
}
