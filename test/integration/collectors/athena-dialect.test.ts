import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {DuckDBConnection, DuckDBInstance} from '@duckdb/node-api'

import {rollupQuery} from '../../../src/collectors/athena/rollup-sql.js'
import {TableNotFound, trinoToDuckdb} from '../../servers/trino-to-duckdb.js'

/**
 * The Athena stand-in runs Trino SQL with DuckDB after rewriting what the two spell differently.
 * Each case is a Trino expression and the value Trino returns for it (from the Trino documentation's
 * semantics); the rewritten SQL must give that value in DuckDB. Cases marked "as written" are not
 * rewritten: DuckDB must take them as Trino does.
 */
let instance: DuckDBInstance
let connection: DuckDBConnection
const resolve = (database: string, table: string) =>
  database === 'cid' && table === 'focus' ? '(SELECT * FROM focus_rows) AS "focus"' : undefined
const value = async (trino: string): Promise<unknown> => {
  const reader = await connection.runAndReadAll(
    trinoToDuckdb(`SELECT ${trino} AS v FROM "cid"."focus"`, 'cid', resolve),
  )
  return reader.getRows()[0]?.[0]
}

beforeAll(async () => {
  const {DuckDBInstance} = await import('@duckdb/node-api')
  instance = await DuckDBInstance.create(':memory:')
  connection = await instance.connect()
  // As the FOCUS export's Parquet holds them: CamelCase names, typed columns, tags as JSON text, CUR's maps.
  await connection.run(`CREATE TABLE focus_rows AS SELECT
      TIMESTAMP '2026-09-30 23:00:00' AS "ChargePeriodStart", 1.25::DOUBLE AS "BilledCost",
      MAP {'user_team': 'web', 'aws_createdBy': 'root'} AS resource_tags, MAP {'product_name': 'Amazon EC2'} AS product,
      '2026-09' AS billing_period`)
})
afterAll(() => {
  connection?.closeSync()
  instance?.closeSync()
})

describe('Trino to DuckDB, as the Athena stand-in rewrites it', () => {
  it.each([
    [
      'date_format with MySQL-style %i and %s',
      `date_format("chargeperiodstart", '%Y-%m-%d %H:%i:%s')`,
      '2026-09-30 23:00:00',
    ],
    ['date_format to a day', `date_format("chargeperiodstart", '%Y-%m-%d')`, '2026-09-30'],
    [
      'json_format of a map cast to JSON',
      `json_format(CAST(resource_tags AS JSON))`,
      '{"user_team":"web","aws_createdBy":"root"}',
    ],
    ['element_at of a present key', `element_at(product, 'product_name')`, 'Amazon EC2'],
    ['element_at of a missing key is NULL (a Trino subscript would fail)', `element_at(product, 'nope')`, null],
    ['as written: quoted lower-case identifiers match CamelCase columns', `"billedcost"`, 1.25],
    [
      'as written: date_trunc + CAST to DATE + CAST to VARCHAR',
      `CAST(CAST(date_trunc('day', "chargeperiodstart") AS DATE) AS VARCHAR)`,
      '2026-09-30',
    ],
    [
      'as written: an exact decimal sum as text',
      `CAST(sum(CAST("billedcost" AS DECIMAL(38, 10))) AS VARCHAR)`,
      '1.2500000000',
    ],
    [
      'as written: TIMESTAMP literals compare with timestamps',
      `"chargeperiodstart" < TIMESTAMP '2026-10-01 00:00:00'`,
      true,
    ],
  ])('%s', async (_name, trino, expected) => {
    expect(await value(trino)).toEqual(expected)
  })

  it('resolves "db"."table", db.table and a bare table in the query database; an unknown table fails as Athena names it', () => {
    for (const ref of ['"cid"."focus"', 'cid.focus', '"focus"', '"AwsDataCatalog"."cid"."focus"'])
      expect(trinoToDuckdb(`SELECT 1 FROM ${ref}`, 'cid', resolve)).toBe(
        'SELECT 1 FROM (SELECT * FROM focus_rows) AS "focus"',
      )
    expect(() => trinoToDuckdb('SELECT 1 FROM cid.nope', 'cid', resolve)).toThrow(TableNotFound)
    expect(() => trinoToDuckdb('SELECT 1 FROM cid.nope', 'cid', resolve)).toThrow(
      "TABLE_NOT_FOUND: Table 'awsdatacatalog.cid.nope' does not exist",
    )
  })

  it("the collector's rollup queries (FOCUS and CUR 2.0) use only constructs the table above covers", () => {
    for (const format of ['focus', 'cur2'] as const) {
      const sql = rollupQuery({
        format,
        table: 'cid.focus',
        billingAccountId: '123456789012',
        from: '2026-09-01',
        to: '2026-10-31',
      })
      const translated = trinoToDuckdb(sql, 'cid', resolve)
      expect(translated).not.toMatch(/\b(date_format|json_format|element_at)\s*\(/i)
      expect(sql).toContain(`"billing_period" IN ('2026-09', '2026-10')`)
    }
  })
})
