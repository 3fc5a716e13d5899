import type {ApplyKind} from '../../recommenders/registry.js'
import type {Recommendation} from '../model/recommendation.js'
import {isInDowntime, parseScheduleText, type Schedule, type ScheduleDefaults} from '../../recommenders/schedules.js'
import {targetKey} from '../store/actions.js'
import type {WorkloadObject} from './fields.js'
import type {Candidate} from './plan.js'
import {type ActionRecord, FINOPS_ANNOTATIONS, type SkippedAction, type WorkloadRef} from '../model/action.js'
import {namespaceSelected, type WorkloadFilter} from '../k8s/workload-filter.js'

export interface CandidateInputs {
  recommendations: readonly Recommendation[]
  /** Scale-downs in effect according to the journal. */
  open: ReadonlyMap<string, ActionRecord>
  /** Workloads carrying our annotation (undefined when not listed, e.g. scale-down not selected). */
  scaledDown?: readonly WorkloadObject[]
  kinds: readonly ApplyKind[]
  /** Namespaces (names or globs) and a selector; the selector is checked on the live labels when planning. */
  filter?: WorkloadFilter
  now: Date
  /** Holidays and the default time zone from kubernetes.recommend (a holiday keeps workloads down). */
  scheduleDefaults?: ScheduleDefaults
}

/**
 * What this run may act on, restores first: scheduled scale-downs whose window ended (known from
 * the journal, else from the workload annotations when the store was lost), then recommendations.
 * Pure apart from the clock passed in.
 */
export function buildCandidates(inputs: CandidateInputs): {candidates: Candidate[]; skipped: SkippedAction[]} {
  const inScope = (t: WorkloadRef): boolean => namespaceSelected(inputs.filter?.namespaces, t.namespace)
  const candidates: Candidate[] = []
  const skipped: SkippedAction[] = []
  const restores = new Map<string, Candidate>()
  const seenScheduled = new Set<string>()
  const annotated = new Map(
    (inputs.scaledDown ?? []).map((w) => [
      targetKey({namespace: w.metadata?.namespace ?? '', kind: w.kind ?? '', name: w.metadata?.name ?? ''}),
      w,
    ]),
  )

  const considerRestore = (target: WorkloadRef, scheduleText: string | undefined, source: string): void => {
    const key = targetKey(target)
    if (restores.has(key) || !scheduleText) return
    const schedule = readSchedule(scheduleText, inputs.scheduleDefaults)
    if (typeof schedule === 'string')
      return void skipped.push({kind: 'restore', target, code: 'schedule', reason: schedule})
    if (isInDowntime(schedule, inputs.now)) return
    restores.set(key, {
      kind: 'restore',
      target,
      schedule: scheduleText,
      reason: `downtime window over (${scheduleText}; ${source})`,
    })
  }

  const rest: Candidate[] = []
  for (const rec of inputs.recommendations) {
    if (!inputs.kinds.includes(rec.kind) || !inScope(rec.target)) continue
    const target: WorkloadRef = {namespace: rec.target.namespace, kind: rec.target.kind, name: rec.target.name}
    if (rec.kind === 'scale-down') {
      const scheduleText = rec.proposed.schedule
      const replicas = rec.proposed.replicas ?? 0
      if (!scheduleText) {
        rest.push({kind: 'scale-down', target, recommendation: rec, replicas})
        continue
      }
      const key = targetKey(target)
      seenScheduled.add(key)
      const schedule = readSchedule(scheduleText, inputs.scheduleDefaults)
      if (typeof schedule === 'string') {
        skipped.push({kind: 'scale-down', target, code: 'schedule', reason: schedule})
        continue
      }
      if (isInDowntime(schedule, inputs.now))
        rest.push({kind: 'scale-down', target, recommendation: rec, replicas, schedule: scheduleText})
      else if (inputs.open.has(key) || annotated.has(key))
        considerRestore(target, scheduleText, 'recommendation schedule')
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

  if (inputs.kinds.includes('scale-down')) {
    for (const [key, action] of inputs.open) {
      if (seenScheduled.has(key) || !action.schedule || !inScope(action.target)) continue
      considerRestore(action.target, action.schedule, 'journal')
    }
    for (const [key, workload] of annotated) {
      const target = {
        namespace: workload.metadata?.namespace ?? '',
        kind: workload.kind ?? '',
        name: workload.metadata?.name ?? '',
      }
      if (seenScheduled.has(key) || inputs.open.has(key) || !inScope(target)) continue
      considerRestore(
        target,
        workload.metadata?.annotations?.[FINOPS_ANNOTATIONS.downtimeSchedule],
        'workload annotation',
      )
    }
  }
  candidates.push(...restores.values())
  // Biggest savings first, so the per-run cap keeps the changes that matter most.
  rest.sort((a, b) => savingsOf(b) - savingsOf(a) || targetKey(a.target).localeCompare(targetKey(b.target)))
  candidates.push(...rest)
  return {candidates, skipped}
}

const savingsOf = (c: Candidate): number => (c.kind === 'restore' ? 0 : c.recommendation.monthlySavings)

/**
 * A schedule from its text form ("uptime Mon-Fri 07:30-20:30 Europe/Berlin; downtime ..."), as
 * the recommenders write it and as we keep it in the journal and the workload annotation, with the
 * configured holidays. Returns the problem as a string when it cannot be read.
 */
export function readSchedule(
  text: string,
  defaults: ScheduleDefaults = {holidays: [], timeZone: 'UTC'},
): Schedule | string {
  try {
    return parseScheduleText(text, defaults, 0, 'apply')
  } catch (error) {
    return `schedule '${text}' cannot be read: ${(error as Error).message}`
  }
}
