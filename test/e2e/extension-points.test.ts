import {execFile} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {promisify} from 'node:util'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {type CliResult, fixturesDir, parseJson, repoRoot, tempDir} from '../helpers/cli.js'
import {SEED_NOW, seedRecommendStore} from '../helpers/seed-store.js'
import type {CostForecast} from '../../forecasters/types.js'
import type {RecommendReport} from '../../src/recommend/from-store.js'
import type {SourceOutcome} from '../../src/collectors/registry.js'

/**
 * The code map's promise, checked for real: each extension point takes one folder plus one registry
 * line. A copy of the source tree gets the example entries of fixtures/extension-examples/ (one folder
 * each) and one entry (its import and its key) in each registry, nothing else; the copy must then
 * type-check and build, and its CLI must offer the new entries wherever the registries reach.
 */

const exec = promisify(execFile)
const examples = path.join(fixturesDir, 'extension-examples')
const TREES = ['src', 'commands', 'forecasters', 'recommenders', 'bin']
const FILES = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/oclif-manifest.mjs']

/** The one registry line each example needs: its import, and its key in the registry object. */
const REGISTRY_LINES = [
  {
    file: 'src/collectors/registry.ts',
    line: `  'flat-rate': flatRateCollector,`,
    importLine: `import {flatRateCollector} from './flat-rate/source.js'`,
  },
  {
    file: 'recommenders/registry.ts',
    line: `  'nonprod-replicas': nonprodReplicas,`,
    importLine: `import {nonprodReplicas} from './nonprod-replicas/index.js'`,
  },
  {
    file: 'forecasters/registry.ts',
    line: `  'weekday-mean': weekdayMean,`,
    importLine: `import {weekdayMean} from './models/weekday-mean.js'`,
  },
  {
    file: 'src/output/registry.ts',
    line: `  ndjson: ndjsonFormat,`,
    importLine: `import {ndjsonFormat} from './formats/ndjson.js'`,
  },
]

/** Adds an import after the last import and a key as the last entry of the registry object. */
function addRegistryLine(source: string, importLine: string, line: string): string {
  const lines = source.split('\n')
  const lastImport = lines.findLastIndex((l) => l.startsWith('import '))
  lines.splice(lastImport + 1, 0, importLine)
  const close = lines.findIndex((l) => /^} as const satisfies Record<string, /.test(l))
  if (close < 0) throw new Error('no registry object found')
  lines.splice(close, 0, line)
  return lines.join('\n')
}

function filesUnder(root: string, dir = ''): string[] {
  return fs
    .readdirSync(path.join(root, dir), {withFileTypes: true})
    .flatMap((e) => (e.isDirectory() ? filesUnder(root, path.join(dir, e.name)) : [path.join(dir, e.name)]))
}

let work: {dir: string; cleanup: () => void}
let overlay: string
let db: string

/** Runs the copy's built CLI, as users run it. */
async function runOverlay(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  try {
    const {stdout, stderr} = await exec(process.execPath, [path.join(overlay, 'bin', 'run.js'), ...args], {
      cwd: work.dir,
      env: {...process.env, FINOPS_DB: '', FORCE_COLOR: '0', NO_COLOR: '1', ...env},
      maxBuffer: 64 * 2 ** 20,
    })
    return {code: 0, stdout, stderr}
  } catch (error) {
    const e = error as {code?: number; stdout?: string; stderr?: string}
    if (typeof e.code !== 'number') throw error
    return {code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? ''}
  }
}

/** A module of the copy's build (its registries and contracts, with the examples registered). */
const overlayModule = <T>(file: string): Promise<T> =>
  import(pathToFileURL(path.join(overlay, 'dist', file)).href) as Promise<T>

/** Runs a build step in the copy, failing with the compiler's own messages. */
async function build(cwd: string, args: string[]): Promise<void> {
  try {
    await exec(process.execPath, args, {cwd, maxBuffer: 64 * 2 ** 20})
  } catch (error) {
    const e = error as {stdout?: string; stderr?: string}
    throw new Error(`${args.join(' ')} failed in the copy:\n${e.stdout ?? ''}${e.stderr ?? ''}`, {cause: error})
  }
}

const FINOPS_NOW = '2024-06-01T06:00:00Z'
const configFile = () => path.join(work.dir, 'finops.yaml')

beforeAll(async () => {
  work = tempDir('finops-extension-points-')
  overlay = path.join(work.dir, 'repo')
  for (const tree of TREES) fs.cpSync(path.join(repoRoot, tree), path.join(overlay, tree), {recursive: true})
  for (const file of FILES) fs.cpSync(path.join(repoRoot, file), path.join(overlay, file))
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(overlay, 'node_modules'), 'dir')
  fs.cpSync(examples, overlay, {recursive: true, filter: (src) => !src.endsWith('README.md')})
  for (const {file, line, importLine} of REGISTRY_LINES) {
    const target = path.join(overlay, file)
    fs.writeFileSync(target, addRegistryLine(fs.readFileSync(target, 'utf8'), importLine, line))
  }
  // The compiler accepts the copy as it is: nothing else needed editing.
  await build(overlay, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'])
  await build(overlay, ['scripts/oclif-manifest.mjs'])

  db = path.join(work.dir, 'finops.db')
  fs.writeFileSync(
    configFile(),
    [
      'sources:',
      '  initialDays: 150',
      '  flat-rate:',
      '    - {vendor: Acme Observability, account: C-1042, dailyCost: 120, weekendCost: 40}',
      '',
    ].join('\n'),
  )
}, 600_000)

afterAll(() => work?.cleanup())

describe('extension points: one folder plus one registry line each (built copy of the tree)', () => {
  it('the copy differs from the repository by the example folders and one registry entry per registry', () => {
    const added = TREES.flatMap((tree) => filesUnder(path.join(overlay, tree)).map((f) => path.join(tree, f))).filter(
      (f) => !fs.existsSync(path.join(repoRoot, f)),
    )
    expect(added.sort()).toEqual([
      'forecasters/models/weekday-mean.ts',
      'recommenders/nonprod-replicas/index.ts',
      'recommenders/nonprod-replicas/recommend.ts',
      'src/collectors/flat-rate/source.ts',
      'src/output/formats/ndjson.ts',
    ])
    const changed = TREES.flatMap((tree) =>
      filesUnder(path.join(repoRoot, tree)).map((f) => path.join(tree, f)),
    ).filter((f) => !fs.readFileSync(path.join(repoRoot, f)).equals(fs.readFileSync(path.join(overlay, f))))
    expect(changed.sort()).toEqual(REGISTRY_LINES.map((r) => r.file).sort())
    for (const {file, line, importLine} of REGISTRY_LINES) {
      const before = fs.readFileSync(path.join(repoRoot, file), 'utf8').split('\n')
      const after = fs.readFileSync(path.join(overlay, file), 'utf8').split('\n')
      expect(
        after.filter((l) => !before.includes(l)),
        file,
      ).toEqual([importLine, line])
      expect(after.length - before.length, file).toBe(2)
    }
  })

  it('collector: finops.yaml takes sources.flat-rate, collect all and finops run collect it into the store', async () => {
    const bad = path.join(work.dir, 'bad.yaml')
    fs.writeFileSync(bad, 'sources:\n  flat-rate:\n    - {vendor: Acme, account: C-1, dailyCost: -5}\n')
    const refused = await runOverlay(['collect', 'all', '--config', bad, '--db', path.join(work.dir, 'bad.db')])
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toMatch(/sources\.flat-rate\.0\.dailyCost/)
    expect(fs.existsSync(path.join(work.dir, 'bad.db'))).toBe(false)

    const collected = await runOverlay(['collect', 'all', '--config', configFile(), '--db', db, '--json'], {
      FINOPS_NOW,
    })
    expect(collected.code, collected.stderr).toBe(0)
    const {sources} = parseJson<{sources: SourceOutcome[]}>(collected)
    expect(sources.map((s) => [s.kind, s.name, s.ok])).toEqual([['flat-rate', 'Acme Observability/C-1042', true]])
    const {collectAllSchema} =
      await overlayModule<typeof import('../../src/collectors/registry.js')>('src/collectors/registry.js')
    expect(collectAllSchema.safeParse({sources}).success).toBe(true)
    const result = sources[0]!.result as {window: {from: string; to: string}; rollupRows: number}
    expect(result.window).toEqual({from: '2024-01-03', to: '2024-05-31'})
    expect(result.rollupRows).toBe(150)

    const report = await runOverlay(
      ['cost', 'report', '--db', db, '--from', '2024-05-01', '--to', '2024-05-31', '--group-by', 'provider', '--json'],
      {FINOPS_NOW},
    )
    expect(report.code, report.stderr).toBe(0)
    // May 2024: 23 weekdays at 120, 8 weekend days at 40.
    const rows = parseJson<{rows: {keys: string[]; total: number}[]}>(report).rows
    expect(rows.map((r) => [r.keys, r.total])).toEqual([[['Acme Observability'], 23 * 120 + 8 * 40]])

    // The collect step of the CronJob's run goes through the same registry.
    const runConfig = path.join(work.dir, 'run.yaml')
    fs.writeFileSync(runConfig, `${fs.readFileSync(configFile(), 'utf8')}run:\n  steps: [collect]\n`)
    const run = await runOverlay(['run', '--config', runConfig, '--db', path.join(work.dir, 'run.db')], {FINOPS_NOW})
    expect(run.code, run.stderr).toBe(0)
    const steps = `${run.stdout}\n${run.stderr}`
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as {step?: string; status?: string})
    expect(steps.find((s) => s.step === 'collect')?.status).toBe('ok')

    const help = await runOverlay(['collect', 'all', '--help'])
    expect(help.stdout).toMatch(/flat-rate/)
  })

  it('forecast model: weekday-mean is a candidate, backtested, selectable in finops.yaml', async () => {
    const {MODEL_NAMES} = await overlayModule<typeof import('../../forecasters/registry.js')>('forecasters/registry.js')
    expect(MODEL_NAMES).toContain('weekday-mean')
    const all = await runOverlay(['forecast', '--db', db, '--horizon', '14', '--backtest', '--json'], {FINOPS_NOW})
    expect(all.code, all.stderr).toBe(0)
    const forecast = parseJson<CostForecast>(all)
    const {forecastSchema} = await overlayModule<typeof import('../../forecasters/schema.js')>('forecasters/schema.js')
    expect(forecastSchema.safeParse(forecast).success).toBe(true)
    const backtested = forecast.currencies.flatMap((c) => c.backtest.map((b) => b.model))
    expect(backtested).toContain('weekday-mean')

    const only = path.join(work.dir, 'model.yaml')
    fs.writeFileSync(only, 'forecast:\n  models: [weekday-mean]\n')
    const chosen = await runOverlay(['forecast', '--config', only, '--db', db, '--horizon', '14', '--json'], {
      FINOPS_NOW,
    })
    expect(chosen.code, chosen.stderr).toBe(0)
    expect(parseJson<CostForecast>(chosen).model).toBe('weekday-mean')
    // The flat weekly pattern repeats: a weekday forecast is 120, a weekend day 40.
    const daily = parseJson<CostForecast>(chosen).daily!
    expect(daily.find((d) => d.date === '2024-06-03')?.mean).toBeCloseTo(120, 6)
    expect(daily.find((d) => d.date === '2024-06-01')?.mean).toBeCloseTo(40, 6)
  })

  it('output format: --output ndjson renders a cost report, and is refused where it renders nothing', async () => {
    const lines = await runOverlay(
      [
        'cost',
        'report',
        '--db',
        db,
        '--from',
        '2024-05-01',
        '--to',
        '2024-05-31',
        '--group-by',
        'provider',
        '--output',
        'ndjson',
      ],
      {FINOPS_NOW},
    )
    expect(lines.code, lines.stderr).toBe(0)
    expect(
      lines.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as unknown),
    ).toEqual([{provider: 'Acme Observability', currency: 'USD', total: 3080, previousTotal: expect.any(Number)}])
    const help = await runOverlay(['cost', 'report', '--help'])
    expect(help.stdout).toMatch(/ndjson/)
    const refused = await runOverlay(['forecast', '--db', db, '--output', 'ndjson'], {FINOPS_NOW})
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/ndjson/)
  })

  it('recommendation kind: --kind nonprod-replicas runs, its ids carry np-, apply never changes it', async () => {
    const store = path.join(work.dir, 'cluster.db')
    seedRecommendStore(store)
    const help = await runOverlay(['recommend', '--help'])
    expect(help.stdout).toMatch(/nonprod-replicas/)
    const result = await runOverlay(['recommend', '--db', store, '--kind', 'nonprod-replicas', '--json'], {
      FINOPS_NOW: SEED_NOW,
    })
    expect(result.code, result.stderr).toBe(0)
    const report = parseJson<RecommendReport>(result)
    const {recommendReportSchema} =
      await overlayModule<typeof import('../../recommenders/schema.js')>('recommenders/schema.js')
    expect(recommendReportSchema.safeParse(report).success).toBe(true)
    // The fixture cluster's staging namespace runs web and api at two replicas each.
    expect(report.recommendations.map((r) => [r.kind, r.target.namespace, r.target.name, r.proposed.replicas])).toEqual(
      expect.arrayContaining([
        ['nonprod-replicas', 'staging', 'web', 1],
        ['nonprod-replicas', 'staging', 'api', 1],
      ]),
    )
    for (const r of report.recommendations) expect(r.id).toMatch(/^np-[0-9a-f]{10}$/)

    const registry = await overlayModule<typeof import('../../recommenders/registry.js')>('recommenders/registry.js')
    expect(registry.RUN_ORDER.at(-1)).toBe('nonprod-replicas')
    expect(registry.APPLY_KINDS).not.toContain('nonprod-replicas')

    // Every kind together: the new kind runs last and the table names its change.
    const table = await runOverlay(['recommend', '--db', store, '--no-save'], {FINOPS_NOW: SEED_NOW})
    expect(table.code, table.stderr).toBe(0)
    expect(table.stdout).toMatch(/2 -> 1 replicas/)

    const apply = await runOverlay(['apply', '--db', store, '--kind', 'nonprod-replicas'], {FINOPS_NOW: SEED_NOW})
    expect(apply.code).toBe(2)
    expect(apply.stderr).toMatch(/unknown kind nonprod-replicas/)
  })
})
