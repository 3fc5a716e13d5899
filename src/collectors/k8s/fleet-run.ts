import {FinopsError, isFinopsError} from '../../errors.js'
import {ExitCode, type ExitCodeName, partsOutcome} from '../../exit-codes.js'
import type {FleetMember} from '../../k8s/fleet.js'

/** A cluster of a fleet run that could not be collected; the others were. */
export interface ClusterFailure {
  cluster: string
  code: string
  message: string
  suggestion?: string
  exit: number
}

export const memberName = (m: FleetMember): string => m.name ?? m.context ?? 'default'

/**
 * Runs `collect` for each cluster in turn. Each lands on its own (its store rows are written in its
 * own transactions): a cluster that fails is recorded and the next one still runs. Anything that is
 * not a FinopsError is a bug and stops the run.
 */
export async function forEachCluster<T>(
  members: readonly FleetMember[],
  collect: (member: FleetMember) => Promise<T>,
): Promise<{results: T[]; failures: ClusterFailure[]}> {
  const results: T[] = []
  const failures: ClusterFailure[] = []
  for (const member of members) {
    try {
      results.push(await collect(member))
    } catch (error) {
      if (!isFinopsError(error)) throw error
      failures.push({
        cluster: memberName(member),
        code: error.code,
        message: error.message,
        suggestion: error.suggestion,
        exit: error.exit,
      })
    }
  }
  return {results, failures}
}

/**
 * The error a fleet run ends with: none when every cluster was collected, "partial" when some were,
 * else the first failure's own code (every cluster failed the same way, most often).
 */
export function fleetError(failures: readonly ClusterFailure[], total: number): FinopsError | undefined {
  const outcome = partsOutcome({succeeded: total - failures.length, failed: failures.length})
  if (outcome === 'ok') return undefined
  const first = failures[0]!
  const all = outcome === 'failed'
  return new FinopsError(
    `${failures.length} of ${total} clusters failed: ${failures.map((f) => `${f.cluster}: ${f.message}`).join('; ')}`,
    {
      code: all ? first.code : 'PARTIAL',
      exit: all ? exitName(first.exit) : 'partial',
      suggestion: all ? first.suggestion : 'the other clusters were collected; fix the failed ones and run again',
    },
  )
}

const exitName = (code: number): ExitCodeName =>
  (Object.entries(ExitCode).find(([, v]) => v === code)?.[0] ?? 'remote') as ExitCodeName
