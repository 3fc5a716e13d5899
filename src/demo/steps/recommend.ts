import {kubernetesSection} from '../../config/sections/kubernetes.js'
import {recommendFromStore} from '../../recommend/from-store.js'
import {RECOMMENDATION_KINDS} from '../../../recommenders/registry.js'
import {defaultRecommendSettings} from '../../../recommenders/settings.js'
import {renderRecommendTable} from '../../output/recommend-format.js'
import {listSnapshots} from '../../store/k8s-inventory.js'
import type {DemoStep} from '../steps.js'

const TOP = 12

/** The top recommendations over the bundled cluster the `cluster` step loaded: rightsize, spot, scale-down. */
export const recommendStep: DemoStep = {
  title: 'Recommendations: rightsizing, spot migration and off-hours scale-down, by monthly savings',
  run({db, print, today}) {
    if (listSnapshots(db).length === 0) {
      print('(no cluster in the demo store: the cluster step did not run)')
      return
    }
    const report = recommendFromStore(db, defaultRecommendSettings(), kubernetesSection.parse(undefined), {
      kinds: RECOMMENDATION_KINDS,
      now: new Date(`${today}T06:00:00Z`),
    })
    const shown = {...report, recommendations: report.recommendations.slice(0, TOP)}
    print('$ finops recommend')
    print(renderRecommendTable(shown))
    if (report.recommendations.length > TOP)
      print(`(top ${TOP} of ${report.recommendations.length}; all of them with --json or --csv)`)
    const top = report.recommendations[0]
    if (top) {
      print('')
      print(`Why ${top.id}: ${top.risk.level} risk (${top.risk.reasons.join('; ')})`)
      for (const note of top.evidence.notes ?? []) print(`  - ${note}`)
    }
  },
}
