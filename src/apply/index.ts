import {APPLY_KINDS, type ApplyKind, isSelectedApplyKind} from '../../recommenders/registry.js'
import type {FinopsConfig} from '../config/index.js'
import {inputError, isFinopsError} from '../errors.js'
import {priceLookupFromStore, recommendFromStore} from '../recommend/from-store.js'
import {recommendSettingsFrom} from '../../recommenders/settings.js'
import type {Recommendation} from '../model/recommendation.js'
import {targetKey} from '../store/actions.js'
import {listSnapshots, readInventory} from '../store/k8s-inventory.js'
import {lastRecommendationRun, listRecommendations} from '../store/recommendations.js'
import {usageRange} from '../store/usage.js'
import type {Db} from '../store/open.js'
import {namespaceSelected, type WorkloadFilter} from '../k8s/workload-filter.js'
import {KubernetesCluster} from './cluster.js'
import {addDays, toDay} from '../dates.js'
import {clusterName, loadKubeAccess} from '../k8s/kubeconfig.js'
import {preflightEntries, repriceEntries, type ReviewedEntry} from './reviewed.js'
import {
  applyRecommendations,
  type ApplyOptions,
  type ApplyReport,
  planScheduleResizes,
  type ScheduleConfig,
} from './execute.js'
import {newRunId, resolveIdentity} from './identity.js'

export interface ApplyRequest {
  config: FinopsConfig
  kinds?: readonly ApplyKind[]
  /** Namespaces (names or globs) and a label selector. */
  filter?: WorkloadFilter
  maxActions?: number
  /** --yes: apply even when apply.mode is dry-run. */
  yes?: boolean
  runId?: string
  /** "Now" for schedules, the journal and run ids (FINOPS_NOW pins it). */
  now: Date
  /** Recommendations to apply instead of the store's latest (an empty list: none, only schedules). */
  recommendations?: readonly Recommendation[]
  /**
   * A reviewed recommendations file (readReviewedFile): checked against the live cluster before
   * anything changes, repriced from the store; schedules then scale down only what it lists.
   */
  reviewed?: {file: string; entries: readonly ReviewedEntry[]; checked?: readonly Recommendation[]}
}

/**
 * `finops apply` and the apply step of `finops run`: the recommendations (the store's latest, or
 * recomputed from the store when the inventory or usage is newer than them, or the given ones) for
 * this cluster, and the schedules judged on the live cluster, through the planner and guardrails,
 * applied when enforcing.
 */
export async function applyFromStore(db: Db, request: ApplyRequest): Promise<ApplyReport> {
  const {actuator, recommendations, options, notes, elsewhere, cluster} = await prepareApply(db, request)
  const report = await applyRecommendations(db, actuator, recommendations, options)
  if (elsewhere > 0) notes.push(`${elsewhere} recommendation(s) for other clusters left alone (this is ${cluster})`)
  report.notes.unshift(...notes)
  return report
}

/**
 * Plans this hour's pod resizes (hour-of-day CPU schedules) with reads only: `finops apply --yes` calls
 * it before taking the run lock, so a refused schedule (no resize subresource, a restart not allowed)
 * leaves the store and the cluster as they were.
 */
export async function checkResizes(db: Db, request: ApplyRequest): Promise<void> {
  const {actuator, recommendations, options} = await prepareApply(db, request)
  await planScheduleResizes(db, actuator, recommendations, options)
}

/** The cluster, the recommendations in scope and the options of one apply run (reads only). */
async function prepareApply(db: Db, request: ApplyRequest) {
  const {config} = request
  const access = loadKubeAccess({kubeconfig: config.kubernetes.kubeconfig, context: config.kubernetes.context})
  const {kc} = access
  const cluster = clusterName(access, config.kubernetes.cluster)
  const kinds = request.kinds ?? config.apply.kinds
  const settings = recommendSettingsFrom(config.kubernetes)
  const notes: string[] = []
  const actuator = new KubernetesCluster(kc)
  const schedules = {
    configured: settings.scaleDown.schedules,
    holidays: settings.scaleDown.holidays,
    timeZone: settings.scaleDown.timeZone,
    defaultTimeZone: settings.scaleDown.defaultTimeZone,
    defaultWeekFrame: settings.scaleDown.defaultWeekFrame,
  }
  const given = request.reviewed
    ? (request.reviewed.checked ?? (await checkedReviewed(db, actuator, request, cluster, kinds, schedules)))
    : (request.recommendations ?? currentRecommendations(db, request, cluster, kinds, notes))
  const all = given.filter((r) => namespaceSelected(request.filter?.namespaces, r.target.namespace))
  const recommendations = all.filter((r) => !r.target.cluster || r.target.cluster === cluster)
  const scheduleTargets = request.reviewed
    ? new Map(
        recommendations
          .filter((r) => r.kind === 'scale-down' && r.proposed.schedule !== undefined)
          .map((r) => [targetKey(r.target), r.proposed.replicas ?? 0]),
      )
    : undefined
  // A reviewed file is the user's approval of the hour-of-day CPU schedules it lists.
  const approvedSchedules = request.reviewed
    ? new Set(recommendations.filter((r) => r.proposed.cpuRequestByHour !== undefined).map((r) => r.id))
    : undefined
  const options: ApplyOptions = {
    settings: config.apply,
    kinds,
    filter: request.filter,
    maxActions: request.maxActions ?? config.apply.maxActions,
    enforce: Boolean(request.yes) || config.apply.mode === 'enforce',
    runId: request.runId ?? newRunId(request.now),
    identity: resolveIdentity(kc),
    now: request.now,
    schedules,
    scheduleTargets,
    approvedSchedules,
  }
  return {actuator, recommendations, options, notes, elsewhere: all.length - recommendations.length, cluster}
}

/**
 * The recommendations to plan from: the stored set, unless `collect k8s` or `collect usage` ran
 * after it (or there is none), when they are computed again from the store for this run (not
 * saved: `finops recommend` is where a set is reviewed and kept). Says what is missing when nothing
 * can be computed.
 */
function currentRecommendations(
  db: Db,
  request: ApplyRequest,
  cluster: string,
  kinds: readonly ApplyKind[],
  notes: string[],
): Recommendation[] {
  const stored = listRecommendations(db, {kinds: [...kinds]})
  const snapshot = listSnapshots(db).find((s) => s.cluster === cluster)
  const last = lastRecommendationRun(db)
  if (!snapshot) {
    if (last) return stored
    const others = listSnapshots(db).map((s) => s.cluster)
    const missing = `no recommendations and no inventory of cluster ${cluster} in the store${others.length > 0 ? ` (it holds ${others.join(', ')})` : ''}`
    if (!kinds.includes('scale-down'))
      throw inputError(missing, 'run finops collect k8s and finops collect usage, then finops recommend')
    notes.push(
      `${missing}: only schedules (kube-downscaler annotations, finops.yaml) were judged; run finops collect k8s and collect usage for rightsizing, ` +
        `spot and idle scale-down`,
    )
    return []
  }
  const usage = usageRange(db)
  // A snapshot taken at the same instant as the stored set (one FINOPS_NOW pinned for a whole
  // pipeline) may have been taken after it: the order cannot be told, so plan from current data.
  const newer =
    !last ||
    snapshot.collectedAt >= last.createdAt ||
    (usage !== undefined && (last.windowEnd === undefined || usage.last > last.windowEnd))
  if (!newer) return stored
  try {
    const fresh = recommendFromStore(db, recommendSettingsFrom(request.config.kubernetes), request.config.kubernetes, {
      kinds: kinds.filter((k): k is ApplyKind => (APPLY_KINDS as readonly string[]).includes(k)),
      filter: request.filter,
      cluster,
      now: request.now,
      save: false,
    })
    notes.push(
      last
        ? `recommendations computed again from the store for this run: the inventory ` +
            `(${snapshot.collectedAt}) or usage is not older than the stored set (${last.createdAt}); finops recommend reviews and keeps them`
        : `no stored recommendations: computed from the inventory collected ${snapshot.collectedAt} for this run (finops recommend reviews and keeps them)`,
    )
    if (!usage) notes.push('no usage in the store: rightsizing and idle scale-down need finops collect usage')
    return fresh.recommendations
  } catch (error) {
    // Nothing in scope matches the namespaces or selector: nothing to recommend, schedules still run.
    if (isFinopsError(error) && error.code === 'NOT_FOUND') return []
    throw error
  }
}

/**
 * Checks a reviewed file against the live cluster and prices it, with reads only: `finops apply` calls
 * it before taking the run lock, so a refused file leaves the store as it was.
 */
export async function checkReviewed(db: Db, request: ApplyRequest): Promise<Recommendation[]> {
  const {config} = request
  const access = loadKubeAccess({kubeconfig: config.kubernetes.kubeconfig, context: config.kubernetes.context})
  const {kc} = access
  const settings = recommendSettingsFrom(config.kubernetes)
  return checkedReviewed(
    db,
    new KubernetesCluster(kc),
    request,
    clusterName(access, config.kubernetes.cluster),
    request.kinds ?? config.apply.kinds,
    {
      configured: settings.scaleDown.schedules,
      holidays: settings.scaleDown.holidays,
      timeZone: settings.scaleDown.timeZone,
      defaultTimeZone: settings.scaleDown.defaultTimeZone,
      defaultWeekFrame: settings.scaleDown.defaultWeekFrame,
    },
  )
}

/**
 * The entries of a reviewed file this run acts on (its kinds, namespaces and cluster), checked
 * against the live cluster (nothing is changed when one fails) and priced from the store.
 */
async function checkedReviewed(
  db: Db,
  cluster: KubernetesCluster,
  request: ApplyRequest,
  name: string,
  kinds: readonly ApplyKind[],
  schedules: ScheduleConfig,
): Promise<Recommendation[]> {
  const {file, entries} = request.reviewed!
  const inScope = entries.filter(
    ({recommendation: r}) =>
      isSelectedApplyKind(kinds, r.kind) &&
      namespaceSelected(request.filter?.namespaces, r.target.namespace) &&
      (!r.target.cluster || r.target.cluster === name),
  )
  const live = await preflightEntries(cluster, inScope, file)
  const settings = recommendSettingsFrom(request.config.kubernetes)
  const inventory = readInventory(db, name)
  const prices = priceLookupFromStore(db, inventory, settings, request.config.kubernetes, [
    addDays(toDay(request.now), -1),
  ])
  const repriced = repriceEntries(inScope, live, prices, inventory?.workloads ?? [], {
    configured: schedules.configured,
    defaults: {
      holidays: schedules.holidays,
      timeZone: schedules.timeZone,
      defaultTimeZone: schedules.defaultTimeZone,
      defaultWeekFrame: schedules.defaultWeekFrame,
    },
    now: request.now,
  })
  const others = entries.filter((e) => !inScope.includes(e)).map((e) => e.recommendation)
  return [...repriced, ...others]
}
