import {applyRecommendations} from '../../apply/execute.js'
import {renderActionsTable, renderApplyReport, renderRollbackReport} from '../../output/apply-format.js'
import {MemoryCluster} from '../../apply/memory-cluster.js'
import {rollbackActions} from '../../apply/rollback.js'
import {parseConfig} from '../../config/index.js'
import {addDays, dayToDate} from '../../dates.js'
import {listActions} from '../../store/actions.js'
import {listRecommendations} from '../../store/recommendations.js'
import {demoClusterObjects} from '../cluster-fixture.js'
import type {DemoStep} from '../steps.js'

/**
 * The recommendations applied to the bundled cluster (held in memory: the demo has no API server):
 * the dry-run plan with its guardrail skips, the journaled apply at night, the audit trail, a rollback.
 */
export const applyStep: DemoStep = {
  title: 'Apply: dry-run plan with guardrails, journaled apply, audit trail, rollback',
  async run({db, print, today}) {
    const recommendations = listRecommendations(db)
    if (recommendations.length === 0) {
      print('(no stored recommendations: the recommend step did not run)')
      return
    }
    const {cluster, objects} = demoClusterObjects()
    const memory = new MemoryCluster(objects)
    const config = parseConfig({apply: {maxActions: 8, spot: {provider: 'karpenter', namespaces: ['data']}}})
    const options = (
      runId: string,
      now: Date,
      enforce: boolean,
      kinds = config.apply.kinds,
      maxActions = config.apply.maxActions,
    ) => ({settings: config.apply, kinds, maxActions, identity: `demo@${cluster}`, now, enforce, runId})
    // 23:00 in Berlin, inside staging's off-hours (uptime Mon-Fri 07:30-20:30 Europe/Berlin); then 08:30 on the next weekday.
    const night = new Date(`${today}T21:00:00Z`)
    let morningDay = addDays(today, 1)
    while ([0, 6].includes(dayToDate(morningDay).getUTCDay())) morningDay = addDays(morningDay, 1)
    const morning = new Date(`${morningDay}T06:30:00Z`)

    print('$ finops apply --max-actions 8')
    print(
      renderApplyReport(
        await applyRecommendations(db, memory, recommendations, options('run-demo-plan', night, false)),
      ),
    )

    const down = await applyRecommendations(
      db,
      memory,
      recommendations,
      options('run-demo-night', night, true, ['scale-down']),
    )
    print('\n$ finops apply --kind scale-down --yes            # 23:00 Berlin: off-hours')
    print(renderApplyReport(down))
    // In the morning the schedule (staging's kube-downscaler annotation) is judged again: it scales them back up.
    const up = await applyRecommendations(db, memory, [], options('run-demo-morning', morning, true, ['scale-down']))
    print(`\n$ finops apply --kind scale-down --yes            # ${morningDay} 08:30 Berlin: window over`)
    print(renderApplyReport(up))

    const resize = await applyRecommendations(
      db,
      memory,
      recommendations,
      options('run-demo-resize', morning, true, ['rightsize'], 1),
    )
    print('\n$ finops apply --kind rightsize --max-actions 1 --yes')
    print(renderApplyReport(resize))
    print('\n$ finops actions list')
    print(renderActionsTable(listActions(db)))
    const first = resize.actions.find((a) => a.status === 'applied')
    if (first?.id) {
      const rollback = await rollbackActions(db, memory, first.id, {enforce: true, force: false, conflictRetries: 3})
      print(`\n$ finops rollback ${first.id} --yes`)
      print(renderRollbackReport(rollback))
    }
  },
}
