import {FinopsError, isFinopsError} from '../../errors.js'
import type {Db} from '../../store/open.js'
import {collectCloudCosts} from '../cloud-collect.js'
import type {RunSettings} from '../source-collector.js'
import {withoutMetadataWarnings} from './auth.js'
import {collectCatalogPrices} from './catalog.js'
import {mapGcpError} from './errors.js'
import {parseExportTable} from './export-query.js'
import {gcpCostFetcher} from './index.js'
import type {GcpRunSummary, GcpSourceConfig} from './source.js'

/** Spend from the export table (when given), then catalog prices (when asked); each lands on its own. */
export function collectGcp(db: Db, source: GcpSourceConfig, run: RunSettings): Promise<GcpRunSummary> {
  return withoutMetadataWarnings(() => collectGcpSources(db, source, run))
}

async function collectGcpSources(db: Db, source: GcpSourceConfig, run: RunSettings): Promise<GcpRunSummary> {
  const out: GcpRunSummary = {}
  if (source.table)
    out.costs = await collectCloudCosts(
      db,
      gcpCostFetcher({...source, table: source.table, retry: run.retry, retryHooks: run.retryHooks}),
      run,
    )
  if (source.prices) {
    try {
      out.prices = await collectCatalogPrices(db, {
        endpoint: source.endpoint,
        project: source.project ?? (source.table ? parseExportTable(source.table).project : undefined),
        retry: run.retry,
        retryHooks: run.retryHooks,
        onRequest: run.onRequest,
      })
    } catch (caught) {
      // Whatever failed (credentials, the network, the SDK), it is one line that names the catalog.
      const error = mapGcpError(caught, 'Cloud Billing Catalog')
      if (!out.costs || !isFinopsError(error)) throw error
      // The costs are already committed: say so, rather than the catalog error's "the store is unchanged".
      const c = out.costs
      throw new FinopsError(
        (n) =>
          `${error.naming(n).message}; the costs ` +
          `of ${source.table!.split('.').at(-1)} were collected (${c.window.from} to ${c.window.to}, ${c.rollupRows} daily rows)`,
        {
          code: 'PARTIAL',
          exit: 'partial',
          suggestion: 'collect the prices again to refresh them; the stored prices are unchanged',
          cause: error,
        },
      )
    }
  }
  return out
}
