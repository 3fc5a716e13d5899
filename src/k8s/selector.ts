/** A Kubernetes label selector (PDBs, Deployments, Services): matchLabels and matchExpressions. */
export interface LabelSelector {
  matchLabels?: Record<string, string>
  matchExpressions?: {key: string; operator: string; values?: string[]}[]
}

/** Whether a label selector selects a set of labels (matchLabels and matchExpressions: In, NotIn, Exists, DoesNotExist, Gt, Lt). */
export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false
  const hasTerms = Object.keys(selector.matchLabels ?? {}).length > 0 || (selector.matchExpressions ?? []).length > 0
  // An empty policy/v1 selector selects every pod in the namespace.
  if (!hasTerms) return true
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false
  for (const expr of selector.matchExpressions ?? []) {
    const value = labels[expr.key]
    const values = expr.values ?? []
    if (expr.operator === 'In' && (value === undefined || !values.includes(value))) return false
    if (expr.operator === 'NotIn' && value !== undefined && values.includes(value)) return false
    if (expr.operator === 'Exists' && value === undefined) return false
    if (expr.operator === 'DoesNotExist' && value !== undefined) return false
    // Gt/Lt (node-affinity style): the label must hold an integer beyond the bound.
    if (expr.operator === 'Gt' || expr.operator === 'Lt') {
      if (value === undefined || !/^-?\d+$/.test(value)) return false
      const bound = Number(values[0])
      if (expr.operator === 'Gt' ? !(Number(value) > bound) : !(Number(value) < bound)) return false
    }
  }
  return true
}
