import fs from 'node:fs'
import path from 'node:path'
import {marked, type Token, type Tokens} from 'marked'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {generateRealizedScenario, writeScenario} from '../../bench/realized/scenario.mjs'
import {insertPending, markFinished} from '../../src/store/actions.js'
import {markHistoryCoverage, replaceClusterHistory, replaceNamespaceHistory} from '../../src/store/k8s-history.js'
import {replaceInventory} from '../../src/store/k8s-inventory.js'
import {openStore} from '../../src/store/open.js'
import {saveRecommendations} from '../../src/store/recommendations.js'
import {type CliResult, parseJson, repoRoot, runCli, tempDir} from '../helpers/cli.js'
import {deployment, namespace} from '../helpers/cluster-fixture.js'
import {syntheticRows} from '../helpers/cost-data.js'
import {writeFocusCsv} from '../helpers/focus-csv.js'
import {rightsizeRec, scaleDownRec} from '../helpers/recommendations.js'
import {type KubeApiServer, startKubeApi} from '../servers/kube-api.js'

/**
 * `--output markdown` as users run it, on every command that offers it (read from the built
 * manifest, so a new command with a table must add its case here), parsed back with a real
 * markdown parser (marked's lexer): a GFM table with the right header and row count, whose numbers
 * are the ones `--json` prints. Hostile cell text must not break the table or inject HTML.
 */

type Json = any // eslint-disable-line @typescript-eslint/no-explicit-any

interface ExpectedTable {
  /** The table's first header cells. */
  headStart: string[]
  rows: number
  /** Columns (by header text) whose cells are these numbers, to the cent. */
  numbers?: Record<string, number[]>
  /** Columns whose cells are exactly these texts. */
  texts?: Record<string, string[]>
  /** Which of the tables with this header (0: the first). */
  nth?: number
}

interface Case {
  args: (ctx: Context) => string[]
  env?: (ctx: Context) => Record<string, string>
  tables: (json: Json) => ExpectedTable[]
}

interface Context {
  demoDb: string
  savingsDb: string
  applyDb: string
  applyEnv: Record<string, string>
}

const round2 = (v: number): number => Math.round(v * 100) / 100

/** One case per command that offers --output markdown: the arguments and the tables its JSON implies. */
const CASES: Record<string, Case> = {
  'cost:report': {
    args: (c) => ['cost', 'report', '--db', c.demoDb, '-g', 'service', '--top', '6'],
    tables: (r) => [
      {
        headStart: ['Service'],
        rows: r.rows.length + r.totals.length,
        numbers: {
          'Total (USD)': [...r.rows.map((x: Json) => x.total), ...r.totals.map((x: Json) => x.total)],
          Previous: [...r.rows.map((x: Json) => x.previousTotal), ...r.totals.map((x: Json) => x.previousTotal)],
        },
      },
    ],
  },
  'cost:allocation': {
    args: (c) => ['cost', 'allocation', '--db', c.demoDb],
    tables: (r) => [
      {
        headStart: ['Namespace', 'CPU', 'Memory'],
        rows: r.rows.length + 2,
        numbers: {[`Total (${r.currency})`]: [...r.rows.map((x: Json) => x.cost), r.idle.cost, r.totals.total]},
      },
    ],
  },
  forecast: {
    args: (c) => ['forecast', '--db', c.demoDb, '--horizon', '10'],
    tables: (f) => [
      {
        headStart: ['Period'],
        rows: 10,
        numbers: {
          [`Forecast (${f.currency})`]: f.daily.map((p: Json) => p.mean),
          [`${f.level}% low`]: f.daily.map((p: Json) => p.lower),
          [`${f.level}% high`]: f.daily.map((p: Json) => p.upper),
        },
      },
    ],
  },
  recommend: {
    args: (c) => ['recommend', '--db', c.demoDb, '--no-save'],
    tables: (r) => [
      {
        headStart: ['ID', 'Kind', 'Target'],
        rows: r.recommendations.length,
        numbers: {[`Savings/mo (${r.currency})`]: r.recommendations.map((x: Json) => x.monthlySavings)},
        texts: {ID: r.recommendations.map((x: Json) => x.id)},
      },
    ],
  },
  'actions:list': {
    args: (c) => ['actions', 'list', '--db', c.demoDb],
    tables: (r) => [{headStart: ['id', 'when'], rows: r.actions.length, texts: {id: r.actions.map((a: Json) => a.id)}}],
  },
  'anomaly:list': {
    args: (c) => ['anomaly', 'list', '--db', c.demoDb],
    tables: (r) => [
      {
        headStart: ['Id', 'Day'],
        rows: r.anomalies.length,
        numbers: {
          Actual: r.anomalies.map((a: Json) => a.actual),
          Expected: r.anomalies.map((a: Json) => a.expected),
        },
        texts: {Id: r.anomalies.map((a: Json) => a.id)},
      },
    ],
  },
  'budget:list': {
    args: (c) => ['budget', 'list', '--db', c.demoDb],
    tables: (r) => [
      {
        headStart: ['Budget', 'Amount'],
        rows: r.budgets.length,
        numbers: {Amount: r.budgets.map((b: Json) => b.amount)},
        texts: {Budget: r.budgets.map((b: Json) => b.name)},
      },
    ],
  },
  'budget:status': {
    args: (c) => ['budget', 'status', '--db', c.demoDb],
    tables: (r) => [
      {
        headStart: ['Budget', 'Period'],
        rows: r.budgets.length,
        numbers: {
          Amount: r.budgets.map((b: Json) => b.status.amount),
          'Spend to date': r.budgets.map((b: Json) => b.status.actual),
        },
      },
    ],
  },
  'commitments:status': {
    args: (c) => ['commitments', 'status', '--db', c.demoDb],
    tables: (r): ExpectedTable[] => [
      {
        headStart: ['Commitment', 'Type'],
        rows: r.commitments.length,
        numbers: {
          Used: r.commitments.map((c: Json) => c.usedCost),
          Unused: r.commitments.map((c: Json) => c.unusedCost),
        },
        texts: {Commitment: r.commitments.map((c: Json) => c.id)},
      },
      {
        headStart: ['Provider', 'Service', 'Region'],
        rows: r.families.length,
        numbers: {'On-demand paid': r.families.map((f: Json) => f.onDemandCost)},
      },
    ],
  },
  'recommend --kind commitment': {
    args: (c) => ['recommend', '--kind', 'commitment', '--db', c.demoDb],
    tables: (r) =>
      r.recommendations.map((x: Json, nth: number) => ({
        headStart: ['Term', 'Upfront'],
        nth,
        rows: x.options.length,
        numbers: {
          'Per hour': x.options.map((o: Json) => o.hourlyCommitment),
          'Savings/month': x.options.map((o: Json) => o.expectedMonthlySavings),
          'Upfront paid': x.options.map((o: Json) => o.upfront),
        },
        texts: {Upfront: x.options.map((o: Json) => o.payment)},
      })),
  },
  savings: {
    args: (c) => ['savings', '--db', c.savingsDb],
    tables: (r) => [
      {
        headStart: ['action', 'kind', 'workload'],
        rows: r.actions.length,
        numbers: {'promised/mo': r.actions.map((a: Json) => a.promisedMonthly)},
        texts: {action: r.actions.map((a: Json) => a.actionId), kind: r.actions.map((a: Json) => a.kind)},
      },
    ],
  },
  apply: {
    args: (c) => ['apply', '--db', c.applyDb],
    env: (c) => c.applyEnv,
    tables: (r) => [
      {
        headStart: ['status', 'kind', 'workload'],
        rows: r.actions.length,
        numbers: {'savings/mo': r.actions.map((a: Json) => a.monthlySavings)},
        texts: {status: r.actions.map((a: Json) => a.status)},
      },
    ],
  },
}

/** A cell's text as a reader sees it: escapes resolved, `<br>` as a line break; any other HTML fails. */
function cellText(cell: Tokens.TableCell): string {
  return cell.tokens
    .map((t: Token) => {
      if (t.type === 'html') {
        expect(t.raw).toBe('<br>')
        return '\n'
      }
      expect(['text', 'escape']).toContain(t.type)
      return (t as Tokens.Text).text
    })
    .join('')
}

/** Every token of a document, nested ones included. */
function allTokens(tokens: readonly Token[]): Token[] {
  return tokens.flatMap((t) => {
    const nested: Token[] = []
    const withChildren = t as Token & {tokens?: Token[]; header?: Tokens.TableCell[]; rows?: Tokens.TableCell[][]}
    if (withChildren.tokens) nested.push(...allTokens(withChildren.tokens))
    if (withChildren.header) for (const c of withChildren.header) nested.push(...allTokens(c.tokens))
    if (withChildren.rows) for (const row of withChildren.rows) for (const c of row) nested.push(...allTokens(c.tokens))
    return [t, ...nested]
  })
}

const tablesIn = (markdown: string): Tokens.Table[] =>
  marked.lexer(markdown).filter((t): t is Tokens.Table => t.type === 'table')

const amount = (text: string): number => Number(text.replace(/[^0-9.-]/g, ''))

describe('--output markdown (built CLI, parsed by marked)', () => {
  let tmp: ReturnType<typeof tempDir>
  let server: KubeApiServer
  const ctx = {} as Context

  beforeAll(async () => {
    tmp = tempDir()
    const demo = await runCli(['demo', '--dir', path.join(tmp.dir, 'demo')])
    expect(demo.code, demo.stderr).toBe(0)
    ctx.demoDb = path.join(tmp.dir, 'demo', 'finops-demo.db')

    // apply needs a cluster: the wire-level Kubernetes API with the workloads the recommendations name.
    server = await startKubeApi({
      objects: [namespace('shop'), deployment('shop', 'api', {replicas: 3}), deployment('shop', 'web', {replicas: 2})],
    })
    ctx.applyDb = path.join(tmp.dir, 'apply.db')
    const db = openStore(ctx.applyDb)
    saveRecommendations(db, {
      kinds: ['scale-down', 'rightsize', 'spot'],
      namespaces: [],
      currency: 'USD',
      skipped: [],
      recommendations: [
        scaleDownRec('shop', 'api', {replicas: 1, savings: 90}),
        rightsizeRec('shop', 'web', 'app', {cpuRequest: 0.5, memoryRequest: 768 * 2 ** 20}, 40),
      ],
    })
    db.close()
    // savings needs applied actions and the history around them: the realized-savings scenario.
    ctx.savingsDb = path.join(tmp.dir, 'savings.db')
    const savings = openStore(ctx.savingsDb)
    writeScenario(
      savings,
      generateRealizedScenario({
        workloads: 10,
        days: 24,
        prices: {onDemandHourly: 4.608, spotRatio: 0.35, cpuToMemoryRatio: 7.4607},
      }),
      {
        replaceNamespaceHistory,
        replaceClusterHistory,
        markHistoryCoverage,
        insertPending,
        markFinished,
        replaceInventory,
      },
    )
    savings.close()
    const kubeconfig = path.join(tmp.dir, 'kubeconfig')
    fs.writeFileSync(kubeconfig, server.kubeconfig())
    ctx.applyEnv = {KUBECONFIG: kubeconfig, FINOPS_IDENTITY: 'ci@test'}
  }, 240_000)
  afterAll(async () => {
    await server?.close()
    tmp.cleanup()
  })

  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'oclif.manifest.json'), 'utf8')) as {
    commands: Record<string, {flags: Record<string, {options?: string[]}>}>
  }
  const offering = Object.entries(manifest.commands)
    .filter(([, c]) => c.flags.output?.options?.includes('markdown'))
    .map(([id]) => id)
    .sort()

  // Cases named with arguments after the command id are further results of the same command.
  const variants = Object.keys(CASES).filter((id) => id.includes(' '))

  it('is offered by every command that prints a table, and each has a case here', () => {
    expect(offering).toEqual(
      Object.keys(CASES)
        .filter((id) => !variants.includes(id))
        .sort(),
    )
  })

  it.each([...offering, ...variants])('%s: a GFM table with the --json numbers', async (id) => {
    const c = CASES[id]
    expect(c, `add a case for ${id}`).toBeDefined()
    const run = (...extra: string[]): Promise<CliResult> => runCli([...c!.args(ctx), ...extra], {env: c!.env?.(ctx)})
    const [markdown, alias, json] = await Promise.all([run('--output', 'markdown'), run('--markdown'), run('--json')])
    expect(markdown.code, markdown.stderr).toBe(0)
    expect(json.code, json.stderr).toBe(0)
    // apply names its run by the clock: the two runs differ only there.
    const sameRun = (text: string): string => text.replace(/run-\d{8}T\d{6}Z-[0-9a-f]+/g, 'run-ID')
    expect(sameRun(alias.stdout)).toBe(sameRun(markdown.stdout))
    const tables = tablesIn(markdown.stdout)
    const expectedTables = c!.tables(parseJson(json))
    expect(expectedTables.length).toBeGreaterThan(0)
    for (const expected of expectedTables) {
      const table = tables.filter((t) =>
        expected.headStart.every((h, i) => t.header[i] !== undefined && cellText(t.header[i]!) === h),
      )[expected.nth ?? 0]
      expect(table, `a table headed ${expected.headStart.join(' | ')} in:\n${markdown.stdout}`).toBeDefined()
      expect(table!.rows.length).toBe(expected.rows)
      expect(expected.rows).toBeGreaterThan(0)
      const column = (name: string): string[] => {
        const index = table!.header.findIndex((h) => cellText(h) === name)
        expect(index, `column ${name}`).toBeGreaterThanOrEqual(0)
        return table!.rows.map((row) => cellText(row[index]!))
      }
      for (const [name, values] of Object.entries(expected.numbers ?? {})) {
        const index = table!.header.findIndex((h) => cellText(h) === name)
        expect(table!.align[index], `${name} is right-aligned`).toBe('right')
        expect(column(name).map(amount)).toEqual(values.map(round2))
      }
      for (const [name, values] of Object.entries(expected.texts ?? {})) expect(column(name)).toEqual(values)
    }
  })

  it('keeps hostile text inside its cell: pipes, backticks, HTML, newlines, markdown syntax', async () => {
    const hostile = [
      'Pipe | in | name',
      '`code` and ``double``',
      '<script>alert(1)</script>',
      'line one\nline two',
      '**bold** [link](https://example.com) ![img](x.png) ~~gone~~ www.example.org ops@example.com @team',
      '# not a heading & &amp; entity',
    ]
    const csv = path.join(tmp.dir, 'hostile.csv')
    writeFocusCsv(
      csv,
      syntheticRows(
        hostile.map((service, i) => ({account: '111122223333', service, base: 10 * (i + 1)})),
        '2026-01-01',
        '2026-01-31',
      ),
    )
    const db = path.join(tmp.dir, 'hostile.db')
    const imported = await runCli(['collect', 'focus', csv, '--db', db])
    expect(imported.code, imported.stderr).toBe(0)
    const args = ['cost', 'report', '--db', db, '-g', 'service', '--from', '2026-01-01', '--to', '2026-01-31']
    const [markdown, json] = await Promise.all([runCli([...args, '--output', 'markdown']), runCli([...args, '--json'])])
    expect(markdown.code, markdown.stderr).toBe(0)
    const report = parseJson<Json>(json)

    const tokens = marked.lexer(markdown.stdout)
    const tables = tokens.filter((t): t is Tokens.Table => t.type === 'table')
    expect(tables).toHaveLength(1)
    const [table] = tables
    expect(cellText(table!.header[0]!)).toBe('Service')
    expect(table!.rows).toHaveLength(hostile.length + 1)
    for (const row of table!.rows) expect(row).toHaveLength(table!.header.length)
    // Each name is one cell, read back as it was (a newline as a line break), in the report's order.
    expect(table!.rows.slice(0, -1).map((row) => cellText(row[0]!))).toEqual(report.rows.map((r: Json) => r.keys[0]))
    expect(new Set(report.rows.map((r: Json) => r.keys[0]))).toEqual(new Set(hostile))
    // No HTML but the line breaks, no links, code, emphasis or headings came from the data.
    for (const t of allTokens(tokens)) {
      expect(['html', 'link', 'image', 'codespan', 'strong', 'em', 'del', 'heading', 'code']).not.toContain(
        t.type === 'html' && t.raw === '<br>' ? 'ok' : t.type === 'heading' && t.depth === 3 ? 'ok' : t.type,
      )
    }
    const html = await marked.parse(markdown.stdout)
    expect(html).not.toMatch(/<script/i)
    expect(html).not.toMatch(/<a |<img |<code>|<strong>|<em>|<del>/)
  })
})
