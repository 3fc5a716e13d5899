/** How many backups to keep: the newest `keep`, and every one younger than `keepDays`; unset keeps all. */
export interface RetentionPolicy {
  keep?: number
  keepDays?: number
}

export interface RetentionPlan {
  keep: string[]
  remove: string[]
}

/**
 * Which backups a policy keeps (a backup either rule keeps is kept). The newest backup is always
 * kept, whatever the policy says: retention never leaves a location without its last good backup.
 * Pure: the caller lists only complete backups (with a manifest), so nothing else is ever named.
 */
export function planRetention(
  backups: readonly {name: string; createdAt: string}[],
  policy: RetentionPolicy,
  now: Date,
): RetentionPlan {
  const newestFirst = [...backups].sort(
    (a, b) => b.createdAt.localeCompare(a.createdAt) || b.name.localeCompare(a.name),
  )
  if (policy.keep === undefined && policy.keepDays === undefined)
    return {keep: newestFirst.map((b) => b.name), remove: []}
  const cutoff = policy.keepDays === undefined ? undefined : now.getTime() - policy.keepDays * 86_400_000
  const plan: RetentionPlan = {keep: [], remove: []}
  newestFirst.forEach((backup, rank) => {
    const byCount = policy.keep !== undefined && rank < policy.keep
    const byAge = cutoff !== undefined && Date.parse(backup.createdAt) >= cutoff
    if (rank === 0 || byCount || byAge) plan.keep.push(backup.name)
    else plan.remove.push(backup.name)
  })
  return plan
}
