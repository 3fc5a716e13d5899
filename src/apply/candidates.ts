import {type ApplyKind, isSelectedApplyKind} from '../../recommenders/registry.js'
import type {Recommendation} from '../model/recommendation.js'
import {targetKey} from '../store/actions.js'
import {namespaceSelected, type WorkloadFilter} from '../k8s/workload-filter.js'
import type {Candidate} from './plan.js'
import type {ScheduleCandidate} from './schedules.js'
import type {SkippedAction, WorkloadRef} from '../model/action.js'

export interface CandidateInputs {
  recommendations: readonly Recommendation[]
  /** Objects the schedule pass found to scale down or back up (empty when scale-down is not selected). */
  scheduled: readonly ScheduleCandidate[]
  kinds: readonly ApplyKind[]
  /** Namespaces (names or globs) and a selector; the selector is checked on the live labels when planning. */
  filter?: WorkloadFilter
}

/**
 * What this run may act on, restores first (scale-ups at the end of a downtime, by either tool, never
 * held back by the cap), then scheduled scale-downs and recommendations, biggest savings first.
 * Scheduled scale-down recommendations are not candidates of their own: the schedule pass judges the
 * live object and carries the recommendation's savings. Pure.
 */
export function buildCandidates(inputs: CandidateInputs): {candidates: Candidate[]; skipped: SkippedAction[]} {
  const inScope = (t: WorkloadRef): boolean => namespaceSelected(inputs.filter?.namespaces, t.namespace)
  const skipped: SkippedAction[] = []
  const restores: Candidate[] = []
  const rest: Candidate[] = []
  for (const c of inputs.scheduled) {
    if (!inScope(c.target)) continue
    if (c.decision.action === 'up' || c.decision.action === 'forget') restores.push(c)
    else rest.push(c)
  }
  for (const rec of inputs.recommendations) {
    if (!isSelectedApplyKind(inputs.kinds, rec.kind) || !inScope(rec.target)) continue
    const target: WorkloadRef = {namespace: rec.target.namespace, kind: rec.target.kind, name: rec.target.name}
    if (rec.kind === 'scale-down') {
      if (rec.proposed.schedule) continue
      rest.push({kind: 'scale-down', target, recommendation: rec, replicas: rec.proposed.replicas ?? 0})
    } else if (rec.kind === 'rightsize') {
      if (!rec.target.container) {
        skipped.push({kind: 'rightsize', target, code: 'invalid', reason: 'the recommendation names no container'})
        continue
      }
      rest.push({kind: 'rightsize', target: {...target, container: rec.target.container}, recommendation: rec})
    } else if (rec.kind === 'spot') {
      if (rec.proposed.capacityType !== 'spot') continue
      rest.push({kind: 'spot', target, recommendation: rec})
    }
  }
  restores.sort((a, b) => targetKey(a.target).localeCompare(targetKey(b.target)))
  // Biggest savings first, so the per-run cap keeps the changes that matter most.
  rest.sort((a, b) => savingsOf(b) - savingsOf(a) || targetKey(a.target).localeCompare(targetKey(b.target)))
  return {candidates: [...restores, ...rest], skipped}
}

const savingsOf = (c: Candidate): number => c.recommendation?.monthlySavings ?? 0

/** The kind a candidate's action is journaled as. */
export const actionKindOf = (c: Candidate): 'scale-down' | 'rightsize' | 'spot' | 'restore' =>
  c.kind === 'schedule' ? (c.decision.action === 'down' ? 'scale-down' : 'restore') : c.kind
