#!/usr/bin/env node
// Recovery time (RTO) benchmark: the store is lost; how long until it is back and the first
// `finops run` after it has succeeded? Target <= 5 minutes (the requirement is 15).
//
//   npm run build && nice node bench/rto/run.mjs [--mb 1024] [--targets local,s3,gcs] [--focus-rows 100000]
//
// 1. Builds (once, cached under --data, default /work/benchdata/rto) a store of real shape of about
//    --mb MB (make-store.mjs) and a FOCUS file for the run to import (bench/ingest/generate.mjs).
// 2. Starts the wire-level S3 and GCS stand-ins of the tests (test/servers/*.ts, compiled here with
//    the project's TypeScript) on 127.0.0.1, in this process.
// 3. Per target (a local directory, S3 through @aws-sdk/client-s3, GCS through @google-cloud/storage),
//    with the built CLI as users run it: `finops store backup`, then the volume is deleted, then
//    `finops store restore` onto the empty volume and `finops run` (collect the FOCUS source,
//    forecast, recommend, alerts, report) on the restored store. RTO = restore + run, wall time.
//    Peak RSS per command from GNU time.
// 4. The peer: the same backup's bytes moved onto the volume without finops (cp for the directory,
//    curl for S3 and GCS), the floor any restore pays; the ratio is finops restore / that copy.
import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {generateFocusCsv} from '../ingest/generate.mjs'
import {measure} from '../lib/measure.mjs'
import {makeStore} from './make-store.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const args = process.argv.slice(2)
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : fallback
}
const MB = Number(flag('mb', '1024'))
const DATA = path.resolve(flag('data', '/work/benchdata/rto'))
const TARGETS = flag('targets', 'local,s3,gcs').split(',')
const FOCUS_ROWS = Number(flag('focus-rows', '100000'))
const SOURCE = flag('source', '/work/benchdata/sample-1m-tagged.db')
const TARGET_S = 300
const cli = path.join(root, 'bin', 'run.js')

if (!fs.existsSync(path.join(root, 'dist', 'src', 'store', 'open.js'))) {
  console.error('bench/rto: build first (npm run build)')
  process.exit(2)
}
fs.mkdirSync(DATA, {recursive: true})

// 1. The store and the FOCUS file, built once.
const store = path.join(DATA, `store-${MB}mb.db`)
if (!fs.existsSync(store)) {
  if (!fs.existsSync(SOURCE)) {
    console.error(
      `bench/rto: ${SOURCE} is missing; make it with bench/ingest (the sample-1m-tagged shape) or give --source`,
    )
    process.exit(2)
  }
  console.error(`building ${store} from ${SOURCE} ...`)
  console.error(JSON.stringify(await makeStore(SOURCE, store, {mb: MB})))
}
// The generator writes September 2024; moved to September 2025, the month the store ends in, it is
// that month's export as the next run finds it (a new billing account's rows for the month).
const focus = path.join(DATA, `focus-${FOCUS_ROWS}-2025-09.csv`)
if (!fs.existsSync(focus)) {
  const raw = `${focus}.2024`
  await generateFocusCsv(FOCUS_ROWS, raw)
  const out = fs.createWriteStream(focus)
  for await (const line of readline.createInterface({input: fs.createReadStream(raw), crlfDelay: Infinity}))
    if (!out.write(`${line.replaceAll('"2024-', '"2025-')}\n`)) await new Promise((r) => out.once('drain', r))
  await new Promise((resolve, reject) => out.end((e) => (e ? reject(e) : resolve())))
  fs.rmSync(raw)
}
const storeMb = fs.statSync(store).size / 2 ** 20

// 2. The stand-ins, compiled from the tests' TypeScript.
const servers = path.join(DATA, 'servers')
execFileSync(
  path.join(root, 'node_modules', '.bin', 'tsc'),
  [
    ...['test/servers/s3.ts', 'test/servers/gcs.ts', '--outDir', servers, '--ignoreConfig'],
    ...['--module', 'nodenext', '--target', 'es2022', '--types', 'node', '--skipLibCheck'],
  ],
  {cwd: root, stdio: 'inherit'},
)
fs.writeFileSync(path.join(servers, 'package.json'), '{"type": "module"}\n')
const {startS3StandIn} = await import(pathToFileURL(path.join(servers, 's3.js')).href)
const {startGcsStandIn} = await import(pathToFileURL(path.join(servers, 'gcs.js')).href)
const s3 = await startS3StandIn(['finops-backups'])
const gcs = await startGcsStandIn(['finops-backups'])

const config = path.join(DATA, 'finops.yaml')
// The store's Microsoft rows come from the FOCUS sample, which ends 11 days before the rest: a
// provider that lags like that is told to the freshness check, or every run would warn (exit 7).
fs.writeFileSync(
  config,
  [
    'sources:',
    '  focus:',
    `    - path: ${focus}`,
    'run:',
    '  steps: [collect, forecast, recommend, alerts, report]',
    'alerts:',
    '  freshness:',
    '    lagDays: {Microsoft: 14}',
    '',
  ].join('\n'),
)
const baseEnv = {
  FINOPS_DB: undefined,
  FINOPS_CONFIG: config,
  // The FOCUS file and the store end in September 2025: "now" is the next morning's CronJob run.
  FINOPS_NOW: '2025-10-01T06:17:00Z',
  NO_COLOR: '1',
  // No cluster here: the collect step's Kubernetes part is skipped, as for a billing-only install.
  KUBECONFIG: undefined,
  HOME: DATA,
  AWS_ENDPOINT_URL_S3: s3.url,
  AWS_ACCESS_KEY_ID: 'AKIDBENCHRTO',
  AWS_SECRET_ACCESS_KEY: 'bench-rto-secret',
  AWS_REGION: 'us-east-1',
  STORAGE_EMULATOR_HOST: gcs.url,
}
// measure() layers its env over process.env, so what must be unset is unset there.
for (const [k, v] of Object.entries(baseEnv)) if (v === undefined) delete process.env[k]
const env = Object.fromEntries(Object.entries(baseEnv).filter(([, v]) => v !== undefined))

const finops = async (what, cliArgs) => {
  const result = await measure(process.execPath, [cli, ...cliArgs], {env, cwd: DATA})
  console.error(
    `${new Date().toISOString()} ` +
      `${what}: ${(result.wallMs / 1000).toFixed(1)} s wall, ${result.cpuS.toFixed(1)} s CPU, ${Math.round(result.maxRssMb)} MB peak RSS`,
  )
  if (result.code !== 0) {
    console.error(`${what} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`)
    await Promise.all([s3.close(), gcs.close()])
    process.exit(1)
  }
  return result
}

const LOCATIONS = {
  local: path.join(DATA, 'backups'),
  s3: 's3://finops-backups/rto/',
  gs: 'gs://finops-backups/rto/',
}
const volume = path.join(DATA, 'volume')
const restored = path.join(volume, 'finops.db')
const f = (n, d = 1) => n.toLocaleString('en-US', {minimumFractionDigits: d, maximumFractionDigits: d})
console.log(
  `bench/rto: restore of a ` +
    `${f(storeMb, 0)} MB store + the first finops run after it (RTO target <= ${TARGET_S} s); ` +
    'peer: the same bytes copied without finops; CPU s = user + system',
)
console.log(
  '| target | backup s (CPU s) | backup peak RSS MB | restore s (CPU s) | restore peak RSS MB | peer copy s | restore / peer | first run s (CPU s) | ' +
    'run peak RSS MB | **RTO s** (restore + run) | run steps |',
)
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|')
const rows = []
for (const target of TARGETS) {
  const key = target === 'gcs' ? 'gs' : target
  const location = LOCATIONS[key]
  if (!location) throw new Error(`unknown target ${target}`)
  if (key === 'local') fs.rmSync(location, {recursive: true, force: true})
  const backup = await finops(`backup to ${target}`, ['store', 'backup', '--db', store, '--to', location, '--json'])
  const made = JSON.parse(backup.stdout).backup

  // The peer: the same bytes onto the volume without finops.
  fs.rmSync(volume, {recursive: true, force: true})
  fs.mkdirSync(volume, {recursive: true})
  const copy = path.join(volume, 'copy.db')
  const peer =
    key === 'local'
      ? await measure('cp', [path.join(location, made.name), copy])
      : key === 's3'
        ? await measure('curl', [
            '-sf',
            '-H',
            'Authorization: AWS4-HMAC-SHA256 Credential=AKIDBENCHRTO/x',
            '-o',
            copy,
            `${s3.url}/finops-backups/rto/${made.name}`,
          ])
        : await measure('curl', [
            '-sf',
            '-o',
            copy,
            `${gcs.url}/storage/v1/b/finops-backups/o/rto%2F${made.name}?alt=media`,
          ])
  if (peer.code !== 0 || fs.statSync(copy).size !== made.bytes) throw new Error(`peer copy from ${target} failed`)

  // The volume is lost: nothing of the store is left.
  fs.rmSync(volume, {recursive: true, force: true})
  const restore = await finops(`restore from ${target}`, [
    'store',
    'restore',
    '--db',
    restored,
    '--from',
    location,
    '--json',
  ])
  const run = await finops('the first run after the restore', ['run', '--db', restored])
  // One JSON log line per step; the step outcomes are the "finish" and "skip" lines.
  const steps = run.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l))
    .filter((l) => l.step !== 'run' && (l.event === 'finish' || l.event === 'skip'))
    .map((l) => ({name: l.step, status: l.status}))
  const r = {
    target,
    storeMb: Math.round(storeMb),
    backupS: backup.wallMs / 1000,
    backupCpuS: backup.cpuS,
    restoreCpuS: restore.cpuS,
    runCpuS: run.cpuS,
    backupRssMb: backup.maxRssMb,
    restoreS: restore.wallMs / 1000,
    restoreRssMb: restore.maxRssMb,
    runS: run.wallMs / 1000,
    runRssMb: run.maxRssMb,
    rtoS: (restore.wallMs + run.wallMs) / 1000,
    peerS: peer.wallMs / 1000,
    ratio: restore.wallMs / peer.wallMs,
    steps: steps.map((s) => `${s.name}:${s.status}`).join(' '),
  }
  rows.push(r)
  console.log(
    `| ${r.target} | ` +
      `${f(r.backupS)} (${f(r.backupCpuS)}) | ` +
      `${f(r.backupRssMb, 0)} | ` +
      `${f(r.restoreS)} (${f(r.restoreCpuS)}) | ` +
      `${f(r.restoreRssMb, 0)} | ` +
      `${f(r.peerS)} | ${f(r.ratio, 2)} | ` +
      `${f(r.runS)} (${f(r.runCpuS)}) | ${f(r.runRssMb, 0)} | **${f(r.rtoS)}** ${r.rtoS <= TARGET_S ? '(met)' : '(MISSED)'} | ${r.steps} |`,
  )
  fs.rmSync(volume, {recursive: true, force: true})
}
await Promise.all([s3.close(), gcs.close()])

fs.writeFileSync(path.join(DATA, 'rto.json'), `${JSON.stringify(rows, null, 2)}\n`)
process.exit(rows.every((r) => r.rtoS <= TARGET_S) ? 0 : 1)
