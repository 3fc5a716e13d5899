import {Flags} from '@oclif/core'

import {FinopsCommand} from '../src/cli/base-command.js'
import {outputFlags} from '../src/cli/output-flags.js'
import {workloadFilterFlags, workloadFilterFromFlags} from '../src/cli/workload-filter-flags.js'
import {newRunId} from '../src/apply/identity.js'
import {now as currentInstant} from '../src/dates.js'
import {applyFromStore, type ApplyRequest, checkResizes, checkReviewed} from '../src/apply/index.js'
import type {ApplyReport} from '../src/apply/execute.js'
import {readReviewedFile} from '../src/apply/reviewed.js'
import {APPLY_KINDS, type ApplyKind} from '../recommenders/registry.js'
import {usageError} from '../src/errors.js'
import {partsExitCode} from '../src/exit-codes.js'
import {acquireRunLock, releaseRunLock} from '../src/run/lock.js'

export default class Apply extends FinopsCommand {
  static override storeIntent = 'write' as const
  static override summary =
    'Apply recommendations to the cluster: dry run unless --yes, journaled first, guardrails reported as skips'
  static override description = `Plans changes against the live cluster from the latest stored recommendations (finops recommend;
computed again from the store when collect k8s or collect usage ran after them) and from off-hours schedules
(kube-downscaler's downscaler/* annotations and kubernetes.recommend.scaleDown.schedules, judged on the live
objects every run): scale-down through the scale subresource (CronJobs suspended, HPAs' minReplicas, Argo
Rollouts per apply.schedules.kinds), rightsizing as a strategic-merge patch of one container's requests/limits,
spot migration (opt-in per namespace) as node selector + tolerations. Each change's before-state is written to the
store before it is sent; a resourceVersion conflict is re-read and re-planned. Running it twice changes nothing the
second time. Containers whose rightsize was applied (or is listed in a reviewed file) and carries an hour-of-day
CPU schedule get the current UTC hour's request on every running pod through the pods/resize subresource
(Kubernetes 1.33+), at most once an hour per pod; the template keeps the fixed request new pods start with.
FINOPS_NOW (an ISO date or time) pins "now" for schedules and the hour of the CPU schedule, the run id and the journal.
Exit codes: 0 all applied (or dry run), 7 partial (some applied, some failed), 6 none applied and some failed.`

  static override examples = [
    '<%= config.bin %> apply',
    '<%= config.bin %> apply --kind scale-down --namespace dev --yes',
    "<%= config.bin %> apply --namespace 'team-*' --selector 'tier in (web,api)' --kind rightsize",
    '<%= config.bin %> apply --kind rightsize,spot --max-actions 5 --json',
    '<%= config.bin %> apply --recommendations reviewed.json --yes',
  ]

  static override flags = {
    kind: Flags.string({
      description: `kinds to apply, comma-separated (${APPLY_KINDS.join(', ')}; default: apply.kinds)`,
    }),
    ...workloadFilterFlags,
    'max-actions': Flags.integer({description: 'cap on changes in this run (default: apply.maxActions)', min: 0}),
    yes: Flags.boolean({description: 'apply the plan (default: dry run, unless apply.mode is enforce)'}),
    recommendations: Flags.string({
      description: 'apply these recommendations (a finops recommend --json file) instead of the stored ones',
    }),
    ...outputFlags(['apply']),
  }

  async run(): Promise<ApplyReport> {
    const {flags} = await this.parse(Apply)
    // Flags and the recommendations file are checked before the store or the cluster is touched (and before the run lock is taken).
    const filter = workloadFilterFromFlags(flags)
    const kinds = flags.kind ? parseKinds(flags.kind) : undefined
    const reviewed: ApplyRequest['reviewed'] = flags.recommendations
      ? {file: flags.recommendations, entries: readReviewedFile(flags.recommendations)}
      : undefined
    const {config} = this.finopsConfig(flags.config)
    const db = this.openStore(flags.db, flags.config)
    const enforce = flags.yes || config.apply.mode === 'enforce'
    const now = currentInstant()
    const runId = newRunId(now)
    const request = {config, runId, kinds, filter, now, maxActions: flags['max-actions'], yes: flags.yes, reviewed}
    // A reviewed file is checked against the live cluster (reads only) before the lock, so a refusal leaves the store as it was.
    if (reviewed) reviewed.checked = await checkReviewed(db, request)
    // So is a schedule of pod resizes the cluster cannot take (no resize subresource, a restart not allowed).
    if (enforce) await checkResizes(db, request)
    // A manual apply and the CronJob must not change the same cluster at once: enforcing takes the run lock.
    if (enforce) acquireRunLock(db, {runId, ttlMinutes: config.run.lockTtlMinutes})
    const report = await applyFromStore(db, request).finally(() => {
      if (enforce) releaseRunLock(db, runId)
    })
    // partial when some changes went through and some did not; remote when none did.
    return this.finish('apply', report, {
      exit: partsExitCode({succeeded: report.summary.applied, failed: report.summary.failed}),
    })
  }
}

function parseKinds(value: string): ApplyKind[] {
  const kinds = value
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean)
  const bad = kinds.filter((k) => !(APPLY_KINDS as readonly string[]).includes(k))
  if (bad.length > 0 || kinds.length === 0)
    throw usageError(
      `--kind ${value}: unknown kind ${bad.join(', ') || '(empty)'}`,
      `use one or more of ${APPLY_KINDS.join(', ')}`,
    )
  return kinds as ApplyKind[]
}
