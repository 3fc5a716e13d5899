import {Flags} from '@oclif/core'

import {FinopsCommand} from '../src/cli/base-command.js'
import {parseAmountFlag} from '../src/cli/numbers.js'
import {outputFlags} from '../src/cli/output-flags.js'
import {workloadFilterFlags, workloadFilterFromFlags} from '../src/cli/workload-filter-flags.js'
import {now} from '../src/dates.js'
import {recommendFromStore, type RecommendReport} from '../src/recommend/from-store.js'
import {recommendCommitmentsFromStore} from '../src/commitments/recommend-from-store.js'
import type {CommitmentRecommendReport} from '../recommenders/commitment/schema.js'
import {usageError} from '../src/errors.js'
import {RECOMMENDATION_KINDS, type RecommendationKind} from '../recommenders/registry.js'
import {recommendSettingsFrom} from '../recommenders/settings.js'

export default class Recommend extends FinopsCommand {
  static override storeIntent = 'write' as const
  static override summary =
    'Recommend rightsizing, spot migration and scale-down for Kubernetes workloads, sorted by monthly savings'
  static override description = `Reads the inventory (finops collect k8s) and the usage digests (finops collect usage) from the store.
rightsize: CPU/memory requests and memory limits from usage percentiles and peaks, with margins, floors,
OOM history and HPA awareness; spot: stateless replicated workloads that pass the eligibility checklist;
scale-down: idle workloads, and off-hours schedules from kube-downscaler annotations or finops.yaml.
Thin or ineligible data is listed as skipped with its reason. The result is stored as the latest
recommendations, which finops apply plans from. Settings: kubernetes.recommend in finops.yaml.
FINOPS_NOW (an ISO date or time) pins "now" (schedules are priced over the four weeks from it).`

  static override examples = [
    '<%= config.bin %> recommend',
    '<%= config.bin %> recommend --kind rightsize --namespace shop --min-savings 5',
    "<%= config.bin %> recommend --namespace 'team-*' --selector 'app.kubernetes.io/part-of=shop,tier notin (batch)'",
    '<%= config.bin %> recommend --kind spot,scale-down --json',
    '<%= config.bin %> recommend --csv > recommendations.csv',
  ]

  static override flags = {
    kind: Flags.string({
      char: 'k',
      description: 'recommendation kinds (comma-separated or repeated)',
      options: [...RECOMMENDATION_KINDS, 'commitment'],
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
    if (flags.kind?.includes('commitment')) {
      // Commitments are sized on the bill, not on the cluster's inventory: a run of their own.
      if (flags.kind.some((k) => k !== 'commitment'))
        throw usageError('--kind commitment runs on its own', 'run finops recommend --kind commitment separately')
      const report = recommendCommitmentsFromStore(this.openStore(flags.db, flags.config), {now: now()})
      await this.present('recommend-commitment', report)
      return report
    }
    const loaded = this.finopsConfig(flags.config)
    const settings = recommendSettingsFrom(loaded.config.kubernetes, loaded.file)
    const minSavings = parseMinSavings(flags['min-savings'])
    const filter = workloadFilterFromFlags(flags)
    const db = this.openStore(flags.db, flags.config)
    const report = recommendFromStore(db, settings, loaded.config.kubernetes, {
      kinds: (flags.kind ?? RECOMMENDATION_KINDS) as RecommendationKind[],
      filter,
      minSavings,
      cluster: flags.cluster,
      windowDays: flags['window-days'],
      now: now(),
      save: !flags['no-save'],
    })
    await this.present('recommend', report, {showSkipped: flags['show-skipped']})
    return report
  }
}

function parseMinSavings(value: string | undefined): number | undefined {
  return value === undefined ? undefined : parseAmountFlag(value, '--min-savings', {allowZero: true})
}
