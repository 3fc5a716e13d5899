import {z} from 'zod'

import {MIN_IMPORT_MEMORY, parseByteSize} from '../../collectors/focus/budget.js'

const byteSize = z
  .string()
  .refine((v) => parseByteSize(v) !== undefined, {error: 'must be a size such as 512MB, 1GiB or 768Mi'})
  .refine((v) => (parseByteSize(v) ?? 0) >= MIN_IMPORT_MEMORY, {error: 'must be at least 64MiB'})

/**
 * `import:` in finops.yaml: the FOCUS import's resources. The budget bounds the whole import process
 * (DuckDB spills beyond its share of it), so it can be set just under a container's memory limit.
 */
export const importSection = z
  .strictObject({
    memory: byteSize
      .optional()
      .describe('Memory budget of a FOCUS import, e.g. 512MB (the default, half the CronJob limit) or 2GiB'),
    tempDirectory: z
      .string()
      .min(1)
      .optional()
      .describe("Where the import spills beyond its memory budget (default: the store's directory)"),
  })
  .default({})

export type ImportSettings = z.infer<typeof importSection>
