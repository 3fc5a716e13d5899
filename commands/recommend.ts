import {Flags} from '@oclif/core'

import {FinopsCommand} from '../src/cli/base-command.js'
import {parseAmountFlag} from '../src/cli/numbers.js'
import {outputFlags} from '../src/cli/output-flags.js'
import {workloadFilterFlags, workloadFilterFromFlags} from '../src/cli/workload-filter-flags.js'
import {now} from '../src/dates.js'
import type {RecommendReport} from '../src/recommend/from-store.js'
import {recommend} from '../src/recommend/run.js'
import type {CommitmentRecommendReport} from '../recommenders/commitment/schema.js'
import {RECOMMENDATION_KINDS, RECOMMENDER_KINDS, type RecommenderKind} from '../recommenders/registry.js'
import {recommendSettingsFrom} from '../recommenders/settings.js'

export default class Recommend extends FinopsCommand {
  static override storeIntent = 'write' as const
  static override summary =
    'Recommend rightsizing, spot migration and scale-down for Kubernetes workloads, or commitments to buy, sorted by monthly savings'
  static override description = `Reads the inventory (finops collect k8s) and the usage digests (finops collect usage) from the store.
rightsize: CPU/memory requests and memory limits from usage percentiles and peaks, with margins, floors,
OOM history and HPA awareness; spot: stateless replicated workloads that pass the eligibility checklist;
scale-down: idle workloads, and off-hours schedules from kube-downscaler annotations or finops.yaml.
Thin or ineligible data is listed as skipped with its reason. The result is stored as the latest
recommendations, which finops apply plans from. Settings: kubernetes.recommend in finops.yaml.
FINOPS_NOW (an ISO date or time) pins "now" (schedules are priced over the four weeks from it).
commitment (on its own: it is sized on the bill): per eligible billing scope, from the hourly usage a
FOCUS import keeps, the hourly Savings Plan / reservation / committed-use commitment that maximizes
expected net savings on the forecast's lower bound, every term (1, 3 years) and payment (no, partial,
all upfront) side by side with break-even, utilization, waste and the usage drop that loses money,
after pending rightsizing and spot savings. Rates: commitments.rates in finops.yaml, else documented
defaults; each option names its rate's source. Nothing is bought or stored.`

  static override examples = [
    '<%= config.bin %> recommend',
    '<%= config.bin %> recommend --kind rightsize --namespace shop --min-savings 5',
    "<%= config.bin %> recommend --namespace 'team-*' --selector 'app.kubernetes.io/part-of=shop,tier notin (batch)'",
    '<%= config.bin %> recommend --kind spot,scale-down --json',
    '<%= config.bin %> recommend --csv > recommendations.csv',
    '<%= config.bin %> recommend --kind commitment',
  ]

  static override flags = {
    kind: Flags.string({
      char: 'k',
      description: `recommendation kinds (comma-separated or repeated; default: ${RECOMMENDATION_KINDS.join(', ')})`,
      options: RECOMMENDER_KINDS,
      multiple: true,
      delimiter: ',',
    }),
    ...workloadFilterFlags,
    'min-savings': Flags.string({
      description: 'hide recommendations saving less than this per month (billing currency)',
    }),
    cluster: Flags.string({description: 'only this cluster (default: every cluster in the store)'}),
    'window-days': Flags.integer({
      description: 'usage window in days, ending at the last day with usage (default 14)',
      min: 1,
      max: 90,
    }),
    'show-skipped': Flags.boolean({description: 'list every skipped workload with its reason under the table'}),
    'no-save': Flags.boolean({description: 'do not keep the result as the latest recommendations for finops apply'}),
    ...outputFlags(['recommend', 'recommend-commitment']),
  }

  async run(): Promise<RecommendReport | CommitmentRecommendReport> {
    const {flags} = await this.parse(Recommend)
    const loaded = this.finopsConfig(flags.config)
    const settings = recommendSettingsFrom(loaded.config.kubernetes, loaded.file)
    const minSavings = parseMinSavings(flags['min-savings'])
    const filter = workloadFilterFromFlags(flags)
    const db = this.openStore(flags.db, flags.config)
    const result = recommend(db, {
      kinds: flags.kind as RecommenderKind[] | undefined,
      settings,
      kubernetes: loaded.config.kubernetes,
      commitments: loaded.config.commitments,
      configFile: loaded.file,
      filter,
      minSavings,
      cluster: flags.cluster,
      windowDays: flags['window-days'],
      now: now(),
      save: !flags['no-save'],
    })
    if (result.family === 'bill') await this.present('recommend-commitment', result.report)
    else await this.present('recommend', result.report, {showSkipped: flags['show-skipped']})
    return result.report
  }
}

function parseMinSavings(value: string | undefined): number | undefined {
  return value === undefined ? undefined : parseAmountFlag(value, '--min-savings', {allowZero: true})
}
