import {parse} from 'csv-parse'
import fs from 'node:fs'
import {Writable} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import zlib from 'node:zlib'

import type {FocusFile} from './files.js'

/** How much of a CSV file is read to find its header: a header longer than this is refused. */
const HEADER_BYTES = 1024 * 1024

/**
 * A CSV file's header row, read from its first bytes (gzip-decompressed when needed) with the same
 * CSV rules as the import: a BOM is dropped, quoted names may hold commas. Undefined when the file
 * has no complete first line.
 */
export async function readCsvHeader(file: FocusFile): Promise<string[] | undefined> {
  const source = fs.createReadStream(file.path, {end: /\.gz(ip)?$/i.test(file.path) ? undefined : HEADER_BYTES - 1})
  const input = /\.gz(ip)?$/i.test(file.path) ? source.pipe(zlib.createGunzip()) : source
  const parser = input.pipe(parse({bom: true, relax_column_count: true, to_line: 1}))
  let bytes = 0
  input.on('data', (chunk: Buffer) => {
    bytes += chunk.length
    if (bytes > HEADER_BYTES) input.destroy()
  })
  try {
    for await (const record of parser) return (record as string[]).map((name) => name.trim())
    return undefined
  } catch {
    return undefined
  } finally {
    source.destroy()
  }
}

/**
 * The physical line (1-based, the header being line 1) on which data row `row` (1-based) starts:
 * rows with quoted newlines span several lines, so this reads the file up to that row. Only used to
 * name a bad row; undefined when the file cannot be followed that far.
 */
export async function csvLineOfRow(file: FocusFile, row: number): Promise<number | undefined> {
  const source = fs.createReadStream(file.path)
  const input = /\.gz(ip)?$/i.test(file.path) ? source.pipe(zlib.createGunzip()) : source
  // csv-parse's own line count takes a quoted CRLF for two lines; counting the newlines inside each
  // record's raw text (its quoted newlines; the raw text ends with all or part of the delimiter,
  // depending on the line ending) gives the lines an editor shows.
  const parser = input.pipe(parse({bom: true, relax_column_count: true, raw: true, to: row + 1}))
  let line = 1
  let index = 0
  try {
    for await (const record of parser as AsyncIterable<{raw: string}>) {
      if (index === row) return line
      line += countNewlines(record.raw.replace(/(\r\n|\n|\r)$/, '')) + 1
      index++
    }
    return undefined
  } catch {
    return undefined
  } finally {
    source.destroy()
  }
}

function countNewlines(text: string): number {
  let count = 0
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++
  return count
}

/** For a .gz file, why its gzip stream is broken (reading it whole); undefined when intact or not gzip. */
export async function gzipProblem(file: FocusFile): Promise<string | undefined> {
  if (!/\.gz(ip)?$/i.test(file.path)) return undefined
  try {
    await pipeline(
      fs.createReadStream(file.path),
      zlib.createGunzip(),
      new Writable({write: (_chunk, _enc, done) => done()}),
    )
    return undefined
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR' ? 'unexpected end of file' : (error as Error).message
  }
}
