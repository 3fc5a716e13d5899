import {formatCpu, formatMemory} from '../../src/k8s/quantity.js'
import {longRunningContainers, workloadKeyId} from '../../src/model/k8s.js'
import type {RecommenderEntry} from '../entry.js'
import {recommendRightsizing, RIGHTSIZE} from './recommend.js'

const cpu = (v: number | undefined) => (v === undefined ? 'none' : formatCpu(v))
const mem = (v: number | undefined) => (v === undefined ? 'none' : formatMemory(v))
const change = (label: string, from: string, to: string): string | undefined =>
  from === to ? undefined : `${label} ${from} -> ${to}`

/** A request by hour as its range and the UTC hours of its busiest level: `250m-1200m by hour (1200m 02-04h UTC)`. */
export function describeByHour(hourly: readonly number[]): string {
  const high = Math.max(...hourly)
  const low = Math.min(...hourly)
  const busy = hourly.map((v, h) => (v === high ? h : -1)).filter((h) => h >= 0)
  const spans: string[] = []
  for (let i = 0; i < busy.length; i++) {
    const start = busy[i]!
    while (i + 1 < busy.length && busy[i + 1] === busy[i]! + 1) i++
    spans.push(`${pad(start)}-${pad(busy[i]! + 1)}h`)
  }
  return `${cpu(low)}-${cpu(high)} by hour (${cpu(high)} ${spans.join(', ')} UTC)`
}
const pad = (h: number): string => String(h).padStart(2, '0')

/** CPU/memory requests and memory limits per container, from usage percentiles and peaks. */
export const rightsize: RecommenderEntry<true> = {
  reads: 'workloads',
  idPrefix: RIGHTSIZE.idPrefix,
  runOrder: 1,
  summary: 'CPU/memory requests and memory limits from usage percentiles and peaks, with margins and OOM history',
  recommend: recommendRightsizing,
  applies: true,
  describeChange: ({current: c, proposed: p}) => {
    const parts = [
      p.cpuRequestByHour
        ? `cpu ${cpu(c.cpuRequest)} -> ${describeByHour(p.cpuRequestByHour)}`
        : change('cpu', cpu(c.cpuRequest), cpu(p.cpuRequest)),
      change('cpu limit', cpu(c.cpuLimit), cpu(p.cpuLimit)),
      change('mem', mem(c.memoryRequest), mem(p.memoryRequest)),
      change('mem limit', mem(c.memoryLimit), mem(p.memoryLimit)),
    ].filter((s): s is string => s !== undefined)
    return parts.length > 0 ? parts.join(', ') : 'no change'
  },
  // Per-replica requests of each rightsized workload: proposed where a container changes, current elsewhere.
  plan: (input, proposed, planned) => {
    const byContainer = new Map(
      proposed.map((r) => [
        `${workloadKeyId({...r.target, cluster: r.target.cluster ?? ''})}/${r.target.container}`,
        r,
      ]),
    )
    for (const w of input.inventory.workloads) {
      const key = workloadKeyId(w)
      let cores = 0
      let bytes = 0
      let changed = false
      for (const c of longRunningContainers(w)) {
        const rec = byContainer.get(`${key}/${c.name}`)
        if (rec) changed = true
        // A request by hour of day reserves its time-weighted mean.
        const byHour = rec?.proposed.cpuRequestByHour
        cores += byHour
          ? byHour.reduce((s, v) => s + v, 0) / byHour.length
          : (rec?.proposed.cpuRequest ?? c.requests.cpu ?? 0)
        bytes += rec?.proposed.memoryRequest ?? c.requests.memory ?? 0
      }
      if (changed) planned.requests.set(key, {cores, bytes})
    }
  },
}
