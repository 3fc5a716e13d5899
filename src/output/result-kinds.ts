import type {CostForecast} from '../../forecasters/types.js'
import type {RecommendReport} from '../recommend/from-store.js'
import type {AlertCheckResult} from '../alerts/check.js'
import type {AckResult, AnomalyListResult, SeriesMute, UnackResult} from '../alerts/anomaly-feedback.js'
import type {DigestResult} from '../alerts/digest.js'
import type {BudgetStatusResult} from '../alerts/budget-status.js'
import type {Budget, BudgetSetResult} from '../model/budget.js'
import type {ApplyReport} from '../apply/execute.js'
import type {RollbackReport} from '../apply/rollback.js'
import type {ActionRecord} from '../model/action.js'
import type {CollectSummary} from '../collectors/cloud-collect.js'
import type {FocusImportSummary} from '../collectors/focus/index.js'
import type {CollectK8sOutput, CollectUsageOutput} from '../collectors/k8s/results.js'
import type {GcpRunSummary} from '../collectors/gcp/source.js'
import type {AthenaRunSummary} from '../collectors/athena/source.js'
import type {SourceOutcome} from '../collectors/registry.js'
import type {CostReport} from '../cost/report-builder.js'
import type {AllocationReport} from '../k8s/allocation.js'
import type {Manifest} from '../model/manifest.js'
import type {KeyLabeler} from '../cost/report.js'
import type {ActualDay} from './charts/terminal-forecast-chart.js'
import type {BackupResult, RestoreResult, VerifyResult} from '../backup/index.js'
import type {SavingsRecordResult, SavingsReport} from '../savings/schemas.js'
import type {CommitmentsStatus} from '../commitments/schemas.js'
import type {CommitmentRecommendReport} from '../../recommenders/commitment/schema.js'

/** `forecast --chart`: the actual days before each currency's forecast, and the terminal to draw in. */
export interface ForecastChartOptions {
  actuals: Record<string, ActualDay[]>
  columns: number
  color: boolean
}

/**
 * Every kind of result a command hands to an output format: its data (what `--json` prints) and the
 * presentation options its renderers take (never part of the data). A format lists the kinds it renders.
 */
export interface ResultKinds {
  'cost-report': {data: CostReport; options: {label?: KeyLabeler}}
  'cost-allocation': {data: AllocationReport; options: object}
  forecast: {data: CostForecast; options: {backtest?: boolean; chart?: ForecastChartOptions}}
  recommend: {data: RecommendReport; options: {showSkipped?: boolean}}
  apply: {data: ApplyReport; options: object}
  rollback: {data: RollbackReport; options: object}
  'actions-list': {data: {actions: ActionRecord[]}; options: object}
  'budget-list': {data: {budgets: Budget[]}; options: object}
  'budget-set': {data: BudgetSetResult; options: object}
  'budget-remove': {data: {removed: string}; options: object}
  'budget-status': {data: BudgetStatusResult; options: object}
  'alert-check': {data: AlertCheckResult; options: {webhookSource?: string}}
  'anomaly-list': {data: AnomalyListResult; options: object}
  'anomaly-ack': {data: AckResult; options: object}
  'anomaly-unack': {data: UnackResult; options: object}
  'anomaly-mute': {data: {muted: SeriesMute}; options: object}
  'anomaly-unmute': {data: {unmuted: {groupBy: string[]; keys: string[]}}; options: object}
  'alert-digest': {data: DigestResult; options: {webhookSource?: string}}
  /** collect aws and collect azure. */
  'collect-cloud': {data: {sources: CollectSummary[]}; options: object}
  'collect-gcp': {data: {sources: GcpRunSummary[]}; options: object}
  'collect-athena': {data: {sources: AthenaRunSummary[]}; options: object}
  'collect-all': {data: {sources: SourceOutcome[]}; options: object}
  'collect-focus': {data: FocusImportSummary; options: object}
  'collect-k8s': {data: CollectK8sOutput; options: object}
  'collect-usage': {data: CollectUsageOutput; options: {pods?: number}}
  'cronjob-manifest': {data: {manifests: Manifest[]}; options: object}
  'store-backup': {data: BackupResult; options: object}
  'store-restore': {data: RestoreResult; options: object}
  'store-verify': {data: VerifyResult; options: object}
  savings: {data: SavingsReport; options: object}
  'savings-record': {data: SavingsRecordResult; options: object}
  'commitments-status': {data: CommitmentsStatus; options: object}
  'recommend-commitment': {data: CommitmentRecommendReport; options: object}
}

export type ResultKind = keyof ResultKinds
export type ResultData<K extends ResultKind> = ResultKinds[K]['data']
export type ResultOptions<K extends ResultKind> = ResultKinds[K]['options']
