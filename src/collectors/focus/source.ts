import {z} from 'zod'

import {defineSourceCollector} from '../source-collector.js'
import {focusImportSchema} from './schema.js'

export const focusSourceConfig = z.strictObject({
  path: z.string().min(1).describe('FOCUS export file or directory'),
})

/** FOCUS exports (CSV, CSV.gz, Parquet) from any provider, one export per entry. */
export const focusCollector = defineSourceCollector({
  summary: 'FOCUS billing exports (CSV, CSV.gz, Parquet; FOCUS 1.0-1.2) from a file or directory',
  config: focusSourceConfig,
  result: focusImportSchema,
  entryName: (source) => source.path,
  collect: async (db, source, run) => (await import('./index.js')).importFocusFiles(db, [source.path], run.focusImport),
  describe: (summary) => [`${summary.rowsRead} rows into ${summary.rollupRows} daily rows`],
})
