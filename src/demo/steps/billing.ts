import path from 'node:path'

import {importFocusFiles} from '../../collectors/focus/index.js'
import {runCostReport} from '../../cost/report.js'
import {addDays, monthStart} from '../../dates.js'
import {renderCostReportTable} from '../../output/cost-report-format.js'
import {writeDemoBilling} from '../generate-billing.js'
import type {DemoStep} from '../steps.js'

/** Six months of a three-cloud bill, imported through the same FOCUS path users take, then reported. */
export const billingStep: DemoStep = {
  title: 'Billing: import six months of FOCUS exports from AWS, Azure and Google Cloud',
  async run({db, workDir, today, print}) {
    const to = addDays(today, -1)
    const from = monthStart(addDays(to, -180))
    const files = writeDemoBilling(path.join(workDir, 'focus'), {from, to})
    const summary = await importFocusFiles(db, files)
    print(`$ finops collect focus ${path.join(workDir, 'focus')}`)
    print(
      `Imported ${summary.rowsRead.toLocaleString('en-US')} FOCUS rows ` +
        `from ${files.length} files (${from} to ${to}) into ${summary.rollupRows.toLocaleString('en-US')} daily rollup rows.\n`,
    )

    const byService = runCostReport(
      db,
      {groupBy: ['provider', 'service'], filters: [], metric: 'effective', granularity: 'total', top: 10},
      today,
    )
    print('$ finops cost report --group-by provider,service --top 10')
    print(`Effective cost ${byService.report.from} to ${byService.report.to}, change against the previous 30 days`)
    print(renderCostReportTable(byService.report, byService.label))

    const byTeam = runCostReport(
      db,
      {from, to, groupBy: ['tag:team'], filters: [], metric: 'effective', granularity: 'month'},
      today,
    )
    print('\n$ finops cost report --group-by tag:team --granularity month --from ' + from)
    print(renderCostReportTable(byTeam.report, byTeam.label))
  },
}
