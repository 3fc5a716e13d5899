import {Args, Flags} from '@oclif/core'

import {FinopsCommand} from '../src/cli/base-command.js'
import {outputFlags} from '../src/cli/output-flags.js'
import {KubernetesCluster} from '../src/apply/cluster.js'
import {newRunId} from '../src/apply/identity.js'
import {now as currentInstant} from '../src/dates.js'
import {loadKubeAccess} from '../src/k8s/kubeconfig.js'
import {recoverPending} from '../src/apply/execute.js'
import {rollbackActions, type RollbackReport} from '../src/apply/rollback.js'
import {partsExitCode} from '../src/exit-codes.js'
import {acquireRunLock, releaseRunLock} from '../src/run/lock.js'

export default class Rollback extends FinopsCommand {
  static override storeIntent = 'write' as const
  static override summary = 'Restore the exact before-state of an applied action, or of every action of a run'
  static override description = `Writes back the before-state recorded in the journal (newest action first). A workload changed by someone
else since the apply is left alone unless --force. Dry run unless --yes, which takes the run lock like apply (exit 9
"locked" while finops run or another apply is changing the cluster).
FINOPS_NOW (an ISO date or time) pins "now" for the journal's timestamps.`

  static override examples = [
    '<%= config.bin %> rollback act-3f2a9c1b0d4e',
    '<%= config.bin %> rollback run-20240901T101500Z-1a2b3c --yes',
  ]

  static override args = {id: Args.string({description: 'action id (act-...) or run id (run-...)', required: true})}
  static override flags = {
    yes: Flags.boolean({description: 'restore (default: show what would be restored)'}),
    force: Flags.boolean({description: 'restore even where the workload changed since the apply'}),
    ...outputFlags(['rollback']),
  }

  async run(): Promise<RollbackReport> {
    const {args, flags} = await this.parse(Rollback)
    const {config} = this.finopsConfig(flags.config)
    const db = this.openStore(flags.db, flags.config)
    const cluster = new KubernetesCluster(
      loadKubeAccess({kubeconfig: config.kubernetes.kubeconfig, context: config.kubernetes.context}).kc,
    )
    // Like apply, a rollback must not change the cluster while the CronJob is applying (nor settle its in-flight actions).
    const lockId = newRunId(currentInstant())
    if (flags.yes) acquireRunLock(db, {runId: lockId, ttlMinutes: config.run.lockTtlMinutes})
    let report: RollbackReport
    try {
      // Settle actions interrupted by a crash first, so the journal says what actually happened.
      if (flags.yes) await recoverPending(db, cluster, currentInstant())
      report = await rollbackActions(db, cluster, args.id, {
        enforce: flags.yes,
        force: flags.force,
        conflictRetries: config.apply.conflictRetries,
      })
    } finally {
      if (flags.yes) releaseRunLock(db, lockId)
    }
    return this.finish('rollback', report, {
      exit: partsExitCode({succeeded: report.summary.rolledBack, failed: report.summary.failed}),
    })
  }
}
