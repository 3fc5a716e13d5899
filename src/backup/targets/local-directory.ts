import fs from 'node:fs'
import path from 'node:path'

import {FinopsError} from '../../errors.js'
import {syncToDisk} from '../../output-file.js'
import type {BackupTarget} from './target.js'

/**
 * Backups in a local directory (a second volume, an NFS mount). Each file is written under a
 * hidden temporary name, flushed to disk, then renamed into place, so a killed copy never shows
 * under a backup's name.
 */
export function localDirectoryTarget(dir: string): BackupTarget {
  const target = (name: string): string => path.join(dir, name)
  const partial = (name: string): string => path.join(dir, `.${name}.partial-${process.pid}`)

  async function place(name: string, write: (tmp: string) => Promise<void>): Promise<void> {
    ensureDirectory(dir)
    const tmp = partial(name)
    try {
      await write(tmp)
      syncToDisk(tmp)
      fs.renameSync(tmp, target(name))
      // The rename is durable only once the directory entry is on disk too.
      syncToDisk(dir)
    } catch (error) {
      fs.rmSync(tmp, {force: true})
      throw localError(`cannot write ${target(name)}`, error)
    }
  }

  return {
    putFile: (name, file) => place(name, async (tmp) => fs.promises.copyFile(file, tmp, fs.constants.COPYFILE_FICLONE)),
    putText: (name, text) => place(name, async (tmp) => fs.promises.writeFile(tmp, text, {flag: 'wx'})),
    async getFile(name, dest) {
      try {
        await fs.promises.copyFile(target(name), dest, fs.constants.COPYFILE_EXCL)
        return true
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !fs.existsSync(dest)) return undefined
        throw localError(`cannot read ${target(name)}`, error)
      }
    },
    async getText(name) {
      try {
        return await fs.promises.readFile(target(name), 'utf8')
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
        throw localError(`cannot read ${target(name)}`, error)
      }
    },
    async list() {
      let entries: fs.Dirent[]
      try {
        entries = await fs.promises.readdir(dir, {withFileTypes: true})
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
        throw localError(`cannot list ${dir}`, error)
      }
      return entries.filter((e) => e.isFile()).map((e) => e.name)
    },
    async remove(name) {
      try {
        await fs.promises.rm(target(name), {force: true})
      } catch (error) {
        throw localError(`cannot delete ${target(name)}`, error)
      }
    },
  }
}

function ensureDirectory(dir: string): void {
  try {
    fs.mkdirSync(dir, {recursive: true})
  } catch (error) {
    throw localError(`cannot create the backup directory ${dir}`, error)
  }
  if (!fs.statSync(dir).isDirectory())
    throw new FinopsError(`${dir} is not a directory`, {
      code: 'BACKUP_LOCATION',
      exit: 'usage',
      suggestion: 'give a directory for the backups',
    })
}

function localError(what: string, error: unknown): FinopsError {
  if (error instanceof FinopsError) return error
  const code = (error as NodeJS.ErrnoException).code
  return new FinopsError(`${what}: ${code ?? String(error)}`, {
    code: 'BACKUP_IO',
    exit: code === 'ENOSPC' ? 'resources' : 'store',
    suggestion: code === 'ENOSPC' ? 'free space on the backup volume' : 'check the path and its permissions',
    cause: error,
  })
}
