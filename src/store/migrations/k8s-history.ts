import type {Migration} from './index.js'

/**
 * Kubernetes history for allocation: what ran where, day by day, read from kube-state-metrics and
 * cAdvisor over Prometheus. Rows grow with (workload x container x node) x days, not with pods or
 * samples: a CronJob spawning hundreds of pods a day adds one row per node it ran on. Coverage rows
 * say which days (and namespaces) have history, so allocation falls back to the snapshot only where
 * none was collected. Costs are not stored: prices are applied when a report is made.
 */
export const migration: Migration = {
  id: 'k8s-history',
  up: `
CREATE TABLE k8s_history_coverage (
  cluster TEXT NOT NULL,
  day TEXT NOT NULL,                     -- YYYY-MM-DD (UTC)
  namespace TEXT NOT NULL,               -- a namespace, or '*' when every namespace was collected
  through TEXT NOT NULL,                 -- ISO time the day is covered up to (the end of the day, or the run's time today)
  resolution_seconds INTEGER NOT NULL,   -- instants per hour = 3600 / resolution
  collected_at TEXT NOT NULL,
  PRIMARY KEY (cluster, day, namespace)
) WITHOUT ROWID;

CREATE TABLE k8s_container_hours (
  cluster TEXT NOT NULL,
  namespace TEXT NOT NULL,
  kind TEXT NOT NULL,
  workload TEXT NOT NULL,
  container TEXT NOT NULL,
  node TEXT NOT NULL,
  day TEXT NOT NULL,
  pods INTEGER NOT NULL,                 -- distinct pods that ran this container on the node that day
  running_hours REAL NOT NULL,           -- container-hours running (summed over those pods)
  cpu_request_core_hours REAL NOT NULL,
  memory_request_gib_hours REAL NOT NULL,
  cpu_usage_core_hours REAL NOT NULL,
  memory_usage_gib_hours REAL NOT NULL,
  gpu_request_hours TEXT NOT NULL DEFAULT '{}',   -- JSON {resource: unit-hours}, resource as kube-state-metrics names it (nvidia_com_gpu, \
nvidia_com_mig_1g_5gb, amd_com_gpu)
  PRIMARY KEY (cluster, namespace, kind, workload, container, node, day)
) WITHOUT ROWID;
CREATE INDEX k8s_container_hours_node_day ON k8s_container_hours (cluster, day, node);

CREATE TABLE k8s_node_hours (
  cluster TEXT NOT NULL,
  node TEXT NOT NULL,
  day TEXT NOT NULL,
  hours REAL NOT NULL,                   -- hours the node existed that day
  cpu_cores REAL NOT NULL,               -- capacity
  memory_bytes REAL NOT NULL,
  gpus TEXT NOT NULL DEFAULT '{}',       -- JSON {resource: capacity}
  provider_id TEXT NOT NULL DEFAULT '',
  labels TEXT NOT NULL DEFAULT '{}',     -- JSON node labels as far as kube_node_labels exports them
  PRIMARY KEY (cluster, node, day)
) WITHOUT ROWID;

CREATE TABLE k8s_volume_hours (
  cluster TEXT NOT NULL,
  volume TEXT NOT NULL,                  -- PersistentVolume name
  day TEXT NOT NULL,
  hours REAL NOT NULL,
  size_bytes REAL NOT NULL,
  storage_class TEXT NOT NULL DEFAULT '',
  handle TEXT NOT NULL DEFAULT '',       -- cloud disk id (EBS volume id, CSI volume handle, PD name)
  claim_namespace TEXT NOT NULL DEFAULT '',
  claim TEXT NOT NULL DEFAULT '',
  owner_kind TEXT NOT NULL DEFAULT '',   -- workload whose pods mounted the claim most that day
  owner_workload TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (cluster, volume, day)
) WITHOUT ROWID;

CREATE TABLE k8s_service_hours (
  cluster TEXT NOT NULL,
  namespace TEXT NOT NULL,
  service TEXT NOT NULL,
  day TEXT NOT NULL,
  type TEXT NOT NULL,                    -- LoadBalancer (the only type that costs by the hour)
  hours REAL NOT NULL,
  PRIMARY KEY (cluster, namespace, service, day)
) WITHOUT ROWID;

CREATE TABLE k8s_network_daily (
  cluster TEXT NOT NULL,
  namespace TEXT NOT NULL,
  kind TEXT NOT NULL,
  workload TEXT NOT NULL,
  day TEXT NOT NULL,
  transmit_gib REAL NOT NULL,
  PRIMARY KEY (cluster, namespace, kind, workload, day)
) WITHOUT ROWID;
`,
}
