import {Flags} from '@oclif/core'

import {FinopsError, usageError} from '../errors.js'
import {parseLabelSelector, parseNamespacePatterns, type WorkloadFilter} from '../k8s/workload-filter.js'

/** `--namespace` (names or globs) and `--selector` (a label selector), the same on every command that selects workloads. */
export const workloadFilterFlags = {
  namespace: Flags.string({
    char: 'n',
    description: "only these namespaces: names or globs ('team-*', 'dev-?'), comma-separated or repeated",
    multiple: true,
  }),
  selector: Flags.string({
    char: 'l',
    description: "only workloads whose labels match this Kubernetes label selector ('app=web,tier in (a,b),!canary')",
  }),
}

/** Builds the filter from the flags; a blank or malformed value is a usage error naming the flag. */
export function workloadFilterFromFlags(flags: {namespace?: string[]; selector?: string}): WorkloadFilter | undefined {
  const filter: {namespaces?: string[]; selector?: WorkloadFilter['selector']} = {}
  if (flags.namespace !== undefined) {
    filter.namespaces = withFlag('--namespace', () => parseNamespacePatterns(flags.namespace!))
    if (filter.namespaces.length === 0) throw usageError('--namespace is empty', 'name the namespaces to act on')
  }
  if (flags.selector !== undefined) filter.selector = withFlag('--selector', () => parseLabelSelector(flags.selector!))
  return filter.namespaces || filter.selector ? filter : undefined
}

function withFlag<T>(flag: string, parse: () => T): T {
  try {
    return parse()
  } catch (error) {
    if (error instanceof FinopsError) throw usageError(`${flag}: ${error.message}`, error.suggestion)
    throw error
  }
}
