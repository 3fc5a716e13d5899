#!/usr/bin/env node
// Makes `npm test` set itself up: the tests start real Debian programs (Prometheus and promtool,
// the Pushgateway, openssl, headless chromium and the font its charts use). As root on Debian the
// missing packages are installed with apt-get; anywhere else the run stops with the one command to
// run, rather than failing dozens of tests one by one.
import {spawnSync} from 'node:child_process'
import fs from 'node:fs'
import process from 'node:process'
import {pathToFileURL} from 'node:url'

/** What the tests need: each Debian package with the file the tests use from it. */
export const TEST_REQUIREMENTS = [
  {pkg: 'prometheus', file: process.env.FINOPS_PROMETHEUS_BIN ?? '/usr/bin/prometheus'},
  {pkg: 'prometheus', file: process.env.FINOPS_PROMTOOL_BIN ?? '/usr/bin/promtool'},
  {pkg: 'prometheus-pushgateway', file: '/usr/bin/prometheus-pushgateway'},
  {pkg: 'openssl', file: process.env.FINOPS_OPENSSL_BIN ?? '/usr/bin/openssl'},
  {pkg: 'chromium', file: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'},
  {pkg: 'fonts-dejavu-core', file: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'},
]

/** The Debian packages whose files are missing, each once, in the order listed. */
export function missingPackages(requirements, exists) {
  return [...new Set(requirements.filter((r) => !exists(r.file)).map((r) => r.pkg))]
}

/**
 * What to do about the missing packages: nothing, install them (root with apt-get), or stop with
 * the command a person has to run.
 */
export function setupPlan(missing, {isRoot, hasApt}) {
  if (missing.length === 0) return {action: 'none'}
  const install = ['apt-get', 'install', '-y', '--no-install-recommends', ...missing]
  if (isRoot && hasApt) return {action: 'install', commands: [['apt-get', 'update', '-qq'], install]}
  const command = hasApt ? `sudo apt-get update && sudo ${install.join(' ')}` : `install ${missing.join(', ')}`
  return {
    action: 'fail',
    message: `the tests need Debian packages that are missing (${missing.join(', ')}): run \`${command}\`, then npm test again`,
  }
}

function main() {
  const missing = missingPackages(TEST_REQUIREMENTS, (file) => fs.existsSync(file))
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], {stdio: 'ignore'}).status === 0
  const plan = setupPlan(missing, {isRoot: process.getuid?.() === 0, hasApt})
  if (plan.action === 'none') return 0
  if (plan.action === 'fail') {
    console.error(`npm test: ${plan.message}`)
    return 1
  }
  console.error(`npm test: installing ${missing.join(', ')} with apt-get (the tests start these programs)`)
  for (const [command, ...args] of plan.commands) {
    const run = spawnSync(command, args, {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {...process.env, DEBIAN_FRONTEND: 'noninteractive'},
    })
    if (run.status !== 0) {
      console.error(
        `npm test: \`${[command, ...args].join(' ')}\` failed (exit ${run.status ?? run.signal}); run it yourself and retry`,
      )
      return 1
    }
  }
  const still = missingPackages(TEST_REQUIREMENTS, (file) => fs.existsSync(file))
  if (still.length > 0) {
    console.error(`npm test: still missing after apt-get install: ${still.join(', ')}`)
    return 1
  }
  return 0
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = main()
