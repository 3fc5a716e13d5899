import {workloadKeyId} from '../../src/model/k8s.js'
import type {RecommenderEntry} from '../entry.js'
import {recommendScaleDown, SCALE_DOWN} from './recommend.js'

/** Idle workloads to zero, and off-hours downtime from kube-downscaler annotations or finops.yaml. */
export const scaleDown: RecommenderEntry<true> = {
  reads: 'workloads',
  idPrefix: SCALE_DOWN.idPrefix,
  runOrder: 2,
  summary: 'idle workloads, and off-hours schedules from kube-downscaler annotations or finops.yaml',
  recommend: recommendScaleDown,
  applies: true,
  describeChange: ({current: c, proposed: p}) =>
    p.schedule
      ? `${c.replicas} -> ${p.replicas} replicas in downtime (${p.schedule})`
      : `${c.replicas} -> ${p.replicas} replicas (idle)`,
  plan: (_input, proposed, planned) => {
    for (const r of proposed) {
      const key = workloadKeyId({...r.target, cluster: r.target.cluster ?? ''})
      if (r.proposed.schedule === undefined) planned.idle.add(key)
      else
        planned.downtime.set(
          key,
          (r.evidence.percentiles?.downtimeShare ?? 0) *
            (((r.current.replicas ?? 0) - (r.proposed.replicas ?? 0)) / Math.max(1, r.current.replicas ?? 1)),
        )
    }
  },
  // Rightsizing a workload proposed for scale to zero would count its savings twice.
  supersedes: (earlier, planned) =>
    earlier.kind === 'rightsize' &&
    planned.idle.has(workloadKeyId({...earlier.target, cluster: earlier.target.cluster ?? ''}))
      ? 'superseded: idle, proposed for scale to zero in this run'
      : undefined,
}
