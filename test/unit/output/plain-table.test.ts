import Table from 'cli-table3'
import {describe, expect, it} from 'vitest'

import {drawPlainTable} from '../../../src/output/plain-table.js'
import {renderDocumentText, type TableBlock} from '../../../src/output/text-document.js'
import {seededRandom} from '../../../src/seeded-random.js'

/** What cli-table3 draws for the block, as renderDocumentText drew every table before. */
function cliTable3(block: TableBlock): string {
  const table = new Table({
    head: block.head,
    style: {head: [], border: [], compact: block.terminal?.compact ?? true},
    ...(block.align ? {colAligns: block.align} : {}),
  })
  for (const row of block.rows) table.push(row)
  return table.toString()
}

const PLAIN_CELLS = ['', ' ', 'EC2', '(none)', '1,234.56', '-0.01', '+12.3%', 'new', '▁▂▃▄▅▆▇█', 'a  b', '%$#@!~`|']

function randomBlock(rand: () => number): TableBlock {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(rand() * values.length)]!
  const columns = 1 + Math.floor(rand() * 6)
  const cell = (): string =>
    rand() < 0.3 ? pick(PLAIN_CELLS) : Array.from({length: Math.floor(rand() * 12)}, () => pick(PLAIN_CELLS)).join('')
  return {
    kind: 'table',
    head: Array.from({length: columns}, cell),
    align:
      rand() < 0.8 ? Array.from({length: columns - Math.floor(rand() * 2)}, () => pick(['left', 'right'])) : undefined,
    rows: Array.from({length: Math.floor(rand() * 8)}, () => Array.from({length: columns}, cell)),
  }
}

describe('drawPlainTable', () => {
  it('draws 500 random tables of plain cells byte for byte as cli-table3 does', () => {
    const rand = seededRandom(25)
    for (let i = 0; i < 500; i++) {
      const block = randomBlock(rand)
      expect(drawPlainTable(block), JSON.stringify(block)).toBe(cliTable3(block))
    }
  })

  it('leaves to cli-table3 the tables whose cells it cannot measure by their length', () => {
    const block = (cells: string[], extra: Partial<TableBlock> = {}): TableBlock => ({
      kind: 'table',
      head: ['Key', 'Total'],
      rows: [cells],
      ...extra,
    })
    for (const cells of [
      ['платёжи', '1.00'],
      ['日本', '1.00'],
      ['e\u0301', '1'],
      ['two\nlines', '1'],
      ['\x1b[31mred', '1'],
    ]) {
      expect(drawPlainTable(block(cells)), cells[0]).toBeUndefined()
      // The document still draws it, through cli-table3.
      expect(renderDocumentText([block(cells)])).toBe(cliTable3(block(cells)))
    }
    expect(drawPlainTable(block(['a']))).toBeUndefined()
    expect(drawPlainTable(block(['a', 'b'], {terminal: {compact: false}}))).toBeUndefined()
    expect(drawPlainTable(block(['a', 'b'], {terminal: {wordWrap: true}}))).toBeUndefined()
    expect(drawPlainTable(block(['a', 'b'], {head: []}))).toBeUndefined()
  })

  it('is what the document draws for plain tables, caption first', () => {
    const block: TableBlock = {
      kind: 'table',
      caption: 'Costs',
      head: ['Service', 'Total'],
      align: ['left', 'right'],
      rows: [['EC2', '10.00']],
    }
    expect(renderDocumentText([block])).toBe(`Costs\n${cliTable3(block)}`)
  })
})
