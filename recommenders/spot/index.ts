import type {RecommenderEntry} from '../entry.js'
import {recommendSpot, SPOT} from './recommend.js'

/** Stateless replicated workloads that pass the eligibility checklist, to spot capacity. */
export const spot: RecommenderEntry<true> = {
  reads: 'workloads',
  idPrefix: SPOT.idPrefix,
  runOrder: 3,
  summary: 'stateless replicated workloads that pass the eligibility checklist, to spot capacity',
  recommend: recommendSpot,
  applies: true,
  describeChange: ({current: c, proposed: p}) =>
    `${c.capacityType ?? 'on-demand'} -> ${p.capacityType ?? 'spot'} (${c.replicas ?? '?'} replicas)`,
}
