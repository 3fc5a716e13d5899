import type {TableBlock, TextDocument} from './text-document.js'

/**
 * GitHub-flavoured markdown of a text document, for pull-request comments and wikis: text as
 * paragraphs (one line each, as in the terminal), each table as a GFM table under its caption.
 * Every piece of text is escaped, so a tag value, workload name or reason cannot break a table,
 * start a list or heading, or pass raw HTML through.
 */
export function renderDocumentMarkdown(doc: TextDocument): string {
  const parts: string[] = []
  for (const block of doc) {
    if (block.kind === 'table') parts.push(markdownTable(block))
    else parts.push(...paragraphs(block.lines))
  }
  return `${parts.filter((p) => p !== '').join('\n\n')}\n`
}

/** Lines become paragraphs; consecutive lines stay one paragraph with a hard break between them. */
function paragraphs(lines: readonly string[]): string[] {
  const out: string[] = []
  let current: string[] = []
  const flush = (): void => {
    if (current.length > 0) out.push(current.join('\\\n'))
    current = []
  }
  for (const line of lines.flatMap((l) => l.split(/\r\n|\r|\n/))) {
    if (line.trim() === '') flush()
    else current.push(escapeLineStart(escapeInline(line.trim())))
  }
  flush()
  return out
}

function markdownTable(block: TableBlock): string {
  const width = block.head.length
  const row = (cells: readonly string[]): string =>
    `| ${Array.from({length: width}, (_, i) => escapeCell(cells[i] ?? '')).join(' | ')} |`
  const rule = `|${Array.from({length: width}, (_, i) => (block.align?.[i] === 'right' ? ' ---: ' : ' --- ')).join('|')}|`
  const table = [row(block.head), rule, ...block.rows.map(row)].join('\n')
  return block.caption === undefined
    ? table
    : `### ${escapeInline(block.caption.replace(/\s*[\r\n]+\s*/g, ' ').trim()).replace(/#/g, '\\#')}\n\n${table}`
}

/**
 * Markdown punctuation that could change the meaning of text anywhere in a line: code spans,
 * emphasis, links and images, raw HTML and entities, strikethrough, table pipes. (`>` and `#`
 * only matter at the start of a line, which escapeLineStart handles, so `cpu 1 -> 250m` stays readable.)
 */
const INLINE_SPECIAL = /[\\`*_[\]<|~&]/g

/**
 * Escapes text for anywhere in a line. GFM also turns bare URLs, `www.` names and e-mail addresses
 * into links (and GitHub turns `@name` into a mention): a backslash before their `:`, `.` or `@`
 * keeps data from becoming a link or pinging someone.
 */
export const escapeInline = (text: string): string =>
  text
    .replace(/\t/g, ' ')
    .replace(INLINE_SPECIAL, '\\$&')
    .replace(/@/g, '\\@')
    .replace(/\b(https?|ftp|mailto|xmpp):/gi, '$1\\:')
    .replace(/\b(www)\./gi, '$1\\.')

/** Block syntax only matters at the start of a line: list items, ordered lists, setext underlines, quotes. */
function escapeLineStart(line: string): string {
  return line.replace(/^([-+=>#])/, '\\$1').replace(/^(\d+)([.)])/, '$1\\$2')
}

/** A table cell: escaped, newlines as `<br>` (how GFM tables show a line break), no surrounding space. */
function escapeCell(text: string): string {
  return text
    .trim()
    .split(/\r\n|\r|\n/)
    .map((line) => escapeInline(line.trim()))
    .join('<br>')
}
