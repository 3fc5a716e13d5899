import {createRequire} from 'node:module'

import type CliTable from 'cli-table3'

import {drawPlainTable} from './plain-table.js'

/**
 * What a command prints for people, before it is drawn: lines of text and tables. The terminal
 * (`--output table`) and markdown (`--output markdown`) draw the same document, so every table a
 * command prints has both forms and they cannot drift apart.
 */
export type TextBlock = {kind: 'text'; lines: string[]} | TableBlock

export type ColumnAlign = 'left' | 'right'

export interface TableBlock {
  kind: 'table'
  /** The line that says what the table is (the terminal prints it above the table, markdown as a heading). */
  caption?: string
  head: string[]
  /** Per column; columns past the end are left-aligned. Numbers are right-aligned. */
  align?: ColumnAlign[]
  rows: string[][]
  /** How the terminal draws it: compact (no rule between rows, the default) and wrapped columns. */
  terminal?: {compact?: boolean; colWidths?: (number | null)[]; wordWrap?: boolean}
}

export type TextDocument = TextBlock[]

/** One column of a table: its heading, its alignment (numbers right) and each row's cell. */
export interface Column<T> {
  head: string
  align?: ColumnAlign
  cell: (item: T) => string
}

/** A table laid out by its columns, so a heading, its alignment and its cells cannot drift apart. */
export function columnsTable<T>(
  caption: string | undefined,
  columns: readonly Column<T>[],
  items: readonly T[],
): TableBlock {
  return {
    kind: 'table',
    ...(caption === undefined ? {} : {caption}),
    head: columns.map((c) => c.head),
    align: columns.map((c) => c.align ?? 'left'),
    rows: items.map((item) => columns.map((c) => c.cell(item))),
  }
}

export const textBlock = (...lines: string[]): TextBlock => ({kind: 'text', lines})

/** The terminal view: text lines as they are, tables drawn by cli-table3; blocks one after another. */
export function renderDocumentText(doc: TextDocument): string {
  return doc.map((block) => (block.kind === 'text' ? block.lines.join('\n') : renderTerminalTable(block))).join('\n')
}

// Loaded on the first table that needs it: most tables are drawn by drawPlainTable, and a command
// that prints none (or --json) does not pay for cli-table3's modules at start-up.
let cliTable: typeof CliTable | undefined
const loadCliTable = (): typeof CliTable =>
  (cliTable ??= createRequire(import.meta.url)('cli-table3') as typeof CliTable)

function renderTerminalTable(block: TableBlock): string {
  const plain = drawPlainTable(block)
  if (plain !== undefined) return block.caption === undefined ? plain : `${block.caption}\n${plain}`
  const Table = loadCliTable()
  const table = new Table({
    head: block.head,
    style: {head: [], border: [], compact: block.terminal?.compact ?? true},
    ...(block.align ? {colAligns: block.align} : {}),
    ...(block.terminal?.wordWrap ? {wordWrap: true} : {}),
    ...(block.terminal?.colWidths ? {colWidths: block.terminal.colWidths} : {}),
  })
  for (const row of block.rows) table.push(row)
  const drawn = table.toString()
  return block.caption === undefined ? drawn : `${block.caption}\n${drawn}`
}

/** Builds a document line by line: consecutive lines become one text block, tables go between them. */
export class DocumentBuilder {
  private readonly blocks: TextBlock[] = []
  private lines: string[] = []

  line(...lines: string[]): this {
    this.lines.push(...lines)
    return this
  }

  table(table: TableBlock): this {
    this.flush()
    this.blocks.push(table)
    return this
  }

  build(): TextDocument {
    this.flush()
    return this.blocks
  }

  private flush(): void {
    if (this.lines.length > 0) this.blocks.push(textBlock(...this.lines))
    this.lines = []
  }
}
