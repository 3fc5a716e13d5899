import fs from 'node:fs'
import path from 'node:path'

import {today as currentDay} from '../dates.js'
import {usageError} from '../errors.js'
import {inspectStoreFile} from '../store/identity.js'
import {openStore} from '../store/open.js'
import {markStorePurpose, readStorePurpose} from '../store/store-meta.js'
import {demoSteps} from './registry.js'

export interface DemoResult {
  db: string
  workDir: string
  steps: {title: string; ok: boolean}[]
}

/**
 * Runs every demo step against a fresh demo store. The store is recreated on each run, but only a
 * store the demo itself made is ever removed: an existing --db must be a finops store marked as the
 * demo's, and the work directory must be new, empty, or marked as the demo's. Anything else is
 * refused before a byte is written.
 */
export async function runDemo(options: {
  dir: string
  dbPath?: string
  print: (text: string) => void
  now?: string
}): Promise<DemoResult> {
  const workDir = path.resolve(options.dir)
  const dbPath = path.resolve(options.dbPath ?? path.join(workDir, DEMO_STORE))
  const marker = path.join(workDir, MARKER)
  checkWorkDir(workDir, marker)
  checkDemoStore(dbPath, path.dirname(dbPath) === workDir && fs.existsSync(marker))

  fs.mkdirSync(workDir, {recursive: true})
  fs.writeFileSync(marker, 'created by finops demo; safe to delete\n')
  fs.rmSync(path.join(workDir, 'focus'), {recursive: true, force: true})
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${dbPath}${suffix}`, {force: true})

  const db = openStore(dbPath, {intent: 'create'})
  markStorePurpose(db, 'demo')
  const steps: DemoResult['steps'] = []
  const today = options.now ?? currentDay()
  try {
    for (const step of demoSteps) {
      options.print(`\n== ${step.title} ==\n`)
      await step.run({db, dbPath, workDir, today, print: options.print})
      steps.push({title: step.title, ok: true})
    }
  } finally {
    db.close()
  }
  options.print(`\nDemo store: ${dbPath}\nTry: finops cost report --db ${dbPath} --group-by tag:env --granularity week`)
  return {db: dbPath, workDir, steps}
}

const DEMO_STORE = 'finops-demo.db'
const MARKER = '.finops-demo'

function checkWorkDir(workDir: string, marker: string): void {
  if (!fs.existsSync(workDir)) return
  if (!fs.statSync(workDir).isDirectory())
    throw usageError(`${workDir} is not a directory`, 'choose an empty or new directory with --dir')
  if (fs.readdirSync(workDir).length > 0 && !fs.existsSync(marker))
    throw usageError(
      `${workDir} exists and was not created by finops demo`,
      'choose an empty or new directory with --dir',
    )
}

/**
 * An existing store path may only be the demo's own store: marked as such, or (a store made before
 * the mark) the default store inside a directory the demo marked.
 */
function checkDemoStore(dbPath: string, inMarkedDir: boolean): void {
  let exists = true
  try {
    fs.lstatSync(dbPath)
  } catch {
    exists = false
  }
  if (!exists) return
  const refuse = (what: string) =>
    usageError(
      `${dbPath} ${what}; the demo only replaces its own store`,
      'choose a new path with --db, or leave --db out',
    )
  const state = inspectStoreFile(dbPath)
  if (state.kind !== 'ours' && !(state.kind === 'unmarked' && inMarkedDir)) throw refuse('is not a finops demo store')
  if (state.kind === 'unmarked') return
  let purpose: string | undefined
  try {
    purpose = readStorePurpose(dbPath)
  } catch {
    throw refuse('is not a finops demo store')
  }
  if (purpose !== 'demo' && !(inMarkedDir && purpose === undefined))
    throw refuse('is a finops store that the demo did not make')
}
