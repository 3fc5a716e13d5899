import path from 'node:path'

import {parseConfig} from '../../config/index.js'
import {addDays} from '../../dates.js'
import {writeHtmlReport} from '../../output/report/html-report-file.js'
import type {DemoStep} from '../steps.js'

/** The shareable picture of everything above: one HTML file, opened in any browser without a network. */
export const reportStep: DemoStep = {
  title: 'Report: one self-contained HTML page with the charts, for people who will not run a CLI',
  async run({db, workDir, today, print}) {
    const out = path.join(workDir, 'finops-report.html')
    const written = await writeHtmlReport(
      db,
      parseConfig({}),
      {
        to: addDays(today, -1),
        groupBy: ['service'],
        filters: [],
        metric: 'effective',
        top: 8,
        level: 80,
      },
      out,
      today,
    )
    print(`$ finops report --out ${out}`)
    print(`Report for ${written.data.spend.from} to ${written.data.spend.to} written to ${written.path}`)
    print(`Open it in a browser: file://${written.path}`)
  },
}
