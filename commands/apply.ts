import {Flags} from '@oclif/core'
import fs from 'node:fs'

import {FinopsCommand} from '../src/cli/base-command.js'
import {outputFlags} from '../src/cli/output-flags.js'
import {workloadFilterFlags, workloadFilterFromFlags} from '../src/cli/workload-filter-flags.js'
import {newRunId} from '../src/apply/identity.js'
import {applyFromStore} from '../src/apply/index.js'
import type {ApplyReport} from '../src/apply/execute.js'
import {APPLY_KINDS, type ApplyKind} from '../recommenders/registry.js'
import {inputError, usageError} from '../src/errors.js'
import {partsExitCode} from '../src/exit-codes.js'
import {recommendationSchema} from '../recommenders/schema.js'
import type {Recommendation} from '../src/model/recommendation.js'
import {acquireRunLock, releaseRunLock} from '../src/run/lock.js'

export default class Apply extends FinopsCommand {
  static override summary =
    'Apply recommendations to the cluster: dry run unless --yes, journaled first, guardrails reported as skips'
  static override description = `Plans changes from the latest stored recommendations (finops recommend) against the live cluster:
scale-down through the scale subresource, rightsizing as a strategic-merge patch of one container's requests/limits, spot
migration (opt-in per namespace) as node selector + tolerations. Each change's before-state is written to the store before it
is sent; a resourceVersion conflict is re-read and re-planned. Running it twice changes nothing the second time.
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
    // Flags and the recommendations file are checked before the store or the cluster is touched.
    const filter = workloadFilterFromFlags(flags)
    const kinds = flags.kind ? parseKinds(flags.kind) : undefined
    const {config} = this.finopsConfig(flags.config)
    const db = this.openStore(flags.db, flags.config)
    const enforce = flags.yes || config.apply.mode === 'enforce'
    const runId = newRunId()
    // A manual apply and the CronJob must not change the same cluster at once: enforcing takes the run lock.
    if (enforce) acquireRunLock(db, {runId, ttlMinutes: config.run.lockTtlMinutes})
    const report = await applyFromStore(db, {
      config,
      runId,
      kinds,
      filter,
      maxActions: flags['max-actions'],
      yes: flags.yes,
      recommendations: flags.recommendations ? readRecommendations(flags.recommendations) : undefined,
    }).finally(() => {
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

function readRecommendations(file: string): Recommendation[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch (error) {
    throw inputError(
      `cannot read recommendations from ${file}: ${(error as Error).message.split('\n')[0]}`,
      'pass the output of finops recommend --json',
      error,
    )
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as {recommendations?: unknown})?.recommendations
  if (!Array.isArray(list)) {
    throw inputError(
      `${file} holds no recommendation list`,
      'pass the output of finops recommend --json (an object with "recommendations", or an array)',
    )
  }
  // Each entry against the recommend --json contract, so a hand-edited file fails here with the field, not mid-apply.
  for (const [index, entry] of list.entries()) {
    const result = recommendationSchema.safeParse(entry)
    if (!result.success) {
      const issue = result.error.issues[0]!
      throw inputError(
        `${file}: recommendations[${index}].${issue.path.map(String).join('.')}: ${issue.message}`,
        'pass the output of finops recommend --json; edit only what to apply (remove entries, or change proposed values)',
      )
    }
  }
  return list as Recommendation[]
}
