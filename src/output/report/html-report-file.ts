import fs from 'node:fs'
import path from 'node:path'

import type {FinopsConfig} from '../../config/index.js'
import {usageError} from '../../errors.js'
import {gatherReportData, type ReportData, type ReportRequest, type ReportStore} from '../../report/report-data.js'
import {writeOutputFile} from '../write-file.js'
import {renderHtmlReport} from './html-report.js'

/**
 * Gathers the report's data from the store, renders the page and writes it to `out` (a temporary
 * sibling renamed over it, so a reader never sees half a page). `finops report`, the demo and
 * `finops run` all write the report through here.
 */
export function writeHtmlReport(
  db: ReportStore,
  config: FinopsConfig,
  request: ReportRequest,
  out: string,
  now?: string,
): {path: string; data: ReportData} {
  const data = gatherReportData(db, config, request, now)
  const html = renderHtmlReport(data)
  return {path: writeFileAtomically(out, html), data}
}

function writeFileAtomically(target: string, content: string): string {
  const file = path.resolve(target)
  let stat: fs.Stats | undefined
  try {
    stat = fs.lstatSync(file)
  } catch {
    stat = undefined
  }
  // A link, directory, FIFO or device named by mistake is never replaced by the page.
  if (stat && !stat.isFile())
    throw usageError(`--out ${file} is not a regular file; finops writes only regular files`, 'give --out a file path')
  if (!fs.existsSync(path.dirname(file)))
    throw usageError(`--out ${file}: the directory ${path.dirname(file)} does not exist`, 'create it first')
  return writeOutputFile(file, content)
}
