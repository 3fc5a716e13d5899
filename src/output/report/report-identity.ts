import fs from 'node:fs'

/** Marks a page as one finops wrote, so `finops run` replaces its own report and never another file. */
export const REPORT_GENERATOR_META = '<meta name="generator" content="finops">'

/** How far into a file the mark is looked for: it is in the page's head, before the styles. */
const HEAD_BYTES = 4096

/**
 * Whether `file` may be replaced by a new report: it does not exist, or it is a regular file that
 * finops wrote (its head carries the generator mark). Anything else is someone's file.
 */
export function isReplaceableReport(file: string): boolean {
  let fd: number
  try {
    const stat = fs.lstatSync(file)
    if (!stat.isFile()) return false
    fd = fs.openSync(file, 'r')
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT'
  }
  try {
    const head = Buffer.alloc(HEAD_BYTES)
    const read = fs.readSync(fd, head, 0, HEAD_BYTES, 0)
    return head.subarray(0, read).toString('utf8').includes(REPORT_GENERATOR_META)
  } finally {
    fs.closeSync(fd)
  }
}
