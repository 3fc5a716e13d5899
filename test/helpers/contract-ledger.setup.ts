import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type {TestProject} from 'vitest/node'

import {unvalidatedContracts} from './json-contracts.js'

const E2E_DIR = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'e2e')

/**
 * Every --json output the tests make through runCli is held to its published contract there; this
 * checks, once every end-to-end file has run, that each contract of the map was held at least once,
 * so a command added to the map without a validated run fails the suite. A run of a few files
 * cannot judge that, and does not.
 */
export default function setup(project: TestProject): () => void {
  const ledger = fs.mkdtempSync(path.join(os.tmpdir(), 'finops-contracts-'))
  project.provide('contractLedger', ledger)
  return () => {
    const ran = new Set(project.vitest.state.getPaths().map((p) => path.resolve(p)))
    const e2e = fs.readdirSync(E2E_DIR).filter((f) => f.endsWith('.test.ts'))
    const wholeE2e = e2e.every((f) => ran.has(path.join(E2E_DIR, f)))
    const missing = unvalidatedContracts(fs.readdirSync(ledger))
    fs.rmSync(ledger, {recursive: true, force: true})
    if (!wholeE2e || missing.length === 0) return
    console.error(
      `These --json contracts (src/output/contracts.ts) were never held by a real run: ${missing.join(', ')}. ` +
        'Run each command with --json through runCli in an end-to-end test.',
    )
    process.exitCode = 1
  }
}
