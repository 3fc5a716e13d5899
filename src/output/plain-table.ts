import type {TableBlock} from './text-document.js'

/**
 * cli-table3's compact box table drawn directly, for the tables whose every cell is one line of
 * characters one column wide (printable ASCII and the sparkline's blocks): there the width of a
 * cell is its length, and the output is byte for byte what cli-table3 draws. cli-table3 measures
 * and lays out each cell through several objects and regular expressions, which was most of the
 * time of a report with a few hundred rows; any other table (wide or combining characters, line
 * breaks, ragged rows, fixed widths, wrapping) returns undefined and is left to cli-table3.
 */
export function drawPlainTable(block: TableBlock): string | undefined {
  const {head, rows, terminal} = block
  if (head.length === 0 || terminal?.colWidths || terminal?.wordWrap || terminal?.compact === false) return undefined
  const widths = head.map((cell) => cell.length)
  if (!head.every(isPlain)) return undefined
  for (const row of rows) {
    if (row.length !== head.length) return undefined
    for (let i = 0; i < row.length; i++) {
      const cell = row[i]!
      if (!isPlain(cell)) return undefined
      if (cell.length > widths[i]!) widths[i] = cell.length
    }
  }
  const right = head.map((_, i) => block.align?.[i] === 'right')
  const rule = (left: string, middle: string, end: string): string =>
    left + widths.map((w) => '─'.repeat(w + 2)).join(middle) + end
  const line = (cells: readonly string[]): string =>
    '│' +
    cells
      .map((cell, i) => {
        const pad = ' '.repeat(widths[i]! - cell.length)
        return right[i] ? ` ${pad}${cell} ` : ` ${cell}${pad} `
      })
      .join('│') +
    '│'
  const out = [rule('┌', '┬', '┐'), line(head)]
  if (rows.length > 0) out.push(rule('├', '┼', '┤'))
  for (const row of rows) out.push(line(row))
  out.push(rule('└', '┴', '┘'))
  return out.join('\n')
}

// Printable ASCII and the sparkline's eight blocks (U+2581-U+2588): one column each, for cli-table3 too.
const PLAIN = /^[\x20-\x7e\u2581-\u2588]*$/

const isPlain = (cell: unknown): cell is string => typeof cell === 'string' && PLAIN.test(cell)
