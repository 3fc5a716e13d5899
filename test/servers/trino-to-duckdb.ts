/**
 * What must differ between Athena's Trino SQL and DuckDB's, for the Athena stand-in to run the SQL it
 * receives. Only these are rewritten; everything else is handed to DuckDB as written, so a query
 * that only Trino would accept fails here too (the test of the SQL is that DuckDB runs it).
 *
 * | Trino (Athena engine v3)                  | DuckDB                                | why                                                   |
 * |-------------------------------------------|---------------------------------------|-------------------------------------------------------|
 * | `"catalog"."db"."table"` / `"db"."table"` | the stand-in's view of that table     | tables live in the Glue catalog, not in DuckDB         |
 * | `date_format(ts, '%Y-%m-%d %H:%i:%s')`    | `strftime(ts, '%Y-%m-%d %H:%M:%S')`    | MySQL-style format function; `%i`/`%s` are min/sec     |
 * | `json_format(CAST(m AS JSON))`            | `CAST(to_json(m) AS VARCHAR)`         | Trino casts a map to JSON, then formats it as text     |
 * | `element_at(map, key)`                    | `map_extract_value(map, key)`         | DuckDB's element_at returns a list for a map           |
 *
 * The same in both, so left alone (and tested as such): double-quoted identifiers matched without
 * case (Glue lower-cases column names; the Parquet files of an export keep FOCUS's CamelCase),
 * `date_trunc('day', ts)`, `CAST(... AS DATE|VARCHAR|DECIMAL(38, 10))`, `TIMESTAMP '...'` literals,
 * `GROUP BY` ordinals, `coalesce`, `nullif`, `upper`.
 */

/** A table reference of the query, resolved against the stand-in's catalog. */
export type ResolveTable = (database: string, table: string) => string | undefined

export class TableNotFound extends Error {}

const NAME = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*)`
const unquote = (name: string): string =>
  name.startsWith('"') ? name.slice(1, -1).replaceAll('""', '"').toLowerCase() : name.toLowerCase()

const TRINO_TO_STRFTIME: Record<string, string> = {i: 'M', s: 'S', S: 'S', H: 'H', Y: 'Y', m: 'm', d: 'd', y: 'y'}

/** Rewrites the Trino constructs DuckDB spells differently (the table above). */
export function trinoToDuckdb(sql: string, defaultDatabase: string, resolve: ResolveTable): string {
  let out = sql.replace(
    new RegExp(String.raw`\b(FROM|JOIN)\s+(${NAME}(?:\s*\.\s*${NAME}){0,2})`, 'gi'),
    (_m, keyword: string, ref: string) => {
      const parts = (ref.match(new RegExp(NAME, 'g')) ?? []).map(unquote)
      const [database, table] = (parts.length === 1 ? [defaultDatabase, parts[0]] : parts.slice(-2)) as [string, string]
      const view = resolve(database, table)
      if (view === undefined)
        throw new TableNotFound(`TABLE_NOT_FOUND: Table 'awsdatacatalog.${database}.${table}' does not exist`)
      return `${keyword} ${view}`
    },
  )
  out = out.replace(
    /\bjson_format\s*\(\s*CAST\s*\(\s*([^()]+?)\s+AS\s+JSON\s*\)\s*\)/gi,
    'CAST(to_json($1) AS VARCHAR)',
  )
  out = out.replace(/\belement_at\s*\(/gi, 'map_extract_value(')
  out = out.replace(/\bdate_format\s*\(([^,]+),\s*'([^']*)'\s*\)/gi, (_m, value: string, format: string) => {
    const converted = format.replace(/%(.)/g, (spec: string, letter: string) => {
      const to = TRINO_TO_STRFTIME[letter]
      if (to === undefined) throw new Error(`the stand-in does not translate date_format specifier %${letter}`)
      return `%${to}`
    })
    return `strftime(${value}, '${converted}')`
  })
  return out
}
