import {z} from 'zod'

import {type SourceConfig, SOURCE_KINDS, type SourceKind, sourceCollectors} from '../../collectors/registry.js'

/** One entry or a list: `aws: {profile: payer}` and `aws: [{profile: a}, {profile: b}]` both work. */
const oneOrMany = <T extends z.ZodType>(schema: T) =>
  z.preprocess(
    (v) => (v === undefined || v === null || Array.isArray(v) ? (v ?? undefined) : [v]),
    z.array(schema).optional(),
  )

type OneOrMany<T extends z.ZodType> = ReturnType<typeof oneOrMany<T>>
type ConfigOf<K extends SourceKind> = (typeof sourceCollectors)[K]['config']

/** One list per registered source: `sources.aws`, `sources.azure`, ... each validated by its collector's schema. */
const sourceLists = Object.fromEntries(
  SOURCE_KINDS.map((kind) => [kind, oneOrMany(sourceCollectors[kind].config)]),
) as unknown as {[K in SourceKind]: OneOrMany<ConfigOf<K>>}

/**
 * `sources:` in finops.yaml: the billing sources `finops collect all` collects, each validated so an
 * error names the field (`sources.azure.0.scope: ...`). One entry or a list per source.
 */
export const sourcesSection = z
  .strictObject({
    restatementDays: z
      .int()
      .min(0)
      .max(60)
      .default(3)
      .describe(
        'Days before the watermark re-collected on every run (providers restate recent days); the current month is always re-collected',
      ),
    initialDays: z.int().min(1).max(400).default(90).describe('Days the first run of a source collects'),
    retry: z
      .strictObject({
        maxAttempts: z.int().min(1).max(10).default(5).describe('Attempts per request, the first included'),
        baseDelayMs: z
          .int()
          .min(0)
          .max(60_000)
          .default(1000)
          .describe('First backoff step; doubled per retry, with full jitter'),
        maxDelayMs: z
          .int()
          .min(0)
          .max(300_000)
          .default(30_000)
          .describe('Longest single wait; a longer retry-after ends the run'),
      })
      .prefault({}),
    ...sourceLists,
  })
  .prefault({})

export type SourcesConfig = z.infer<typeof sourcesSection>
export type AwsSourceConfig = SourceConfig<'aws'>
export type AzureSourceConfig = SourceConfig<'azure'>
export type GcpSourceConfig = SourceConfig<'gcp'>
export type AthenaSourceConfig = SourceConfig<'athena'>
