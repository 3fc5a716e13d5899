import {z} from 'zod'

import {isFinopsError} from '../errors.js'
import type {Db} from '../store/open.js'
import {athenaCollector} from './athena/source.js'
import {awsCollector} from './aws/source.js'
import {azureCollector} from './azure/source.js'
import {focusCollector} from './focus/source.js'
import {gcpCollector} from './gcp/source.js'
import type {RunSettings, SourceCollector} from './source-collector.js'

/**
 * The billing sources, keyed as in `sources:` of finops.yaml. A new source is one folder under
 * collectors/ exporting a SourceCollector, plus one line here: `collect all`, the collect step of
 * `finops run`, the `sources:` config schema and the `collect all --json` contract follow.
 * (A `collect <source>` command with its own flags is an optional one-file shell in commands/collect/.)
 */
export const sourceCollectors = {
  aws: awsCollector,
  azure: azureCollector,
  gcp: gcpCollector,
  focus: focusCollector,
  athena: athenaCollector,
} as const satisfies Record<string, SourceCollector>

export type SourceKind = keyof typeof sourceCollectors

export const SOURCE_KINDS = Object.keys(sourceCollectors) as [SourceKind, ...SourceKind[]]

/** One `sources.<kind>` entry, as validated (defaults applied). */
export type SourceConfig<K extends SourceKind> = z.output<(typeof sourceCollectors)[K]['config']>

/** What collecting one `sources.<kind>` entry returns. */
export type SourceResult<K extends SourceKind> = z.output<(typeof sourceCollectors)[K]['result']>

/** The lists under `sources:`, one per kind (absent when finops.yaml lists none). */
export type SourceEntries = {[K in SourceKind]?: SourceConfig<K>[]}

/** Collects one entry of a source; its implementation and SDK are imported now, not at start-up. */
export function collectSource<K extends SourceKind>(
  db: Db,
  kind: K,
  entry: SourceConfig<K>,
  run: RunSettings,
): Promise<SourceResult<K>> {
  const collector = sourceCollectors[kind] as unknown as SourceCollector<
    z.ZodType<SourceConfig<K>>,
    z.ZodType<SourceResult<K>>
  >
  return collector.collect(db, entry, run)
}

/** How many entries `sources:` lists over every kind. */
export const countSources = (sources: SourceEntries): number =>
  SOURCE_KINDS.reduce((n, kind) => n + (sources[kind]?.length ?? 0), 0)

const errorSchema = z.strictObject({
  code: z.string(),
  message: z.string(),
  suggestion: z.string().optional(),
  exit: z.int(),
})

/** One source's outcome in `collect all`, per kind: its entry's name, and its result or its error. */
export const sourceOutcomeSchema = z.discriminatedUnion(
  'kind',
  SOURCE_KINDS.map((kind) =>
    z.strictObject({
      kind: z.literal(kind),
      name: z.string().describe('profile or billing account, scope, table, or path'),
      ok: z.boolean(),
      result: sourceCollectors[kind].result.optional(),
      error: errorSchema.optional(),
    }),
  ) as unknown as [z.ZodObject, ...z.ZodObject[]],
)

export type SourceOutcome = {
  [K in SourceKind]: {
    kind: K
    name: string
    ok: boolean
    result?: SourceResult<K>
    error?: z.output<typeof errorSchema>
  }
}[SourceKind]

/** `collect all --json`. */
export const collectAllSchema = z.strictObject({sources: z.array(sourceOutcomeSchema)})

/**
 * Collects every source in `sources:`, one after another, in registry order. Each source lands (or
 * not) on its own: one failing leaves the others' results and its own store rows and watermark untouched.
 */
export async function collectAllSources(
  db: Db,
  sources: SourceEntries,
  run: RunSettings,
  onDone?: (outcome: SourceOutcome) => void,
): Promise<SourceOutcome[]> {
  const outcomes: SourceOutcome[] = []
  for (const kind of SOURCE_KINDS) {
    const collector = sourceCollectors[kind] as unknown as SourceCollector
    for (const entry of sources[kind] ?? []) {
      const name = collector.entryName(entry)
      let outcome: SourceOutcome
      try {
        outcome = {kind, name, ok: true, result: await collector.collect(db, entry, run)} as SourceOutcome
      } catch (error) {
        if (!isFinopsError(error)) throw error
        outcome = {
          kind,
          name,
          ok: false,
          error: {code: error.code, message: error.message, suggestion: error.suggestion, exit: error.exit},
        }
      }
      outcomes.push(outcome)
      onDone?.(outcome)
    }
  }
  return outcomes
}

export type {RunSettings} from './source-collector.js'
