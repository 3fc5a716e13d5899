import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

/**
 * A byte-for-byte picture of a directory tree: every entry's type, mode and content hash (a
 * symlink's target, a FIFO's or device's kind). Two snapshots are equal only when nothing in the
 * tree was created, removed, replaced or changed.
 */
export type TreeSnapshot = Record<string, string>

export function snapshotTree(root: string): TreeSnapshot {
  const out: TreeSnapshot = {}
  const walk = (dir: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name)
      const rel = path.relative(root, full)
      const st = fs.lstatSync(full)
      const mode = (st.mode & 0o7777).toString(8)
      if (st.isSymbolicLink()) out[rel] = `symlink -> ${fs.readlinkSync(full)}`
      else if (st.isDirectory()) {
        out[rel] = `dir ${mode}`
        walk(full)
      } else if (st.isFile())
        out[rel] = `file ${mode} ${crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex')}`
      else out[rel] = st.isFIFO() ? 'fifo' : st.isSocket() ? 'socket' : st.isCharacterDevice() ? 'char-device' : 'other'
    }
  }
  walk(root)
  return out
}

/** The sha256 of one file's bytes (or "absent"). */
export function hashFile(file: string): string {
  if (!fs.existsSync(file)) return 'absent'
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')
}
