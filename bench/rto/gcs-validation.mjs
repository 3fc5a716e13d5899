#!/usr/bin/env node
// What @google-cloud/storage's own checksum costs a backup and a restore, in CPU seconds: the same
// resumable upload (8 MiB chunks, as finops sends a store) and download of a random file through the
// GCS stand-in of the tests, with validation crc32c (what finops uses), md5, and none (the peer: the
// client's transfer alone). The stand-in runs in this process, so the upload figures include its
// own MD5 and CRC32C of the object (the same in every row); the download figures are the client's.
//
//   nice node bench/rto/gcs-validation.mjs [--mb 200]
import {execFileSync} from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {Storage} from '@google-cloud/storage'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const args = process.argv.slice(2)
const at = args.indexOf('--mb')
const MB = Number(at >= 0 ? args[at + 1] : '200')
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-gcs-validation-'))
execFileSync(
  path.join(root, 'node_modules', '.bin', 'tsc'),
  [
    ...['test/servers/gcs.ts', '--outDir', work, '--ignoreConfig'],
    ...['--module', 'nodenext', '--target', 'es2022', '--types', 'node', '--skipLibCheck'],
  ],
  {cwd: root, stdio: 'inherit'},
)
fs.writeFileSync(path.join(work, 'package.json'), '{"type": "module"}\n')
const {startGcsStandIn} = await import(pathToFileURL(path.join(work, 'gcs.js')).href)
const gcs = await startGcsStandIn(['bench'])
process.env.STORAGE_EMULATOR_HOST = gcs.url
const bucket = new Storage().bucket('bench')
const file = path.join(work, 'object.bin')
fs.writeFileSync(file, crypto.randomBytes(MB * 1024 * 1024))

const cpu = () => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}
const rows = []
for (const validation of ['crc32c', 'md5', false]) {
  const name = `object-${validation}`
  let t = cpu()
  await bucket.upload(file, {destination: name, resumable: true, chunkSize: 8 * 1024 * 1024, validation})
  const upload = cpu() - t
  t = cpu()
  const dest = path.join(work, `${name}.download`)
  await bucket.file(name).download({destination: dest, validation})
  const download = cpu() - t
  fs.rmSync(dest)
  rows.push({validation: String(validation), upload, download})
}
await gcs.close()
fs.rmSync(work, {recursive: true, force: true})

const none = rows.at(-1)
console.log(`@google-cloud/storage upload and download of ${MB} MiB through the GCS stand-in, CPU s of this process`)
console.log('| validation | upload CPU s | upload / none | download CPU s | download / none |')
console.log('|---|---:|---:|---:|---:|')
for (const r of rows)
  console.log(
    `| ${r.validation} | ${r.upload.toFixed(1)} | ${(r.upload / none.upload).toFixed(2)} | ` +
      `${r.download.toFixed(1)} | ${(r.download / none.download).toFixed(2)} |`,
  )
