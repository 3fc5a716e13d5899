import fs from 'node:fs'
import path from 'node:path'
import {marked, type Token, type Tokens} from 'marked'
import {describe, expect, it} from 'vitest'

import {renderDocumentMarkdown} from '../../../src/output/markdown.js'
import {renderDocumentText, type TextDocument} from '../../../src/output/text-document.js'
import {repoRoot} from '../../helpers/cli.js'

const plain = (tokens: readonly Token[]): string =>
  tokens
    .map((t) => {
      if (t.type === 'html' && t.raw === '<br>') return '\n'
      if (t.type === 'br') return '\n'
      if (t.type !== 'text' && t.type !== 'escape') throw new Error(`unexpected ${t.type} token: ${t.raw}`)
      return (t as Tokens.Text).text
    })
    .join('')

describe('markdown of a text document', () => {
  const doc: TextDocument = [
    {kind: 'text', lines: ['- not a list', '1. not an ordered list', '# not a heading', '> not a quote', '===']},
    {
      kind: 'table',
      caption: 'Cost #1 | <b>window</b>',
      head: ['Name', 'Amount'],
      align: ['left', 'right'],
      rows: [['a|b `c` <img src=x onerror=alert(1)>', '1,234.56'], ['two\nlines', '-5.00'], ['short row']],
    },
  ]
  const markdown = renderDocumentMarkdown(doc)
  const tokens = marked.lexer(markdown)

  it('text lines stay paragraphs of plain text, whatever they start with', () => {
    const paragraphs = tokens.filter((t) => t.type !== 'space')
    expect(paragraphs[0]!.type).toBe('paragraph')
    expect(plain((paragraphs[0] as Tokens.Paragraph).tokens)).toBe(
      '- not a list\n1. not an ordered list\n# not a heading\n> not a quote\n===',
    )
  })

  it('a table under its caption, every cell in place, numbers right-aligned, short rows padded', () => {
    const heading = tokens.find((t): t is Tokens.Heading => t.type === 'heading')!
    expect(heading.depth).toBe(3)
    expect(plain(heading.tokens)).toBe('Cost #1 | <b>window</b>')
    const table = tokens.find((t): t is Tokens.Table => t.type === 'table')!
    expect(table.header.map((c) => plain(c.tokens))).toEqual(['Name', 'Amount'])
    expect(table.align).toEqual([null, 'right'])
    expect(table.rows.map((r) => r.map((c) => plain(c.tokens)))).toEqual([
      ['a|b `c` <img src=x onerror=alert(1)>', '1,234.56'],
      ['two\nlines', '-5.00'],
      ['short row', ''],
    ])
  })

  it('passes no HTML through', async () => {
    const html = await marked.parse(markdown)
    expect(html).not.toMatch(/<img|<b>|<h1|<ul|<ol|<blockquote/)
  })

  it('the terminal draws the same document: caption above, aligned columns', () => {
    const text = renderDocumentText(doc)
    expect(text.split('\n')[5]).toBe('Cost #1 | <b>window</b>')
    expect(text).toMatch(/│\s+1,234\.56 │/)
  })

  it('every table goes through the document (so it has a markdown form): only text-document.ts draws with cli-table3', () => {
    const offenders: string[] = []
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
        const file = path.join(dir, entry.name)
        if (entry.isDirectory()) walk(file)
        else if (/\.ts$/.test(entry.name) && fs.readFileSync(file, 'utf8').includes("from 'cli-table3'"))
          offenders.push(path.relative(repoRoot, file))
      }
    }
    for (const dir of ['src', 'commands', 'forecasters', 'recommenders']) walk(path.join(repoRoot, dir))
    expect(offenders).toEqual(['src/output/text-document.ts'])
  })
})
