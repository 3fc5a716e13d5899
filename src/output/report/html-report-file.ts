import type {FinopsConfig} from '../../config/index.js'
import {gatherReportData, type ReportData, type ReportRequest, type ReportStore} from '../../report/report-data.js'
import {writeRenderedFile} from '../../output-file.js'
import {renderHtmlReport} from './html-report.js'

/**
 * Gathers the report's data from the store, renders the page and writes it to `out` (a temporary
 * sibling renamed over it, so a reader never sees half a page). `finops report`, the demo and
 * `finops run` all write the report through here.
 */
export async function writeHtmlReport(
  db: ReportStore,
  config: FinopsConfig,
  request: ReportRequest,
  out: string,
  now?: string,
): Promise<{path: string; data: ReportData}> {
  const data = gatherReportData(db, config, request, now)
  const html = renderHtmlReport(data)
  // The one safe writer: a link, directory, FIFO or device named by mistake is never replaced by the page.
  return {path: await writeRenderedFile(out, html), data}
}
