import fs from 'node:fs'
import path from 'node:path'

import {inputError} from '../errors.js'
import type {Rendered} from './output-format.js'

/**
 * Writes a rendered output to `--out FILE`: into a temporary sibling first, renamed over the target
 * once complete, so a failed write never leaves a truncated file behind. Returns the absolute path.
 */
export function writeOutputFile(file: string, content: Rendered): string {
  const target = path.resolve(file)
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`)
  try {
    fs.writeFileSync(temp, content, {flag: 'wx'})
    fs.renameSync(temp, target)
  } catch (error) {
    fs.rmSync(temp, {force: true})
    throw inputError(
      `cannot write ${target}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      'choose a writable --out path',
      error,
    )
  }
  return target
}
