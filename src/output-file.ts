import crypto from 'node:crypto'
import {once} from 'node:events'
import fs from 'node:fs'
import path from 'node:path'
import type {Writable} from 'node:stream'

import {FinopsError, inputError, type UserInput, usageError} from './errors.js'
import {describeNonFile} from './file-kinds.js'

/** The file a command writes its output to (`--out` on the command line). */
export const OUTPUT_FILE: UserInput = {key: 'out', label: 'output file'}

/**
 * The one way a command writes a user-named file (`--out`): into a temporary file in the same
 * directory, flushed to disk, then renamed over the target. The target must be absent or a regular
 * file; a symbolic link, directory, FIFO, socket or device is refused (never replaced, never
 * followed), so a careless path cannot turn a link or a device into a plain file. A failed write
 * leaves the old file as it was and no temporary file behind.
 */
export async function writeOutputFile<T>(
  target: string,
  write: (stream: Writable) => Promise<T>,
  input: UserInput = OUTPUT_FILE,
): Promise<{result: T; out: string}> {
  const file = path.resolve(target)
  const mode = checkOutputTarget(file, input)
  const temp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`,
  )
  let fd: number
  try {
    fd = fs.openSync(temp, 'wx', mode)
  } catch (error) {
    throw inputError(
      `cannot write ${file}: ${describeIoError(error)}`,
      (n) => `choose a writable ${n(input)} path`,
      error,
    )
  }
  const stream = fs.createWriteStream('', {fd, autoClose: false})
  let open = true
  const close = (): void => {
    if (open) fs.closeSync(fd)
    open = false
  }
  try {
    const result = await write(stream)
    stream.end()
    await once(stream, 'finish')
    fs.fsyncSync(fd)
    close()
    // The target may have been swapped for a link or a directory while we wrote: check again.
    checkOutputTarget(file, input)
    fs.renameSync(temp, file)
    return {result, out: file}
  } catch (error) {
    stream.destroy()
    close()
    fs.rmSync(temp, {force: true})
    if (error instanceof FinopsError) throw error
    if ((error as {code?: string}).code?.startsWith('SQLITE')) throw error
    throw inputError(
      `cannot write ${file}: ${describeIoError(error)}`,
      (n) => `choose a writable ${n(input)} path`,
      error,
    )
  }
}

/** Flushes a file, or a directory's entries (a rename is durable only once they are on disk), to disk. */
export function syncToDisk(file: string): void {
  const fd = fs.openSync(file, 'r')
  try {
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

/** Writes a rendered output (text or bytes) to a user-named file the same safe way; returns its absolute path. */
export async function writeRenderedFile(
  target: string,
  content: string | Uint8Array,
  input: UserInput = OUTPUT_FILE,
): Promise<string> {
  const {out} = await writeOutputFile(
    target,
    async (stream) => {
      if (!stream.write(content)) await once(stream, 'drain')
    },
    input,
  )
  return out
}

/** Throws unless `file` is absent (in an existing directory) or a regular file; returns the mode to create it with. */
export function checkOutputTarget(file: string, input: UserInput = OUTPUT_FILE): number {
  let stat: fs.Stats
  try {
    stat = fs.lstatSync(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'ENOENT' && code !== 'ENOTDIR')
      throw inputError(`cannot write ${file}: ${code}`, (n) => `choose another ${n(input)} path`)
    const dir = path.dirname(file)
    let dirStat: fs.Stats | undefined
    try {
      dirStat = fs.statSync(dir)
    } catch {
      dirStat = undefined
    }
    if (!dirStat?.isDirectory())
      throw usageError(
        (n) => `${n(input)} ${file}: the directory ${dir} does not exist`,
        'create it first, or choose another path',
      )
    return 0o666
  }
  if (stat.isSymbolicLink()) {
    let points: string
    try {
      points = ` to ${fs.readlinkSync(file)}`
    } catch {
      points = ''
    }
    throw usageError(
      (n) =>
        `${n(input)} ${file} is a symbolic link${points}; finops writes only regular files and never follows or replaces a link`,
      'give the path of the file itself',
    )
  }
  if (!stat.isFile())
    throw usageError(
      (n) => `${n(input)} ${file} is ${describeNonFile(stat)}, not a regular file`,
      (n) => `give ${n(input)} a file path`,
    )
  return stat.mode & 0o7777
}

function describeIoError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'EROFS') return 'read-only file system'
  if (code === 'ENOSPC') return 'no space left on the device'
  return code ?? String((error as Error).message ?? error)
}
