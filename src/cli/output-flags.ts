import {Flags} from '@oclif/core'

import {formatsFor, type OutputFormatName} from '../output/registry.js'
import type {ResultKind} from '../output/result-kinds.js'

/**
 * `--output <format>` for a command whose results are of these kinds, offering exactly the formats
 * that render them, plus `--csv` and `--markdown` as the aliases of `--output csv|markdown` where they apply (`--json` is
 * oclif's own flag and the alias of `--output json`), and `--out FILE`.
 */
export function outputFlags(kinds: readonly ResultKind[], options: {default?: OutputFormatName} = {}) {
  const names = formatsFor(kinds)
  const fallback = options.default ?? 'table'
  return {
    output: Flags.string({
      description:
        `output format (--json is --output ` +
        `json${names.includes('csv') ? ', --csv is --output csv' : ''}${names.includes('markdown') ? ', --markdown is --output markdown' : ''})`,
      options: names,
      default: fallback,
      exclusive: ['json'],
      helpGroup: 'OUTPUT',
    }),
    ...(names.includes('csv')
      ? {
          csv: Flags.boolean({
            description: 'alias of --output csv',
            exclusive: ['json', 'output', 'markdown'],
            helpGroup: 'OUTPUT',
          }),
        }
      : {}),
    ...(names.includes('markdown')
      ? {
          markdown: Flags.boolean({
            description: 'alias of --output markdown',
            exclusive: ['json', 'output', 'csv'],
            helpGroup: 'OUTPUT',
          }),
        }
      : {}),
    out: Flags.string({
      description: 'write the output to this file instead of stdout (binary formats need it)',
      helpGroup: 'OUTPUT',
    }),
  }
}
