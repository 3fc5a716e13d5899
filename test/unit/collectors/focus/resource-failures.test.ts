import {DuckDBInstance} from '@duckdb/node-api'
import {describe, expect, it} from 'vitest'

import {planBudget} from '../../../../src/collectors/focus/budget.js'
import {describeResourceFailure} from '../../../../src/collectors/focus/duckdb-session.js'
import {namedAsFlags} from '../../../helpers/errors.js'

/** DuckDB's own failures when it runs out, read back as what ran out and how to raise it. */
describe('import resource failures', () => {
  it("names DuckDB's real out-of-memory error as the budget, with how to raise it", async () => {
    // Spilling disabled and 8 MiB: a real aggregation cannot fit, as a too-small budget cannot.
    const instance = await DuckDBInstance.create(':memory:', {threads: '1', memory_limit: '8MiB', temp_directory: ''})
    const connection = await instance.connect()
    let failure: unknown
    try {
      await connection.runAndReadAll(
        `SELECT i % 2000000 AS g, repeat('x', 50) || i AS s, count(*) FROM range(4000000) t(i) GROUP BY ALL`,
      )
    } catch (error) {
      failure = error
    } finally {
      connection.closeSync()
      instance.closeSync()
    }
    expect(String(failure)).toMatch(/Out of Memory/)
    const budget = planBudget(256 * 1024 ** 2, 2)
    const named = describeResourceFailure(failure, budget, '/var/lib/finops/.finops-import-x')!
    expect(named.exit).toBe(10)
    expect(named.message).toMatch(/^the import ran out of its 256 MB memory budget \(DuckDB could use \d+ MB of it\)$/)
    expect(namedAsFlags(named).suggestion).toMatch(
      /^raise --memory \(e\.g\. to 512MB\) or import\.memory in finops\.yaml$/,
    )
    // Outside the CLI the budget is named in the domain's words, never as a flag.
    expect(named.suggestion).not.toMatch(/--/)
    expect(named.message).not.toMatch(/format|parse|CSV/i)
  })

  it('names a full spill disk as disk, and leaves other errors alone', () => {
    const budget = planBudget(512 * 1024 ** 2, 2)
    const disk = describeResourceFailure(
      new Error(
        'IO Error: Could not write file "/data/.finops-import-a/duckdb_temp_block-1.block": No space left on device',
      ),
      budget,
      '/data/.finops-import-a',
    )!
    expect(disk.message).toMatch(/ran out of disk space for its spill files in \/data /)
    expect(namedAsFlags(disk).suggestion).toMatch(/--temp-dir .*--memory/)
    expect(describeResourceFailure(new Error('Invalid Input Error: CSV Error on Line: 7'), budget, '/d/x')).toBe(
      undefined,
    )
  })
})
