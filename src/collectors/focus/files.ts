import fs from 'node:fs'
import path from 'node:path'

import {inputError} from '../../errors.js'

export type FocusFileFormat = 'csv' | 'parquet'

export interface FocusFile {
  path: string
  format: FocusFileFormat
  bytes: number
}

const FORMAT_BY_SUFFIX: [RegExp, FocusFileFormat][] = [
  [/\.csv(\.gz|\.gzip|\.zst)?$/i, 'csv'],
  [/\.parquet$/i, 'parquet'],
]

export const formatOf = (file: string): FocusFileFormat | undefined =>
  FORMAT_BY_SUFFIX.find(([re]) => re.test(file))?.[1]

/**
 * Expands the user's paths (files or directories, searched recursively) into FOCUS files, sorted so
 * multi-part exports import in a stable order. Every path must exist; a directory must hold at least
 * one CSV, CSV.gz or Parquet file.
 */
export function expandFocusPaths(paths: readonly string[]): FocusFile[] {
  const files: FocusFile[] = []
  for (const given of paths) {
    let stat: fs.Stats
    try {
      stat = fs.statSync(given)
    } catch {
      throw inputError(
        `${given}: no such file or directory`,
        'pass a FOCUS export file (.csv, .csv.gz, .parquet) or a directory holding them',
      )
    }
    if (stat.isDirectory()) {
      const found = walk(given)
      if (found.length === 0)
        throw inputError(
          `${given}: the directory holds no FOCUS files (.csv, .csv.gz, .parquet)`,
          'point at the folder your billing export writes to',
        )
      files.push(...found)
      continue
    }
    const format = formatOf(given)
    if (!format) throw inputError(`${given}: not a FOCUS file (expected .csv, .csv.gz or .parquet)`)
    files.push({path: given, format, bytes: stat.size})
  }
  const unique = new Map(files.map((f) => [path.resolve(f.path), f]))
  return [...unique.values()]
}

function walk(dir: string): FocusFile[] {
  const out: FocusFile[] = []
  const entries = fs.readdirSync(dir, {withFileTypes: true}).sort((a, b) => a.name.localeCompare(b.name))
  for (const entry of entries) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) out.push(...walk(full))
    else {
      const format = formatOf(entry.name)
      if (format) out.push({path: full, format, bytes: fs.statSync(full).size})
    }
  }
  return out
}
