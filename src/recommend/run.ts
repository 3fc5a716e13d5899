import type {CommitmentsConfig} from '../config/sections/commitments.js'
import type {KubernetesConfig} from '../config/sections/kubernetes.js'
import {usageError} from '../errors.js'
import type {Db} from '../store/open.js'
import type {CommitmentRecommendReport} from '../../recommenders/commitment/schema.js'
import {
  type BillKind,
  RECOMMENDATION_KINDS,
  type RecommendationKind,
  recommenderRegistry,
  type RecommenderKind,
} from '../../recommenders/registry.js'
import type {RecommendSettings} from '../../recommenders/settings.js'
import {recommendBillFromStore} from '../commitments/recommend-from-store.js'
import {recommendFromStore, type RecommendFromStoreOptions, type RecommendReport} from './from-store.js'

/** What one `recommend` produced: the report of the family its kinds belong to. */
export type RecommendRun =
  {family: 'workloads'; report: RecommendReport} | {family: 'bill'; report: CommitmentRecommendReport}

export interface RecommendRequest extends Omit<RecommendFromStoreOptions, 'kinds'> {
  /** The kinds asked for; absent: every cluster kind. */
  kinds?: readonly RecommenderKind[]
  settings: RecommendSettings
  kubernetes: KubernetesConfig
  commitments: CommitmentsConfig
  /** The finops.yaml the configured rates come from (named in each rate's source). */
  configFile?: string
}

/** The options that select workloads: meaningless for kinds sized on the bill. */
const WORKLOAD_INPUTS = [
  {key: 'namespace', label: 'namespace filter', given: (r: RecommendRequest) => r.filter?.namespaces !== undefined},
  {key: 'selector', label: 'label selector', given: (r: RecommendRequest) => r.filter?.selector !== undefined},
  {key: 'cluster', label: 'cluster', given: (r: RecommendRequest) => r.cluster !== undefined},
  {key: 'window-days', label: 'usage window', given: (r: RecommendRequest) => r.windowDays !== undefined},
] as const

/**
 * `finops recommend`: the kinds asked for, run by the family their registry entries read (the
 * cluster or the bill). One run is one family, since their inputs and reports differ.
 */
export function recommend(db: Db, request: RecommendRequest): RecommendRun {
  const kinds = request.kinds ?? RECOMMENDATION_KINDS
  const bill = kinds.filter((k): k is BillKind => recommenderRegistry[k].reads === 'bill')
  const workloads = kinds.filter((k): k is RecommendationKind => recommenderRegistry[k].reads === 'workloads')
  if (bill.length > 0 && workloads.length > 0)
    throw usageError(
      `${bill.join(', ')} ${bill.length > 1 ? 'are' : 'is'} sized on the bill and ${workloads.join(', ')} on the cluster: they run separately`,
      `run finops recommend --kind ${workloads.join(',')} and finops recommend --kind ${bill.join(',')}`,
    )
  if (bill.length > 0) {
    const given = WORKLOAD_INPUTS.filter((i) => i.given(request))
    if (given.length > 0)
      throw usageError(
        (n) =>
          `${given.map((i) => n(i)).join(', ')} ${given.length > 1 ? 'select' : 'selects'} workloads; ${bill.join(', ')} is sized per billing scope`,
        `drop ${given.length > 1 ? 'them' : 'it'}`,
      )
    return {
      family: 'bill',
      report: recommendBillFromStore(db, {
        kinds: bill,
        now: request.now,
        config: request.commitments,
        configFile: request.configFile,
        minSavings: request.minSavings,
      }),
    }
  }
  return {
    family: 'workloads',
    report: recommendFromStore(db, request.settings, request.kubernetes, {...request, kinds: workloads}),
  }
}
