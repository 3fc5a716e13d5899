import type fs from 'node:fs'

/** What a path that is not a regular file is, in words for an error message ("… is a directory"). */
export function describeNonFile(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a directory'
  if (stat.isFIFO()) return 'a named pipe (FIFO)'
  if (stat.isCharacterDevice()) return 'a character device'
  if (stat.isBlockDevice()) return 'a block device'
  if (stat.isSocket()) return 'a socket'
  return 'not a regular file'
}
