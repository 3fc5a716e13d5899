import {formatForEveryKind} from '../output-format.js'

/**
 * The result itself, as the command's published JSON Schema describes it (docs/schemas). On stdout
 * oclif prints it (`--json` and `--output json` are the same), errors included as `{error}`.
 */
export const jsonFormat = formatForEveryKind({
  description: 'the result as JSON (the contract in docs/schemas)',
  writes: 'text',
  render: (data) => `${JSON.stringify(data, null, 2)}\n`,
})
