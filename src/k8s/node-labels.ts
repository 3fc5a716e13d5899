/**
 * Node labels come from the API (`node.kubernetes.io/instance-type`) or from kube_node_labels, where
 * kube-state-metrics turns every character that cannot be in a Prometheus label name into `_`
 * (`node_kubernetes_io_instance_type`). Lookups accept either.
 */
const sanitize = (key: string) => key.replace(/[^a-zA-Z0-9_]/g, '_')

/** A label by its API key, or by the key as kube-state-metrics sanitizes it. */
export function nodeLabel(labels: Readonly<Record<string, string>>, key: string): string | undefined {
  return labels[key] ?? labels[sanitize(key)]
}

/** The first label present of several keys (e.g. the GA and the beta spelling). */
export const firstNodeLabel = (labels: Readonly<Record<string, string>>, ...keys: string[]): string | undefined =>
  keys.map((k) => nodeLabel(labels, k)).find((v) => v !== undefined && v !== '')
