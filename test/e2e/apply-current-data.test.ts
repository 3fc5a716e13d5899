import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {actionsListSchema, applySchema} from '../../src/apply/schemas.js'
import {ExitCode} from '../../src/exit-codes.js'
import {readInventory, replaceInventory} from '../../src/store/k8s-inventory.js'
import {openStore} from '../../src/store/open.js'
import {parseJson, runCli, tempDir} from '../helpers/cli.js'
import {seedRecommendStore} from '../helpers/seed-store.js'
import type {KubeApiServer} from '../servers/kube-api.js'
import {startFixtureKubeApi} from '../servers/kube-fixture.js'

// `apply` plans from the data in the store, whichever command wrote it last, on one clock: FINOPS_NOW
// pins collect k8s's snapshot time as it pins recommend's and apply's.
describe('finops apply plans from current data (built CLI, fake API server, pinned clock)', () => {
  let server: KubeApiServer
  let tmp: {dir: string; cleanup: () => void}
  let db: string
  let env: Record<string, string>

  beforeAll(async () => {
    ;({server} = await startFixtureKubeApi())
    tmp = tempDir()
    db = path.join(tmp.dir, 'finops.db')
    const kubeconfig = path.join(tmp.dir, 'kubeconfig')
    fs.writeFileSync(kubeconfig, server.kubeconfig({context: 'eks-demo'}))
    fs.writeFileSync(path.join(tmp.dir, 'finops.yaml'), 'kubernetes:\n  cluster: eks-demo\n')
    env = {KUBECONFIG: kubeconfig, FINOPS_CONFIG: path.join(tmp.dir, 'finops.yaml'), FINOPS_IDENTITY: 'ci@test'}
    // Two weeks of usage up to 2024-03-14, and a snapshot taken before shop/api was deployed.
    seedRecommendStore(db)
    const store = openStore(db)
    const inventory = readInventory(store)!
    replaceInventory(
      store,
      {...inventory, workloads: inventory.workloads.filter((w) => !(w.namespace === 'shop' && w.name === 'api'))},
      'eks-demo',
    )
    store.close()
  })
  afterAll(async () => {
    await server.close()
    tmp.cleanup()
  })

  const cli = (at: string, ...args: string[]) => runCli([...args, '--db', db], {env: {...env, FINOPS_NOW: at}})
  const apply = async (at: string) => {
    const result = await cli(at, 'apply', '--kind', 'rightsize', '--json')
    expect(result.code, result.stderr).toBe(0)
    return applySchema.parse(parseJson(result))
  }
  const apiPlanned = (report: Awaited<ReturnType<typeof apply>>): boolean =>
    report.actions.some((a) => a.target.namespace === 'shop' && a.target.name === 'api')

  it('recomputes after collect k8s, then uses the set a later recommend stored', async () => {
    const recommended = await cli('2024-03-15T06:00:00Z', 'recommend', '--kind', 'rightsize', '--json')
    expect(recommended.code, recommended.stderr).toBe(0)
    expect(recommended.stdout).not.toMatch(/"workload":"api"/)

    // The stored set is current: apply takes it as it is, and shop/api is not in it.
    const stored = await apply('2024-03-15T06:30:00Z')
    expect(stored.notes.join('\n')).not.toMatch(/computed again/)
    expect(apiPlanned(stored)).toBe(false)
    expect(stored.actions.length).toBeGreaterThan(0)

    // collect k8s finds shop/api: apply, without a fresh recommend, plans it from the new snapshot.
    const collected = await cli('2024-03-15T07:00:00Z', 'collect', 'k8s', '--json')
    expect(collected.code, collected.stderr).toBe(0)
    expect(parseJson(collected)).toMatchObject({collectedAt: '2024-03-15T07:00:00.000Z'})
    const fresh = await apply('2024-03-15T07:30:00Z')
    expect(fresh.notes.join('\n')).toMatch(/computed again from the store/)
    expect(apiPlanned(fresh)).toBe(true)

    // A recommend after the snapshot is the reviewed set again; with collect k8s on the real clock
    // (years after the pinned one) the snapshot looked newer for ever and apply never used it.
    const again = await cli('2024-03-15T08:00:00Z', 'recommend', '--kind', 'rightsize', '--json')
    expect(again.code, again.stderr).toBe(0)
    const reviewed = await apply('2024-03-15T08:30:00Z')
    expect(reviewed.notes.join('\n')).not.toMatch(/computed again/)
    expect(apiPlanned(reviewed)).toBe(true)
  })

  it('with one pinned instant for every command, a collect k8s after recommend is still planned from', async () => {
    // A pipeline that pins FINOPS_NOW once (a CI job, a replayed run): recommend, then collect k8s, then apply.
    const pinned = path.join(tmp.dir, 'pinned.db')
    seedRecommendStore(pinned)
    const store = openStore(pinned)
    const inventory = readInventory(store)!
    replaceInventory(
      store,
      {...inventory, workloads: inventory.workloads.filter((w) => !(w.namespace === 'shop' && w.name === 'api'))},
      'eks-demo',
    )
    store.close()
    const at = '2024-03-15T09:00:00Z'
    const run = (...args: string[]) => runCli([...args, '--db', pinned], {env: {...env, FINOPS_NOW: at}})
    const recommended = await run('recommend', '--kind', 'rightsize', '--json')
    expect(recommended.code, recommended.stderr).toBe(0)
    expect(recommended.stdout).not.toMatch(/"workload":"api"/)
    const collected = await run('collect', 'k8s', '--json')
    expect(collected.code, collected.stderr).toBe(0)
    const applied = await run('apply', '--kind', 'rightsize', '--json')
    expect(applied.code, applied.stderr).toBe(0)
    const report = applySchema.parse(parseJson(applied))
    expect(report.notes.join('\n')).toMatch(/computed again from the store/)
    expect(apiPlanned(report)).toBe(true)
    // The pinned instant is also the run id's and the journal's time.
    const executed = await run('apply', '--kind', 'rightsize', '--yes', '--json')
    expect(executed.code, executed.stderr).toBe(0)
    const done = applySchema.parse(parseJson(executed))
    expect(done.runId).toMatch(/^run-20240315T090000Z-[0-9a-f]{6}$/)
    const listed = await run('actions', 'list', '--run', done.runId, '--json')
    expect(listed.code, listed.stderr).toBe(0)
    const journal = actionsListSchema.parse(parseJson(listed))
    expect(journal.actions.length).toBeGreaterThan(0)
    for (const a of journal.actions) {
      expect(a.createdAt).toBe('2024-03-15T09:00:00.000Z')
      if (a.finishedAt) expect(a.finishedAt).toBe('2024-03-15T09:00:00.000Z')
    }
  })

  it('refuses a FINOPS_NOW it cannot read before touching the store (exit 2, one line)', async () => {
    const before = fs.readFileSync(db)
    for (const bad of ['1', 'tomorrow', '2024-02-30']) {
      const result = await cli(bad, 'apply', '--kind', 'rightsize', '--yes')
      expect(result.code, bad).toBe(ExitCode.usage)
      expect(result.stderr.trim().split('\n'), bad).toHaveLength(1)
      expect(result.stderr, bad).toContain(`FINOPS_NOW '${bad}' is not an ISO date or time`)
    }
    expect(fs.readFileSync(db).equals(before)).toBe(true)
    const none = path.join(tmp.dir, 'never.db')
    const refused = await runCli(['budget', 'list', '--db', none], {env: {...env, FINOPS_NOW: 'yesterday'}})
    expect(refused.code).toBe(ExitCode.usage)
    expect(fs.existsSync(none)).toBe(false)
  })
})
