/**
 * What must differ between BigQuery's GoogleSQL and DuckDB's, for the BigQuery stand-in to run the
 * SQL it receives. Only these are rewritten (function calls are matched with their balanced
 * parentheses); everything else is handed to DuckDB as written.
 *
 * | BigQuery                                   | DuckDB                                   | why                                          |
 * |--------------------------------------------|------------------------------------------|----------------------------------------------|
 * | `` `project.dataset.view` ``               | the stand-in's relation for it           | tables live in BigQuery, not in DuckDB        |
 * | `@name` query parameters                   | the parameter's value as a typed literal | DuckDB's parameters are positional/`$name`    |
 * | `FORMAT_DATE(fmt, d)`                      | `strftime(d, fmt)`                       | arguments the other way round                 |
 * | `DATE(ts)`                                 | `CAST(ts AS DATE)`                       | DuckDB has no DATE() constructor              |
 * | `TIMESTAMP(text)`                          | `CAST(text AS TIMESTAMP)`                | the same                                      |
 * | `TIMESTAMP_ADD(ts, INTERVAL n DAY)`        | `(ts + INTERVAL n DAY)`                  | DuckDB adds intervals with +                  |
 * | `TO_JSON_STRING(x)`                        | `CAST(to_json(x) AS VARCHAR)`            | name                                          |
 * | `IFNULL(a, b)`                             | as written                               | DuckDB has it                                 |
 * | `arr[SAFE_OFFSET(n)]`                      | `arr[n + 1]`                             | DuckDB lists count from 1 (NULL past the end) |
 * | `CAST(x AS NUMERIC)` / `AS STRING`         | `DECIMAL(38, 9)` / `VARCHAR`             | type names (NUMERIC is 38 digits, 9 decimals) |
 */

export class BigQueryTableNotFound extends Error {}

export interface QueryParameter {
  name: string
  parameterType?: {type?: string}
  parameterValue: {value: string}
}

const sqlString = (value: string): string => `'${value.replaceAll("'", "''")}'`

/** Splits the top-level arguments of a call whose text starts after its opening parenthesis. */
function callAt(sql: string, open: number): {args: string[]; end: number} {
  const args: string[] = []
  let depth = 0
  let start = open + 1
  for (let i = open + 1; i < sql.length; i++) {
    const c = sql[i]
    if (c === "'") {
      i = sql.indexOf("'", i + 1)
      continue
    }
    if (c === '(' || c === '[' || c === '{') depth++
    else if ((c === ']' || c === '}') && depth > 0) depth--
    else if (c === ')') {
      if (depth === 0) {
        args.push(sql.slice(start, i).trim())
        return {args, end: i + 1}
      }
      depth--
    } else if (c === ',' && depth === 0) {
      args.push(sql.slice(start, i).trim())
      start = i + 1
    }
  }
  throw new Error('unbalanced parentheses')
}

/** Rewrites every call of `name` (innermost last, so nested calls are rewritten too). */
function rewriteCalls(sql: string, name: string, to: (args: string[]) => string): string {
  const pattern = new RegExp(`\\b${name}\\s*\\(`, 'gi')
  for (;;) {
    const matches = [...sql.matchAll(pattern)]
    const match = matches.at(-1)
    if (!match) return sql
    const open = match.index + match[0].length - 1
    const {args, end} = callAt(sql, open)
    sql = sql.slice(0, match.index) + to(args) + sql.slice(end)
  }
}

function literal(parameter: QueryParameter): string {
  const type = parameter.parameterType?.type ?? 'STRING'
  const value = parameter.parameterValue.value
  if (type === 'INT64' || type === 'FLOAT64' || type === 'NUMERIC') return value
  if (type === 'DATE') return `DATE ${sqlString(value)}`
  if (type === 'TIMESTAMP') return `TIMESTAMP ${sqlString(value)}`
  return sqlString(value)
}

export function bigqueryToDuckdb(
  sql: string,
  parameters: readonly QueryParameter[],
  resolve: (table: string) => string | undefined,
): string {
  let out = sql.replace(/`([^`]+)`/g, (_m, name: string) => {
    const relation = resolve(name)
    if (relation === undefined)
      throw new BigQueryTableNotFound(
        `Not found: Table ${name.replace(/\.([^.]+)\.([^.]+)$/, ':$1.$2')} was not found in location US`,
      )
    return relation
  })
  out = out.replace(/@([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => {
    const parameter = parameters.find((p) => p.name === name)
    if (!parameter) throw new Error(`Query parameter '${name}' not found`)
    return literal(parameter)
  })
  out = out.replace(/\[\s*SAFE_OFFSET\s*\(\s*(\d+)\s*\)\s*\]/gi, (_m, n: string) => `[${Number(n) + 1}]`)
  out = rewriteCalls(out, 'TIMESTAMP_ADD', ([ts, interval]) => `(${ts} + ${interval})`)
  out = rewriteCalls(out, 'FORMAT_DATE', ([format, date]) => `strftime(${date}, ${format})`)
  out = rewriteCalls(out, 'TO_JSON_STRING', ([value]) => `CAST(to_json(${value}) AS VARCHAR)`)
  // DATE( and TIMESTAMP( as calls, not the DATE '...' / TIMESTAMP '...' literals.
  out = rewriteCalls(out, 'DATE', ([value]) => `CAST(${value} AS DATE)`)
  out = rewriteCalls(out, 'TIMESTAMP', ([value]) => `CAST(${value} AS TIMESTAMP)`)
  out = out.replace(/\bAS\s+NUMERIC\b/gi, 'AS DECIMAL(38, 9)').replace(/\bAS\s+STRING\b/gi, 'AS VARCHAR')
  return out
}
