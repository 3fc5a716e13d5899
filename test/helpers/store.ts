import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {openStore, type Db} from '../../src/store/open.js'

/** A real store file in a fresh temporary directory; `cleanup` closes it and removes the directory. */
export interface TempStore {
  db: Db
  /** The store file's path, for a second connection or the CLI's --db. */
  file: string
  dir: string
  cleanup: () => void
}

/**
 * Opens a new store in a temporary directory. `from` copies an existing store file in first (a
 * fixture is never opened in place: opening migrates it).
 */
export function tempStore(options: {name?: string; from?: string} = {}): TempStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'finops-store-'))
  const file = path.join(dir, options.name ?? 'finops.db')
  if (options.from) fs.copyFileSync(options.from, file)
  const db = openStore(file)
  return {
    db,
    file,
    dir,
    cleanup: () => {
      if (db.open) db.close()
      fs.rmSync(dir, {recursive: true, force: true})
    },
  }
}
