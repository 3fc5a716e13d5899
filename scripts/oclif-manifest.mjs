// Writes oclif.manifest.json after the build. Without it oclif imports every command module (and
// with them the AWS, Azure, GCP, Kubernetes and DuckDB SDKs) on each start just to list commands;
// with it, a command loads only its own module. Same content as `oclif manifest`, without the
// oclif generator's large dependency tree.
import {Config} from '@oclif/core'
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const target = path.join(root, 'oclif.manifest.json')
fs.rmSync(target, {force: true})
const config = await Config.load(root)
const plugin = config.plugins.get(config.pjson.name)
if (!plugin) throw new Error(`plugin ${config.pjson.name} not found`)
const manifest = {...plugin.manifest, version: config.version}
const count = Object.keys(manifest.commands).length
if (count === 0) throw new Error('no commands found: run the TypeScript build first')
fs.writeFileSync(target, JSON.stringify(manifest, null, 2))
console.log(`oclif.manifest.json: ${count} commands`)
