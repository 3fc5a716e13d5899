// Regenerates deploy/base from src/run/manifests.ts (run after the build: node deploy/generate.mjs).
// test/deploy/manifests.test.ts fails when the files and the renderer drift apart.
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {stringify} from 'yaml'

import {parseConfig} from '../dist/src/config/index.js'
import {DEFAULT_FINOPS_YAML, renderManifests} from '../dist/src/run/manifests.js'

const base = path.join(path.dirname(fileURLToPath(import.meta.url)), 'base')
const manifests = renderManifests(parseConfig({}).run)
const byKind = (...kinds) => manifests.filter((m) => kinds.includes(m.kind))
const files = {
  'namespace.yaml': [
    'The namespace, with Pod Security "restricted" enforced: the job needs nothing more.',
    byKind('Namespace'),
  ],
  'serviceaccount.yaml': [
    'Annotate for IRSA / GKE or Azure Workload Identity in an overlay (docs/deploy.md).',
    byKind('ServiceAccount'),
  ],
  'rbac.yaml': [
    'Least privilege: only the verbs and resources the code calls (test/deploy checks them against a run).',
    byKind('ClusterRole', 'ClusterRoleBinding'),
  ],
  'pvc.yaml': [
    'The SQLite store: the journal of applied changes must survive between runs.',
    byKind('PersistentVolumeClaim'),
  ],
  'cronjob.yaml': [
    'Read-only root filesystem, non-root, no capabilities, RuntimeDefault seccomp; /data is the PVC, /tmp an emptyDir.',
    byKind('CronJob'),
  ],
}
for (const [file, [what, objects]] of Object.entries(files)) {
  const header = `# Generated from src/run/manifests.ts (finops cronjob manifest renders the same from finops.yaml).\n# ${what}\n`
  fs.writeFileSync(path.join(base, file), header + objects.map((o) => stringify(o, {lineWidth: 0})).join('---\n'))
}
fs.writeFileSync(path.join(base, 'finops.yaml'), DEFAULT_FINOPS_YAML)
