import type {ApplyConfig} from '../config/sections/apply.js'
import type {ApplyKind} from '../../recommenders/registry.js'
import {redact} from '../errors.js'
import type {Recommendation} from '../model/recommendation.js'
import {
  appliedRightsizes,
  containerKey,
  insertPending,
  markFinished,
  openScaleDowns,
  podResizesSince,
  pendingActions,
  targetKey,
  updatePlan,
  updateResourceVersion,
} from '../store/actions.js'
import type {Db} from '../store/open.js'
import {labelsMatch, namespaceSelected, type WorkloadFilter} from '../k8s/workload-filter.js'
import {actionKindOf, buildCandidates} from './candidates.js'
import {DOWNSCALER_ANNOTATIONS, type ConfiguredSchedule} from '../k8s/downscaler.js'
import {
  isSchedulableKind,
  judgeSchedule,
  podsCouldMatter,
  type ScheduleCandidate,
  type ScheduleSettings,
} from './schedules.js'
import {ConflictError, type WorkloadCluster} from './cluster.js'
import {canonical, extractFields} from './fields.js'
import {newActionId, stamp} from './identity.js'
import {type Candidate, type OpenScaleDown, planCandidate, type PlanDecision} from './plan.js'
import {hourStart} from './resize.js'
import {executeResizes, planResizes, type ResizePlan} from './resize-pass.js'
import type {ActionRecord, ActionStatus, FieldSet, PlannedAction, SkippedAction, WorkloadRef} from '../model/action.js'

/** finops.yaml's schedules, holidays, their time zone and kube-downscaler's defaults (kubernetes.recommend.scaleDown). */
export interface ScheduleConfig {
  configured: readonly ConfiguredSchedule[]
  holidays: readonly string[]
  timeZone: string
  defaultTimeZone?: string
  defaultWeekFrame?: string
}

export interface ApplyOptions {
  settings: ApplyConfig
  kinds: readonly ApplyKind[]
  /** Namespaces (names or globs) and a label selector (checked on each workload's live labels). */
  filter?: WorkloadFilter
  maxActions: number
  /** false: plan only (dry run); nothing is journaled or sent. */
  enforce: boolean
  runId: string
  identity: string
  now: Date
  /** finops.yaml's schedules, holidays and their time zone (kubernetes.recommend.scaleDown). */
  schedules?: ScheduleConfig
  /**
   * Set when the recommendations come from a reviewed file: only the targets it lists with a schedule
   * may be scaled down by one (with at least the downtime replicas it gives); restores still happen.
   */
  scheduleTargets?: ReadonlyMap<string, number>
  /** Rightsize recommendation ids a reviewed file lists: their hour-of-day CPU schedules are approved. */
  approvedSchedules?: ReadonlySet<string>
}

export interface ActionResult extends PlannedAction {
  /** Journal id; absent in a dry run. */
  id?: string
  status: ActionStatus | 'planned'
  error?: string
}

/** A pending journal row found at start (a run that died mid-action) and what it turned out to be. */
export interface RecoveredAction {
  id: string
  status: ActionStatus
  note: string
}

export interface ApplyReport {
  runId: string
  mode: 'dry-run' | 'enforce'
  identity: string
  actions: ActionResult[]
  skipped: SkippedAction[]
  recovered: RecoveredAction[]
  notes: string[]
  summary: {planned: number; applied: number; failed: number; skipped: number; monthlySavingsApplied: number}
}

/**
 * plan -> guardrails -> execute, journal first. For each candidate: read the live workload and its
 * namespace context, plan, and (when enforcing) write the before-state to the journal, then send
 * the change, then mark it applied or failed. A resourceVersion conflict is re-read and re-planned,
 * never overwritten.
 */
export async function applyRecommendations(
  db: Db,
  cluster: WorkloadCluster,
  recommendations: readonly Recommendation[],
  options: ApplyOptions,
): Promise<ApplyReport> {
  // Planned with reads only, before anything else: a refused schedule leaves the store and cluster as they were.
  const resizes = await planScheduleResizes(db, cluster, recommendations, options)
  const recovered = options.enforce ? await recoverPending(db, cluster, options.now) : []
  const open = openScaleDowns(db)
  const scheduleSettings = scheduleSettingsOf(options)
  const pass = options.kinds.includes('scale-down')
    ? await findScheduled(db, cluster, recommendations, options, scheduleSettings)
    : {candidates: [], skipped: [], notes: []}
  const {candidates, skipped} = buildCandidates({
    recommendations,
    scheduled: pass.candidates,
    kinds: options.kinds,
    filter: options.filter,
  })
  skipped.unshift(...pass.skipped)
  const actions: ActionResult[] = []
  let counted = 0
  let unselected = 0

  for (const candidate of candidates) {
    const kind = actionKindOf(candidate)
    const openRecord = open.get(targetKey(candidate.target))
    const openInfo: OpenScaleDown | undefined = openRecord && {
      actionId: openRecord.id,
      originalReplicas: openRecord.before.replicas ?? 1,
      replicas: openRecord.after.replicas ?? 0,
    }
    let decision: PlanDecision
    try {
      decision = await planLive(cluster, candidate, options.settings, openInfo, options.filter, scheduleSettings)
    } catch (error) {
      actions.push({
        kind,
        target: candidate.target,
        before: {},
        after: {},
        reason: 'could not read the workload',
        status: 'failed',
        error: messageOf(error),
      })
      continue
    }
    if (decision.type === 'skip' && decision.code === 'unselected') {
      unselected++
      continue
    }
    if (decision.type === 'skip') {
      skipped.push({kind, target: candidate.target, code: decision.code, reason: decision.reason})
      continue
    }
    // Restores undo a scale-down and are never held back by the cap.
    if (decision.action.kind !== 'restore') {
      if (counted >= options.maxActions) {
        skipped.push({
          kind,
          target: candidate.target,
          code: 'cap',
          reason: `cap of ${options.maxActions} changes per run reached (--max-actions / apply.maxActions)`,
        })
        continue
      }
      counted++
    }
    if (!options.enforce) {
      actions.push({...decision.action, status: 'planned'})
      continue
    }
    actions.push(await execute(db, cluster, candidate, decision.action, openInfo, options))
  }

  actions.push(...(await applyResizes(db, cluster, resizes, actions, skipped, options)))
  const applied = actions.filter((a) => a.status === 'applied')
  return {
    runId: options.runId,
    mode: options.enforce ? 'enforce' : 'dry-run',
    identity: options.identity,
    actions,
    skipped,
    recovered,
    notes: [
      ...pass.notes,
      ...resizes.notes,
      ...(unselected > 0
        ? [
            `${unselected} candidate(s) left alone: their labels do not match the selector ${options.filter?.selector?.text}`,
          ]
        : []),
    ],
    summary: {
      planned: actions.length,
      applied: applied.length,
      failed: actions.filter((a) => a.status === 'failed').length,
      skipped: skipped.length,
      monthlySavingsApplied: applied.reduce((sum, a) => sum + (a.monthlySavings ?? 0), 0),
    },
  }
}

/** This hour's pod resizes for the approved hour-of-day CPU schedules (when rightsize is selected). */
export async function planScheduleResizes(
  db: Db,
  cluster: WorkloadCluster,
  recommendations: readonly Recommendation[],
  options: ApplyOptions,
): Promise<ResizePlan> {
  if (!options.kinds.includes('rightsize')) return {resizes: [], skipped: [], notes: []}
  const accepted = appliedRightsizes(db)
  return planResizes(cluster, {
    recommendations,
    approved: (rec) => options.approvedSchedules?.has(rec.id) === true || accepted.has(containerKey(rec.target)),
    settings: options.settings,
    filter: options.filter,
    now: options.now,
    resizedThisHour: podResizesSince(db, hourStart(options.now).toISOString()),
  })
}

/**
 * Sends (or lists, in a dry run) the planned resizes, except for containers whose template this run
 * changes: their pods are being replaced, and the new ones are resized on the next run.
 */
async function applyResizes(
  db: Db,
  cluster: WorkloadCluster,
  plan: ResizePlan,
  actions: readonly ActionResult[],
  skipped: SkippedAction[],
  options: ApplyOptions,
): Promise<ActionResult[]> {
  const rolling = new Set(
    actions
      .filter((a) => a.kind === 'rightsize' && (a.status === 'planned' || a.status === 'applied'))
      .map((a) => containerKey(a.target)),
  )
  skipped.push(...plan.skipped)
  const go = plan.resizes.filter((r) => {
    if (!rolling.has(containerKey(r.workload))) return true
    skipped.push({
      kind: 'resize',
      target: r.action.target,
      code: 'template',
      reason: `the template of ${r.workload.kind} ${r.workload.name} changes this run (rightsize): its new pods are resized from the next run`,
    })
    return false
  })
  if (!options.enforce) return go.map((r) => ({...r.action, status: 'planned'}))
  return executeResizes(
    db,
    cluster,
    go,
    {runId: options.runId, identity: options.identity, conflictRetries: options.settings.conflictRetries},
    plan.notes,
  )
}

async function planLive(
  cluster: WorkloadCluster,
  candidate: Candidate,
  settings: ApplyConfig,
  open: OpenScaleDown | undefined,
  filter: WorkloadFilter | undefined,
  schedules: ScheduleSettings,
): Promise<PlanDecision> {
  const workload = await cluster.readWorkload(candidate.target)
  if (!workload)
    return {
      type: 'skip',
      code: 'not-found',
      reason: `${candidate.target.kind} ${candidate.target.namespace}/${candidate.target.name} no longer exists`,
    }
  // The selector is judged on the live labels: the stored inventory may be older than a relabel.
  if (filter?.selector && !labelsMatch(filter.selector, workload.metadata?.labels ?? {}))
    return {type: 'skip', code: 'unselected', reason: `labels do not match ${filter.selector.text}`}
  const ctx = await cluster.readContext(candidate.target, workload)
  return planCandidate(candidate, ctx, settings, open, schedules)
}

/** Journal, send, mark; on a conflict re-read, re-plan and retry a bounded number of times. */
async function execute(
  db: Db,
  cluster: WorkloadCluster,
  candidate: Candidate,
  first: PlannedAction,
  open: OpenScaleDown | undefined,
  options: ApplyOptions,
): Promise<ActionResult> {
  const id = newActionId()
  let action = first
  insertPending(db, {id, runId: options.runId, identity: options.identity, action, at: stamp()})
  const written = new Set<keyof FieldSet>()
  for (let attempt = 0; ; attempt++) {
    try {
      const live = await cluster.readWorkload(action.target)
      if (!live)
        throw new Error(`${action.target.kind} ${action.target.namespace}/${action.target.name} no longer exists`)
      if (live.metadata?.resourceVersion !== action.resourceVersion) {
        // Controllers bump resourceVersion on every status update; only a change to our fields is a conflict.
        if (written.size > 0 || canonical(extractFields(live, action.before)) !== canonical(action.before))
          throw new ConflictError(action.target)
        action = {...action, resourceVersion: live.metadata?.resourceVersion}
        updateResourceVersion(db, id, action.resourceVersion)
      }
      await cluster.writeFields(action.target, live, action.after, (keys) => keys.forEach((k) => written.add(k)))
      markFinished(db, id, 'applied', stamp())
      return {...action, id, status: 'applied'}
    } catch (error) {
      if (!(error instanceof ConflictError)) {
        const message = messageOf(error)
        markFinished(db, id, 'failed', stamp(), message)
        return {...action, id, status: 'failed', error: message}
      }
      if (attempt >= options.settings.conflictRetries) {
        const message = `${error.message}; gave up after ${attempt + 1} attempts`
        markFinished(db, id, 'failed', stamp(), message)
        return {...action, id, status: 'failed', error: message}
      }
      let decision: PlanDecision
      try {
        decision = await planLive(
          cluster,
          candidate,
          options.settings,
          open,
          options.filter,
          scheduleSettingsOf(options),
        )
      } catch (readError) {
        const message = messageOf(readError)
        markFinished(db, id, 'failed', stamp(), message)
        return {...action, id, status: 'failed', error: message}
      }
      if (decision.type === 'skip') {
        const note = `re-planned after a concurrent change: ${decision.reason}`
        markFinished(db, id, 'superseded', stamp(), note)
        return {...action, id, status: 'superseded', error: note}
      }
      // Fields we already wrote keep the journal's before value: the fresh read shows our own write.
      const before: FieldSet = {...decision.action.before}
      for (const key of written) (before as Record<string, unknown>)[key] = action.before[key]
      action = {...decision.action, before}
      updatePlan(db, id, action)
    }
  }
}

/**
 * Pending rows are actions whose run died between the journal write and the final mark. The live
 * state tells what happened: already the after-state (applied), still the before-state (nothing
 * was sent), or in between (a rollback restores the before-state).
 */
export async function recoverPending(db: Db, cluster: WorkloadCluster, _now: Date): Promise<RecoveredAction[]> {
  const out: RecoveredAction[] = []
  for (const row of pendingActions(db)) {
    const live = await cluster.readWorkload(row.target)
    let status: ActionStatus
    let note: string
    if (!live) {
      status = 'failed'
      note = 'interrupted; the workload no longer exists'
    } else {
      const now = extractFields(live, row.after)
      if (canonical(now) === canonical(row.after)) {
        status = 'applied'
        note = 'interrupted after the change was made; confirmed from the live state'
      } else if (canonical(now) === canonical(row.before)) {
        status = 'failed'
        note = 'interrupted before the change was sent; nothing changed'
      } else {
        status = 'failed'
        note = `interrupted mid-change; run finops rollback ${row.id} --yes to restore the before-state`
      }
    }
    markFinished(
      db,
      row.id,
      status as Exclude<ActionStatus, 'pending' | 'rolled-back'>,
      stamp(),
      status === 'applied' ? undefined : note,
    )
    out.push({id: row.id, status, note})
  }
  return out
}

function scheduleSettingsOf(options: ApplyOptions): ScheduleSettings {
  return {
    configured: options.schedules?.configured ?? [],
    defaults: {
      holidays: options.schedules?.holidays ?? [],
      timeZone: options.schedules?.timeZone ?? 'UTC',
      defaultTimeZone: options.schedules?.defaultTimeZone,
      defaultWeekFrame: options.schedules?.defaultWeekFrame,
      gracePeriodSeconds: options.settings.schedules.gracePeriodMinutes * 60,
    },
    now: options.now,
  }
}

/**
 * The schedule pass, as kube-downscaler runs it: every object of apply.schedules.kinds in scope is
 * judged on its live annotations and its namespace's; those to scale down or back up become
 * candidates. Unreadable annotations and other problems the owner should fix are reported as skips.
 */
async function findScheduled(
  db: Db,
  cluster: WorkloadCluster,
  recommendations: readonly Recommendation[],
  options: ApplyOptions,
  settings: ScheduleSettings,
): Promise<{candidates: ScheduleCandidate[]; skipped: SkippedAction[]; notes: string[]}> {
  const notes: string[] = []
  const skipped: SkippedAction[] = []
  const patterns = options.filter?.namespaces
  const listed = await cluster.listSchedulable(options.settings.schedules.kinds, exactNamespaces(patterns))
  if (listed.missingKinds.length > 0)
    notes.push(`${listed.missingKinds.join(', ')}: not served by this cluster (no CRD), nothing of that kind to scale`)
  const journal = openScaleDowns(db)
  const recs = new Map(
    recommendations
      .filter((r) => r.kind === 'scale-down' && r.proposed.schedule !== undefined)
      .map((r) => [targetKey(r.target), r]),
  )
  const judged = listed.objects
    .filter(
      (o) =>
        isSchedulableKind(o.kind) &&
        namespaceSelected(patterns, o.metadata?.namespace ?? '') &&
        (!options.filter?.selector || labelsMatch(options.filter.selector, o.metadata?.labels ?? {})),
    )
    .map((object) => {
      const target: WorkloadRef = {
        namespace: object.metadata?.namespace ?? '',
        kind: object.kind!,
        name: object.metadata?.name ?? '',
      }
      const key = targetKey(target)
      const namespaceAnnotations = listed.namespaces.get(target.namespace)?.annotations ?? {}
      const minDowntimeReplicas = options.scheduleTargets?.get(key)
      const judge = (podsForceUptime: boolean) =>
        judgeSchedule(object, namespaceAnnotations, settings, {podsForceUptime, minDowntimeReplicas})
      return {target, key, namespaceAnnotations, minDowntimeReplicas, judge, result: judge(false), pods: false}
    })
  // Pods forcing uptime only matter to a scale-down: the pod list is read only then.
  if (judged.some((j) => podsCouldMatter(j.result))) {
    const pods = (await cluster.listPodsForcingUptime(exactNamespaces(patterns))).filter((p) =>
      namespaceSelected(patterns, p.split('/')[0]!),
    )
    if (pods.length > 0) {
      notes.push(
        `pod ${pods[0]}${pods.length > 1 ? ` (and ${pods.length - 1} more)` : ''} is ` +
          `annotated ${DOWNSCALER_ANNOTATIONS.forceUptime}: "true": scheduled workloads stay up`,
      )
      for (const j of judged) {
        j.pods = true
        j.result = j.judge(true)
      }
    }
  }
  const candidates: ScheduleCandidate[] = []
  for (const j of judged) {
    const {decision} = j.result
    if (decision.action === 'none') {
      if (['schedule', 'invalid', 'grace'].includes(decision.code))
        skipped.push({kind: 'scale-down', target: j.target, code: decision.code, reason: decision.why})
      continue
    }
    const openRow = journal.get(j.key)
    candidates.push({
      kind: 'schedule',
      target: j.target,
      namespaceAnnotations: j.namespaceAnnotations,
      podsForceUptime: j.pods,
      journal: openRow && openRow.schedule !== undefined ? {actionId: openRow.id} : undefined,
      recommendation: recs.get(j.key),
      mayScaleDown: !options.scheduleTargets || options.scheduleTargets.has(j.key),
      minDowntimeReplicas: j.minDowntimeReplicas,
      decision,
    })
  }
  return {candidates, skipped, notes}
}

/** Plain namespace names can be listed namespace by namespace; any glob means listing all and filtering. */
const exactNamespaces = (patterns: readonly string[] | undefined): readonly string[] | undefined =>
  patterns && patterns.every((p) => !/[*?]/.test(p)) ? patterns : undefined

export const messageOf = (error: unknown): string => redact(error instanceof Error ? error.message : String(error))

export type {ActionRecord}
