import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {importFocusFiles} from '../../../src/collectors/focus/index.js'
import {tempDir} from '../../helpers/cli.js'
import {dumpImportOutputs, type ImportOutputs, writeResourceBill} from '../../helpers/resource-bill.js'
import {tempStore} from '../../helpers/store.js'

/**
 * The import's outputs on a per-resource bill built from the real FOCUS sample, as the two-pass
 * import (a second DuckDB query over the files for resources) wrote
 * them: the rollup, cost details (usage types, resources: top 20 per key and day, the rest summed),
 * cost_resource_daily and commitment usage, after a first import and after a restated period is
 * imported over it. Recorded once with that build (FINOPS_RECORD_IMPORT_OUTPUTS=1): a change to how
 * the import reads the files (one pass instead of two, partitions) must write exactly the same rows.
 */
const RECORDED = path.join(import.meta.dirname, '..', '..', '..', 'fixtures', 'focus', 'resource-bill-outputs.json.gz')

describe('a per-resource bill imports to the recorded rows', () => {
  const {dir, cleanup} = tempDir('focus-one-pass-')
  const first = path.join(dir, 'bill.csv')
  const restated = path.join(dir, 'restated.csv')
  beforeAll(() => {
    writeResourceBill(first, {copies: 4, sharedFirstCopy: true})
    writeResourceBill(restated, {copies: 3, scale: 1.1, period: '2024-09-01 00:00:00', sharedFirstCopy: true})
  })
  afterAll(cleanup)

  test('first import and a restated period over it', {timeout: 120_000}, async () => {
    const store = tempStore()
    try {
      const summary = await importFocusFiles(store.db, [first])
      expect(summary.rowsRead).toBe(4000)
      const afterFirst = dumpImportOutputs(store.db)
      await importFocusFiles(store.db, [restated], {allowShrink: true})
      const afterRestated = dumpImportOutputs(store.db)
      const outputs = {afterFirst, afterRestated}

      if (process.env.FINOPS_RECORD_IMPORT_OUTPUTS === '1')
        fs.writeFileSync(RECORDED, zlib.gzipSync(JSON.stringify(outputs, null, 1)))
      const recorded = JSON.parse(zlib.gunzipSync(fs.readFileSync(RECORDED)).toString()) as typeof outputs

      // The file is shaped as meant: more resources per key and day than the details keep, resource days for pricing.
      expect(afterFirst.details.filter((d) => d.includes('|1||')).length).toBeGreaterThan(10)
      expect(afterFirst.resources.length).toBeGreaterThan(1000)
      expect(afterFirst.commitments.length).toBeGreaterThan(0)
      // The restated period replaced the first one's rows (costs scaled by 1.1, one copy fewer).
      expect(afterRestated.resources).not.toEqual(afterFirst.resources)

      for (const stage of ['afterFirst', 'afterRestated'] as const)
        for (const table of ['rollup', 'details', 'resources', 'commitments'] as const)
          expect(outputs[stage][table], `${stage} ${table}`).toEqual(recorded[stage][table])
    } finally {
      store.cleanup()
    }
  })

  test(
    'the same rows when the pass is split into hash partitions (as when memory runs out)',
    {timeout: 120_000},
    async () => {
      const first = path.join(dir, 'bill.csv')
      const restated = path.join(dir, 'restated.csv')
      const recorded = JSON.parse(zlib.gunzipSync(fs.readFileSync(RECORDED)).toString()) as Record<
        'afterFirst' | 'afterRestated',
        ImportOutputs
      >
      const store = tempStore()
      try {
        await importFocusFiles(store.db, [first], {partitions: 4})
        expect(dumpImportOutputs(store.db)).toEqual(recorded.afterFirst)
        await importFocusFiles(store.db, [restated], {allowShrink: true, partitions: 16})
        expect(dumpImportOutputs(store.db)).toEqual(recorded.afterRestated)
      } finally {
        store.cleanup()
      }
    },
  )
})
