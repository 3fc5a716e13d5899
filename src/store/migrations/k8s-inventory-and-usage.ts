import type {Migration} from './index.js'

/**
 * Kubernetes inventory (one snapshot per cluster, replaced whole by each `collect k8s`) and the
 * per-container daily usage digests. Inventory objects are JSON documents (the shapes in
 * src/model/k8s.ts) under indexed keys: they are read whole by the recommenders, never queried by
 * field. Usage rows grow with containers x days, not with samples.
 */
export const migration: Migration = {
  id: '0300-k8s',
  up: `
CREATE TABLE k8s_snapshots (
  cluster TEXT PRIMARY KEY,
  collected_at TEXT NOT NULL,
  source TEXT NOT NULL,                  -- kubeconfig context or 'in-cluster' or 'fixture'; never credentials
  workloads INTEGER NOT NULL,
  nodes INTEGER NOT NULL,
  warnings TEXT NOT NULL DEFAULT '[]'     -- JSON array of resources left out (403) and why
);

CREATE TABLE k8s_workloads (
  cluster TEXT NOT NULL,
  namespace TEXT NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  doc TEXT NOT NULL,                     -- JSON Workload
  PRIMARY KEY (cluster, namespace, kind, name)
) WITHOUT ROWID;

CREATE TABLE k8s_nodes (
  cluster TEXT NOT NULL,
  name TEXT NOT NULL,
  provider_id TEXT NOT NULL DEFAULT '',
  instance_id TEXT NOT NULL DEFAULT '',
  instance_type TEXT NOT NULL DEFAULT '',
  capacity_type TEXT NOT NULL,
  doc TEXT NOT NULL,                     -- JSON NodeInfo
  PRIMARY KEY (cluster, name)
) WITHOUT ROWID;
CREATE INDEX k8s_nodes_instance ON k8s_nodes (instance_id);

CREATE TABLE k8s_namespaces (
  cluster TEXT NOT NULL,
  name TEXT NOT NULL,
  doc TEXT NOT NULL,                     -- JSON NamespaceInfo
  PRIMARY KEY (cluster, name)
) WITHOUT ROWID;

CREATE TABLE k8s_usage_daily (
  cluster TEXT NOT NULL,
  namespace TEXT NOT NULL,
  kind TEXT NOT NULL,
  workload TEXT NOT NULL,
  container TEXT NOT NULL,
  day TEXT NOT NULL,                     -- YYYY-MM-DD (UTC)
  source TEXT NOT NULL,                  -- prometheus | metrics-server
  samples INTEGER NOT NULL,
  cpu TEXT NOT NULL,                     -- JSON Histogram (cores)
  memory TEXT NOT NULL,                  -- JSON Histogram (bytes)
  cpu_max REAL NOT NULL,
  memory_max REAL NOT NULL,
  oom_kills INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (cluster, namespace, kind, workload, container, day)
) WITHOUT ROWID;
CREATE INDEX k8s_usage_day ON k8s_usage_daily (day);
`,
}
