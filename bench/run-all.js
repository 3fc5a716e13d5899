// `npm run bench`: runs every benchmark (bench/*/run.mjs) one after another, each printing its own
// table of ratios against its named peer. Pass names to run a subset: `npm run bench -- ingest forecast`.
import {spawnSync} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const wanted = process.argv.slice(2)
const benches = fs
  .readdirSync(here, {withFileTypes: true})
  .filter((d) => d.isDirectory() && fs.existsSync(path.join(here, d.name, 'run.mjs')))
  .map((d) => d.name)
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort()
let failed = 0
for (const name of benches) {
  console.log(`\n### bench/${name}`)
  const result = spawnSync(process.execPath, [path.join(here, name, 'run.mjs')], {stdio: 'inherit'})
  if (result.status !== 0) failed++
}
process.exit(failed > 0 ? 1 : 0)
