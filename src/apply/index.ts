import type {ApplyKind} from '../../recommenders/registry.js'
import type {FinopsConfig} from '../config/index.js'
import {recommendSettingsFrom} from '../../recommenders/settings.js'
import type {Recommendation} from '../model/recommendation.js'
import {listRecommendations} from '../store/recommendations.js'
import type {Db} from '../store/open.js'
import {namespaceSelected, type WorkloadFilter} from '../k8s/workload-filter.js'
import {KubernetesCluster} from './cluster.js'
import {applyRecommendations, type ApplyReport} from './execute.js'
import {now} from '../dates.js'
import {newRunId, resolveIdentity} from './identity.js'
import {clusterName, loadKubeConfig} from './kubeconfig.js'

export interface ApplyRequest {
  config: FinopsConfig
  kinds?: readonly ApplyKind[]
  /** Namespaces (names or globs) and a label selector. */
  filter?: WorkloadFilter
  maxActions?: number
  /** --yes: apply even when apply.mode is dry-run. */
  yes?: boolean
  runId?: string
  /** Recommendations to apply instead of the store's latest (e.g. a reviewed `finops recommend --json`). */
  recommendations?: readonly Recommendation[]
}

/**
 * `finops apply` and the apply step of `finops run`: the store's latest recommendations (or the
 * given ones) for this cluster, through the planner and guardrails, applied when enforcing.
 */
export async function applyFromStore(db: Db, request: ApplyRequest): Promise<ApplyReport> {
  const {config} = request
  const kc = loadKubeConfig({kubeconfig: config.kubernetes.kubeconfig, context: config.kubernetes.context})
  const cluster = clusterName(kc, config.kubernetes.cluster)
  const kinds = request.kinds ?? config.apply.kinds
  const all = (request.recommendations ?? listRecommendations(db, {kinds: [...kinds]})).filter((r) =>
    namespaceSelected(request.filter?.namespaces, r.target.namespace),
  )
  const recommendations = all.filter((r) => !r.target.cluster || r.target.cluster === cluster)
  const report = await applyRecommendations(db, new KubernetesCluster(kc), recommendations, {
    settings: config.apply,
    kinds,
    filter: request.filter,
    maxActions: request.maxActions ?? config.apply.maxActions,
    enforce: Boolean(request.yes) || config.apply.mode === 'enforce',
    runId: request.runId ?? newRunId(),
    identity: resolveIdentity(kc),
    now: now(),
    scheduleDefaults: scheduleDefaultsFrom(config),
  })
  const elsewhere = all.length - recommendations.length
  if (elsewhere > 0)
    report.notes.push(`${elsewhere} recommendation(s) for other clusters left alone (this is ${cluster})`)
  return report
}

function scheduleDefaultsFrom(config: FinopsConfig): {holidays: string[]; timeZone: string} {
  const {scaleDown} = recommendSettingsFrom(config.kubernetes)
  return {holidays: [...scaleDown.holidays], timeZone: scaleDown.timeZone}
}
