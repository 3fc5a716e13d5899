import type {BillRecommender} from './bill-context.js'
import type {PlannedChanges, Recommender, RecommenderInput} from './context.js'
import type {Recommendation} from '../src/model/recommendation.js'

/** What the kinds run so far propose, filled in by each kind's `plan` for the kinds after it. */
export interface PlannedChangesDraft {
  requests: Map<string, {cores: number; bytes: number}>
  idle: Set<string>
  downtime: Map<string, number>
}

/**
 * One recommendation kind: everything `recommend`, the JSON contract, `apply` and the outputs need
 * to know about it. A new kind is a folder under recommenders/ exporting one of these, plus one
 * line in recommenders/registry.ts; the kind's name, id pattern, run order and CLI options follow.
 */
export interface RecommenderEntry<Applies extends boolean = boolean> {
  /** Sized on the cluster's inventory and usage (Kubernetes workloads). */
  reads: 'workloads'
  /** Prefix of its recommendation ids (`rs-3f2a9c1b0d`). */
  idPrefix: string
  /** Kinds run in ascending order in one `recommend`: later kinds price on top of earlier ones' proposals. */
  runOrder: number
  /** One line for help texts and docs. */
  summary: string
  recommend: Recommender
  /** The change in a few words (`cpu 1 -> 250m`, `3 -> 0 replicas (idle)`), for tables and CSV. */
  describeChange: (r: Pick<Recommendation, 'current' | 'proposed'>) => string
  /** Records what this kind proposes, so kinds after it in the same run do not count the same money twice. */
  plan?: (input: RecommenderInput, proposed: readonly Recommendation[], planned: PlannedChangesDraft) => void
  /** Why an earlier kind's recommendation is moot once this kind has planned (undefined: it stands). */
  supersedes?: (earlier: Recommendation, planned: PlannedChanges) => string | undefined
  /**
   * `finops apply` can make this change in the cluster (`apply --kind`, `apply.kinds`): its planner
   * in src/apply/plan.ts is then required by the compiler. Kinds without it are reported only.
   */
  applies: Applies
}

/**
 * A kind sized on the bill rather than on the cluster (commitments): it reads the eligible spend per
 * billing scope and proposes purchases, which finops reports and never makes. Same registry, same
 * `--kind`; `recommend` runs the kinds of one family at a time, since their inputs and results differ.
 */
export interface BillRecommenderEntry {
  reads: 'bill'
  /** One line for help texts and docs. */
  summary: string
  recommend: BillRecommender
  applies: false
}

/** Any entry of the recommender registry. */
export type AnyRecommenderEntry = RecommenderEntry | BillRecommenderEntry
