import type {ApplyConfig} from '../config/sections/apply.js'
import {inputError} from '../errors.js'
import {labelsMatch, namespaceSelected, type WorkloadFilter} from '../k8s/workload-filter.js'
import type {Recommendation} from '../model/recommendation.js'
import {containerKey, insertPending, markFinished, updateResourceVersion} from '../store/actions.js'
import type {Db} from '../store/open.js'
import {ConflictError, statusOf, type WorkloadCluster} from './cluster.js'
import {canonical, extractFields, selectorMatches} from './fields.js'
import {checkClusterLimits, checkHpaUtilization, checkScheduleGuardrails} from './guardrails.js'
import {newActionId, stamp} from './identity.js'
import {hourlyRequest, planPodResize, scheduleProblem} from './resize.js'
import {formatCpu} from '../k8s/quantity.js'
import type {PlannedAction, SkippedAction, WorkloadRef} from '../model/action.js'

/**
 * Applying hour-of-day CPU request schedules: every running pod of a workload whose rightsize carries
 * `proposed.cpuRequestByHour` gets the current UTC hour's request through the pods/resize subresource.
 * Planned with reads only (so a refusal changes nothing), executed journal first like every action.
 */

export interface ResizeInputs {
  recommendations: readonly Recommendation[]
  /** Whether the user accepted this rightsize (applied in the journal, or listed in a reviewed file). */
  approved: (rec: Recommendation) => boolean
  settings: ApplyConfig
  filter?: WorkloadFilter
  now: Date
  /** Pods (containerKey) resized this hour already, with when. */
  resizedThisHour: ReadonlyMap<string, string>
}

export interface PlannedResize {
  /** The workload whose schedule it follows. */
  workload: WorkloadRef & {container: string}
  action: PlannedAction
}

export interface ResizePlan {
  resizes: PlannedResize[]
  skipped: SkippedAction[]
  notes: string[]
}

const label = (t: WorkloadRef & {container?: string}) =>
  `${t.namespace}/${t.kind}/${t.name}${t.container ? `:${t.container}` : ''}`

/** The rightsize recommendations that carry a schedule, in scope of the namespaces. */
const scheduled = (inputs: ResizeInputs): Recommendation[] =>
  inputs.recommendations.filter(
    (r) =>
      r.kind === 'rightsize' &&
      r.target.container !== undefined &&
      r.proposed.cpuRequestByHour !== undefined &&
      namespaceSelected(inputs.filter?.namespaces, r.target.namespace),
  )

/**
 * Plans this hour's resizes with reads only. Refuses the run (one line, nothing changed) when a pod
 * to resize would restart and apply.resize.allowRestart is off, or the cluster does not serve the
 * resize subresource.
 */
export async function planResizes(cluster: WorkloadCluster, inputs: ResizeInputs): Promise<ResizePlan> {
  const plan: ResizePlan = {resizes: [], skipped: [], notes: []}
  const all = scheduled(inputs)
  if (all.length === 0) return plan
  const {settings} = inputs
  if (!settings.resize.enabled) {
    plan.notes.push(
      `${all.length} hour-of-day CPU schedule(s) not applied: in-place pod resize is opt-in (apply.resize.enabled: true; ` +
        'finops cronjob manifest then grants the CronJob pods/resize)',
    )
    return plan
  }
  const waiting = all.filter((r) => !inputs.approved(r))
  if (waiting.length > 0)
    plan.notes.push(
      `${waiting.length} hour-of-day CPU schedule(s) wait for their rightsize to be applied (finops apply --kind rightsize --yes, ` +
        `or a reviewed --recommendations file): ${waiting.map((r) => label({...r.target, container: r.target.container})).join(', ')}`,
    )
  const hour = inputs.now.getUTCHours()
  let budget = settings.resize.maxPods
  for (const rec of all.filter((r) => inputs.approved(r))) {
    const target = {namespace: rec.target.namespace, kind: rec.target.kind, name: rec.target.name}
    const workload = {...target, container: rec.target.container!}
    const skip = (code: string, reason: string) => plan.skipped.push({kind: 'resize', target: workload, code, reason})
    const problem = scheduleProblem(rec.proposed.cpuRequestByHour)
    if (problem) {
      skip('invalid', problem)
      continue
    }
    const live = await cluster.readWorkload(target)
    if (!live) {
      skip('not-found', `${target.kind} ${target.namespace}/${target.name} no longer exists`)
      continue
    }
    if (inputs.filter?.selector && !labelsMatch(inputs.filter.selector, live.metadata?.labels ?? {})) continue
    const ctx = await cluster.readContext(target, live)
    // Pods are not in Git: a GitOps controller does not revert a pod resize, so only exclusions and risk apply.
    const guard =
      checkScheduleGuardrails(ctx, {...settings, allowGitOps: true}, rec.risk.level) ??
      checkHpaUtilization(ctx, ['cpu'])
    if (guard) {
      skip(guard.code, guard.reason)
      continue
    }
    const cores = hourlyRequest(rec.proposed.cpuRequestByHour!, inputs.now)
    const template = ctx.workload.spec?.template?.spec?.containers?.find((c) => c.name === workload.container)
    if (!template) {
      skip('not-found', `container ${workload.container} is not in the pod template`)
      continue
    }
    const requests = {...template.resources?.requests, cpu: formatCpu(cores)}
    const limits = checkClusterLimits(
      ctx,
      {name: workload.container, requests, limits: {...template.resources?.limits}},
      [],
    )
    if (limits) {
      skip(limits.code, `${limits.reason} (the schedule's ${String(hour).padStart(2, '0')}h UTC value)`)
      continue
    }
    const pods = (await cluster.listPods(target.namespace))
      .filter((p) => selectorMatches(live.spec?.selector, p.labels) && p.phase === 'Running' && !p.deleting)
      .sort((a, b) => a.name.localeCompare(b.name))
    // A share of the workload's pods per run (at least one); the rest follow on the next run.
    let share = Math.max(1, Math.ceil(settings.resize.maxPodShare * pods.length))
    for (const pod of pods) {
      const podTarget = {namespace: pod.namespace, kind: 'Pod', name: pod.name, container: workload.container}
      const decision = planPodResize(pod, workload.container, cores, {
        allowRestart: settings.resize.allowRestart,
        hour,
        resizedAt: inputs.resizedThisHour.get(containerKey(podTarget)),
      })
      if (decision.type === 'refuse')
        throw inputError(
          `cannot apply the hour-of-day CPU schedule of ${label(workload)}: ${decision.reason}; nothing was changed`,
          "set the container's resizePolicy for cpu to NotRequired in the template, allow restarts with apply.resize.allowRestart: true, " +
            'or exclude the workload (finops.io/exclude: "true")',
        )
      if (decision.type === 'skip') {
        plan.skipped.push({kind: 'resize', target: podTarget, code: decision.code, reason: decision.reason})
        continue
      }
      if (share <= 0 || budget <= 0) {
        plan.skipped.push({
          kind: 'resize',
          target: podTarget,
          code: 'cap',
          reason:
            share <= 0
              ? `apply.resize.maxPodShare ${settings.resize.maxPodShare} of ${pods.length} pods reached this run; next run`
              : `apply.resize.maxPods ${settings.resize.maxPods} reached this run; next run`,
        })
        continue
      }
      share--
      budget--
      plan.resizes.push({
        workload,
        action: {
          kind: 'resize',
          target: podTarget,
          before: {container: decision.before},
          after: {container: decision.after},
          resourceVersion: pod.resourceVersion,
          recommendationId: rec.id,
          risk: rec.risk.level,
          reason: decision.reason,
        },
      })
    }
  }
  if (plan.resizes.length > 0 && !(await cluster.servesPodResize())) {
    const first = plan.resizes[0]!.workload
    throw inputError(
      `cannot apply the hour-of-day CPU schedule of ${label(first)} (${plan.resizes.length} pod(s) to resize): this cluster does not serve ` +
        'the pods/resize subresource (in-place pod resize needs Kubernetes 1.33 or later); nothing was changed',
      'upgrade the cluster, or turn apply.resize.enabled off to keep only the fixed request (the template)',
    )
  }
  return plan
}

export interface ResizeResult extends PlannedAction {
  id?: string
  status: 'planned' | 'applied' | 'failed' | 'superseded'
  error?: string
}

/**
 * Sends the planned resizes, each journaled before it is sent. A pod gone since planning (replaced,
 * rescheduled) is superseded, not failed: its successor starts with the template's request and is
 * resized on the next run. The node's answer is read back once: Infeasible fails the action (the
 * kubelet never retries it, and neither does apply), Deferred is noted (the kubelet retries it).
 */
export async function executeResizes(
  db: Db,
  cluster: WorkloadCluster,
  resizes: readonly PlannedResize[],
  options: {runId: string; identity: string; conflictRetries: number},
  notes: string[],
): Promise<ResizeResult[]> {
  const out: ResizeResult[] = []
  for (const {action: planned} of resizes) {
    const id = newActionId()
    let action = planned
    insertPending(db, {id, runId: options.runId, identity: options.identity, action, at: stamp()})
    const finish = (status: 'applied' | 'failed' | 'superseded', error?: string): ResizeResult => {
      markFinished(db, id, status, stamp(), error)
      return {...action, id, status, ...(error ? {error} : {})}
    }
    let result: ResizeResult | undefined
    for (let attempt = 0; !result; attempt++) {
      const live = await cluster.readWorkload(action.target).catch((error: unknown) => error as Error)
      if (live instanceof Error) {
        result = finish('failed', live.message)
        break
      }
      if (!live) {
        result = finish('superseded', 'the pod is gone (replaced or deleted); its successor is resized on the next run')
        break
      }
      const current = extractFields(live, action.before)
      if (canonical(current) !== canonical(action.before)) {
        result =
          canonical(current) === canonical(action.after)
            ? finish('applied')
            : finish('superseded', "the pod's resources changed since it was planned; planned again on the next run")
        break
      }
      if (live.metadata?.resourceVersion !== action.resourceVersion) {
        // Status updates by the kubelet move the pod's resourceVersion; the container's resources did not change.
        action = {...action, resourceVersion: live.metadata?.resourceVersion}
        updateResourceVersion(db, id, action.resourceVersion)
      }
      try {
        await cluster.writeFields(action.target, live, action.after)
      } catch (error) {
        if (error instanceof ConflictError && attempt < options.conflictRetries) continue
        const gone =
          statusOf((error as {cause?: unknown}).cause) === 404 &&
          !(await cluster.readPod(action.target.namespace, action.target.name))
        result = gone
          ? finish('superseded', 'the pod is gone (replaced or deleted); its successor is resized on the next run')
          : finish('failed', (error as Error).message)
        break
      }
      const answered = await cluster.readPod(action.target.namespace, action.target.name)
      if (answered?.pending?.reason === 'Infeasible')
        result = finish(
          'failed',
          `the node cannot fit it (PodResizePending Infeasible: ${answered.pending.message}); not retried: the pod keeps its old request`,
        )
      else {
        if (answered?.pending?.reason === 'Deferred')
          notes.push(
            `pod ${action.target.namespace}/${action.target.name}: the node deferred the resize (${answered.pending.message}); the kubelet retries it`,
          )
        result = finish('applied')
      }
    }
    out.push(result)
  }
  return out
}

/** Pods of a plan, for the dry run's listing. */
export const plannedResizes = (plan: ResizePlan): ResizeResult[] =>
  plan.resizes.map((r) => ({...r.action, status: 'planned'}))
