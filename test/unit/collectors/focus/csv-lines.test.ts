import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import {afterAll, describe, expect, it} from 'vitest'

import type {FocusFile} from '../../../../src/collectors/focus/files.js'
import {csvLineOfRow} from '../../../../src/collectors/focus/headers.js'
import {tempDir} from '../../../helpers/cli.js'

/** A bad row is named by the line an editor shows it on, whatever the line endings and quoted newlines. */
describe('csvLineOfRow', () => {
  const tmp = tempDir()
  afterAll(() => tmp.cleanup())
  const rows = ['\uFEFFa,b', '1,"x\ny"', '2,z', '3,"p\nq\r\nr"', '4,w']

  for (const [name, eol] of [
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ] as const)
    for (const gzip of [false, true])
      it(`${name}${gzip ? ', gzip' : ''}: rows after multi-line rows start where an editor shows them`, async () => {
        const text = rows.join(eol) + eol
        const file = path.join(tmp.dir, `lines-${name}${gzip ? '.csv.gz' : '.csv'}`)
        fs.writeFileSync(file, gzip ? zlib.gzipSync(text) : text)
        const focus: FocusFile = {path: file, format: 'csv', bytes: fs.statSync(file).size}
        expect(await csvLineOfRow(focus, 1)).toBe(2)
        expect(await csvLineOfRow(focus, 2)).toBe(4)
        expect(await csvLineOfRow(focus, 3)).toBe(5)
        expect(await csvLineOfRow(focus, 4)).toBe(8)
        expect(await csvLineOfRow(focus, 9)).toBeUndefined()
      })
})
