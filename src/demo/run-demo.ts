import fs from 'node:fs'
import path from 'node:path'

import {today as currentDay} from '../dates.js'
import {usageError} from '../errors.js'
import {openStore} from '../store/open.js'
import {demoSteps} from './registry.js'

export interface DemoResult {
  db: string
  workDir: string
  steps: {title: string; ok: boolean}[]
}

/**
 * Runs every demo step against a fresh demo store. The store is recreated on each run (only a
 * store the demo itself created is ever removed), so the demo always shows the same picture.
 */
export async function runDemo(options: {
  dir: string
  dbPath?: string
  print: (text: string) => void
  now?: string
}): Promise<DemoResult> {
  const workDir = path.resolve(options.dir)
  const dbPath = path.resolve(options.dbPath ?? path.join(workDir, 'finops-demo.db'))
  const marker = path.join(workDir, '.finops-demo')
  if (fs.existsSync(workDir) && fs.readdirSync(workDir).length > 0 && !fs.existsSync(marker)) {
    throw usageError(
      `${workDir} exists and was not created by finops demo`,
      'choose an empty or new directory with --dir',
    )
  }
  if (options.dbPath && fs.existsSync(dbPath) && !fs.existsSync(marker)) {
    throw usageError(
      `${dbPath} already exists; the demo writes a fresh store`,
      'choose a new path with --db, or leave --db out',
    )
  }
  fs.rmSync(workDir, {recursive: true, force: true})
  fs.mkdirSync(workDir, {recursive: true})
  fs.writeFileSync(marker, 'created by finops demo; safe to delete\n')
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${dbPath}${suffix}`, {force: true})

  const db = openStore(dbPath)
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
