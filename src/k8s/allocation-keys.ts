/** The allocation group keys, for help texts: apart from the allocation so `cost report` can name them without loading it. */
export const ALLOCATION_KEYS_HELP =
  'cluster, namespace, workload, controller-kind, node, capacity-type, container, label:<key>'
